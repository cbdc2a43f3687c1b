# Package marker of the generated Dumas Python client (copied into every
# generated package folder by the build).
#
# `google` is shared: Debian's python3-protobuf puts google.protobuf in
# /usr/lib/python3/dist-packages/google as a namespace portion, and this client
# adds google.api, google.rpc and google.type. extend_path joins every `google`
# folder on sys.path into this package, so `import google.protobuf` and
# `import google.rpc.error_details_pb2` both work whichever comes first, even
# beside a distribution whose own google/__init__.py would otherwise shadow one
# of them. In a package no one else provides it changes nothing.
from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
