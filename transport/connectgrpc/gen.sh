#!/usr/bin/env bash
# Generates clientsessionv1/ from proto/clientsession/v1/clientsession.proto with protoc (Debian's
# protobuf-compiler package) and the plugins pinned below, installed with `go install` into a cache
# directory. With --check it changes nothing and fails when the committed code differs from what the
# proto generates (CI runs it so).
set -euo pipefail
cd "$(dirname "$0")"
export GOWORK=off

PROTOC_VERSION="libprotoc 3.21.12" # Debian 12 protobuf-compiler; the version is written into the output
PROTOC_GEN_GO_VERSION=v1.36.12
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2
MODULE=github.com/clientsession/engine/transport/connectgrpc

command -v protoc >/dev/null || { echo "gen.sh: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }
if [ "$(protoc --version)" != "$PROTOC_VERSION" ]; then
  echo "gen.sh: $(protoc --version) found, the committed code was made with $PROTOC_VERSION" >&2
  exit 1
fi

bin="${XDG_CACHE_HOME:-$HOME/.cache}/connectgrpc-gen/go-${PROTOC_GEN_GO_VERSION}-grpc-${PROTOC_GEN_GO_GRPC_VERSION}"
if [ ! -x "$bin/protoc-gen-go" ] || [ ! -x "$bin/protoc-gen-go-grpc" ]; then
  mkdir -p "$bin"
  GOBIN="$bin" GOFLAGS= go install "google.golang.org/protobuf/cmd/protoc-gen-go@${PROTOC_GEN_GO_VERSION}"
  GOBIN="$bin" GOFLAGS= go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@${PROTOC_GEN_GO_GRPC_VERSION}"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
PATH="$bin:$PATH" protoc --proto_path=proto \
  --go_out="$out" --go_opt=module="$MODULE" \
  --go-grpc_out="$out" --go-grpc_opt=module="$MODULE" \
  clientsession/v1/clientsession.proto

if [ "${1:-}" = --check ]; then
  if ! diff -ru clientsessionv1 "$out/clientsessionv1"; then
    echo "gen.sh --check: clientsessionv1/ is not what the proto generates; run transport/connectgrpc/gen.sh" >&2
    exit 1
  fi
  echo "gen.sh --check: generated code is up to date"
  exit 0
fi
rm -f clientsessionv1/*.pb.go
cp "$out"/clientsessionv1/*.pb.go clientsessionv1/
