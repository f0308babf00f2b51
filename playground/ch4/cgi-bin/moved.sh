#!/bin/sh
# Location with a local path: the server fetches /hello.sh itself and the
# client never sees a redirect. With a full URL it would be a 302.
printf 'Location: /hello.sh\n\n'
