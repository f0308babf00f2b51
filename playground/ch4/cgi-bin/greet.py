#!/usr/bin/env python3
"""The chapter's tiny app as CGI: a greeting, a slow endpoint, a counter.

Compare it with app_wsgi.py and app_asgi.py: the same three answers, but
here the request arrives in environment variables and the answer goes to
stdout, and a new python3 process starts for every request.
"""
import os
import sys
import time
from urllib.parse import parse_qs

path = os.environ.get("PATH_INFO", "/")
query = parse_qs(os.environ.get("QUERY_STRING", ""))

if path in ("", "/"):
    name = query.get("name", ["world"])[0]
    body = f"Hello, {name}! (CGI, pid {os.getpid()})\n"
elif path == "/slow":
    time.sleep(float(query.get("seconds", ["1"])[0]))
    body = f"slept (CGI, pid {os.getpid()})\n"
elif path == "/counter":
    # No memory between requests: each one is a fresh process. State has
    # to live outside it, here in a file next to the script.
    counter_file = os.path.join(os.environ.get("TMPDIR", "/tmp"), "greet-counter")
    try:
        with open(counter_file) as f:
            count = int(f.read() or 0) + 1
    except FileNotFoundError:
        count = 1
    with open(counter_file, "w") as f:
        f.write(str(count))
    body = f"request #{count} (CGI: the count lives in a file)\n"
else:
    sys.stdout.write("Status: 404 Not Found\nContent-Type: text/plain\n\nno such page\n")
    sys.exit(0)

sys.stdout.write("Content-Type: text/plain; charset=utf-8\n\n" + body)
