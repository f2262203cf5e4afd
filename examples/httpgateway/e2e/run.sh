#!/usr/bin/env bash
# End-to-end tests of the reference gateway: with the official Connect SDKs over HTTP
# (gateway.test.cjs) and with @grpc/grpc-js over -grpc-addr (grpc.test.cjs),
# pinned by package-lock.json. Needs Go and Node.js 20+ with npm.
# Usage: examples/httpgateway/e2e/run.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")"
export GOWORK=off
npm ci --no-audit --no-fund --loglevel=error
exec node --test --test-concurrency=1 gateway.test.cjs grpc.test.cjs "$@"
