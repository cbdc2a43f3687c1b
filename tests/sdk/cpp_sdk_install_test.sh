#!/usr/bin/env bash
# cpp_sdk_install_test: installs the client component of the build into a
# temporary prefix (cmake --install), configures and builds a project outside
# the tree against it (find_package(dumas), dumas::client), and runs it.
#   cpp_sdk_install_test.sh BUILD_DIR
set -euo pipefail
build=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d /tmp/dumas-sdk-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" --component client >/dev/null
test -f "$tmp/prefix/share/dumas/dumas.protoset"
test -f "$tmp/prefix/include/dumas-sdk/dumas/client.h"
test -f "$tmp/prefix/include/dumas-sdk/dumas/v1/complaint_service.grpc.pb.h"
cmake -S "$here/consumer" -B "$tmp/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; exit 1; }
nice cmake --build "$tmp/consumer" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
"$tmp/consumer/consumer"
echo "cpp_sdk_install_test: find_package(dumas) from an install prefix works"
