"""The chapter's tiny app as ASGI (FastAPI), for uvicorn.

    uvicorn --app-dir playground/ch4 --host 127.0.0.1 --port 8002 app_asgi:app

One process, one event loop: `await asyncio.sleep` gives the loop back, so
a thousand slow requests wait side by side.
"""
import asyncio
import os

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()
count = 0


@app.get("/", response_class=PlainTextResponse)
async def greet(name: str = "world"):
    return f"Hello, {name}! (ASGI, pid {os.getpid()})\n"


@app.get("/slow", response_class=PlainTextResponse)
async def slow(seconds: float = 1.0):
    await asyncio.sleep(seconds)
    return f"slept (ASGI, pid {os.getpid()})\n"


@app.get("/counter", response_class=PlainTextResponse)
async def counter():
    global count
    count += 1
    return f"request #{count} (ASGI: in the process's memory)\n"
