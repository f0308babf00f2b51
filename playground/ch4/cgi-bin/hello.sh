#!/bin/sh
# The smallest CGI script: a header block, a blank line, the body.
printf 'Content-Type: text/plain\n\n'
echo "Hello from a shell script, process $$"
