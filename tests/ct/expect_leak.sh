#!/bin/sh
# The self-test passes only when valgrind reports the planted leak
# (exit code 42 from --error-exitcode), not on any other failure.
"$@"
rc=$?
if [ "$rc" -eq 42 ]; then echo "ct self-test: leak caught (as required)"; exit 0; fi
echo "ct self-test: expected valgrind to report the planted leak (rc 42), got rc $rc" >&2
exit 1
