#!/usr/bin/perl
# Prints every variable the server gave this script, sorted: the whole
# "interface" of the Common Gateway Interface.
use strict;
use warnings;
print "Content-Type: text/plain\r\n\r\n";
print "$_=$ENV{$_}\n" for sort keys %ENV;
