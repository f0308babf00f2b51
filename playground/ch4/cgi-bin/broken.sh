#!/bin/sh
# Forgets the header block: the server answers 500 and logs why.
echo "Hello without headers"
echo "this goes to the log" >&2
