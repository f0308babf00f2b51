"""The chapter's tiny app as WSGI (Flask), for gunicorn's sync workers.

    gunicorn --chdir playground/ch4 --bind 127.0.0.1:8001 --workers 2 app_wsgi:app

The process stays up between requests (the counter lives in memory), but
each worker handles one request at a time: a slow request holds a worker.
"""
import os
import time

from flask import Flask, request

app = Flask(__name__)
count = 0


@app.get("/")
def greet():
    name = request.args.get("name", "world")
    return f"Hello, {name}! (WSGI, pid {os.getpid()})\n", {"Content-Type": "text/plain"}


@app.get("/slow")
def slow():
    time.sleep(float(request.args.get("seconds", "1")))
    return f"slept (WSGI, pid {os.getpid()})\n", {"Content-Type": "text/plain"}


@app.get("/counter")
def counter():
    global count
    count += 1  # per worker process: two workers, two counts
    return f"request #{count} (WSGI: in this worker's memory)\n", {"Content-Type": "text/plain"}
