#!/usr/bin/env bash
# python_sdk_install_test: installs the Python SDK the build lays out (a copy
# of BUILD_DIR/clients/python, with its pyproject.toml) into a fresh virtual
# environment offline (pip --no-index --no-build-isolation; Debian's grpcio
# and protobuf through --system-site-packages), then imports it from outside
# the tree.
#   python_sdk_install_test.sh BUILD_DIR
set -euo pipefail
build=$1
tmp=$(mktemp -d /tmp/dumas-sdk-py.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp -r "$build/clients/python" "$tmp/src"
/usr/bin/python3 -m venv --system-site-packages "$tmp/venv"
PIP_DISABLE_PIP_VERSION_CHECK=1 "$tmp/venv/bin/pip" install --quiet --no-index \
  --no-build-isolation "$tmp/src" >"$tmp/pip.log" 2>&1 || { cat "$tmp/pip.log"; exit 1; }
cd "$tmp"
env -u PYTHONPATH "$tmp/venv/bin/python" - <<'PY'
import dumas_client, dumas_log
from dumas.v1 import complaint_service_pb2, complaint_service_pb2_grpc
from google.rpc import error_details_pb2
import google.protobuf
assert "/venv/" in dumas_client.__file__, dumas_client.__file__
request = complaint_service_pb2.VerifyComplaintRequest()
assert not dumas_client.safe_to_retry(request)
dumas_client.ensure_request_id(request)
assert dumas_client.safe_to_retry(request)
assert "complaint" in dumas_client._service_stubs()
print("python_sdk_install_test: dumas-sdk installed offline and imports")
PY
