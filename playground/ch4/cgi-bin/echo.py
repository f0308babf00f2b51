#!/usr/bin/env python3
"""Echoes the request body back: exactly CONTENT_LENGTH bytes of stdin."""
import os
import sys

length = int(os.environ.get("CONTENT_LENGTH") or 0)
data = sys.stdin.buffer.read(length)
sys.stdout.buffer.write(b"Content-Type: application/octet-stream\n\n" + data)
