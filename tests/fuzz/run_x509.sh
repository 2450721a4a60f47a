#!/bin/sh
# The certificate-parser target alone (kept for old instructions):
#   tests/fuzz/run_x509.sh [SECONDS]   ==   tests/fuzz/run.sh SECONDS x509
exec "$(dirname "$0")/run.sh" "${1:-60}" x509
