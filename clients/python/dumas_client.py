"""Convenience layer over the generated Dumas Python client.

The build generates the stubs (dumas.v1, google.rpc, grpc_health.v1) into
build/clients/python and copies this module beside them; put that folder on
PYTHONPATH. The runtime is Debian's python3-grpcio and python3-protobuf.

    import dumas_client
    from dumas.v1 import complaint_service_pb2 as svc

    with dumas_client.connect("127.0.0.1:50051", token=gateway_token) as client:
        try:
            reply = client.complaints.SubmitComplaint(request, timeout=10)
        except grpc.RpcError as error:
            for v in dumas_client.field_violations(error):
                print(v.field, v.description)

Beyond the stubs: connect_from_environment() reads the address, TLS files
and token from the environment (never from a command line), and
Client.call() sets a deadline, fills an empty request_id, and retries the
calls that are safe to repeat with that same request_id.
"""

import importlib
import os
import pkgutil
import random
import re
import time
import uuid

import grpc

from dumas.v1 import (admin_service_pb2_grpc, complaint_service_pb2_grpc,
                      integration_service_pb2_grpc, notification_service_pb2_grpc,
                      report_service_pb2_grpc)
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2_grpc

# The trailer in which gRPC servers send a serialized google.rpc.Status.
STATUS_DETAILS_KEY = "grpc-status-details-bin"


class _BearerToken(grpc.UnaryUnaryClientInterceptor,
                   grpc.UnaryStreamClientInterceptor,
                   grpc.StreamUnaryClientInterceptor,
                   grpc.StreamStreamClientInterceptor):
    """Adds `authorization: Bearer <token>` to every call of a channel."""

    def __init__(self, token):
        self._metadata = ("authorization", "Bearer " + token)

    def _with_token(self, details):
        metadata = list(details.metadata or [])
        metadata.append(self._metadata)
        return _CallDetails(details.method, details.timeout, metadata,
                            details.credentials, details.wait_for_ready,
                            details.compression)

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._with_token(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._with_token(details), request)

    def intercept_stream_unary(self, continuation, details, requests):
        return continuation(self._with_token(details), requests)

    def intercept_stream_stream(self, continuation, details, requests):
        return continuation(self._with_token(details), requests)


class _CallDetails(grpc.ClientCallDetails):
    def __init__(self, method, timeout, metadata, credentials, wait_for_ready,
                 compression):
        self.method = method
        self.timeout = timeout
        self.metadata = metadata
        self.credentials = credentials
        self.wait_for_ready = wait_for_ready
        self.compression = compression


class Client:
    """Stubs of one channel to a Dumas server.

    Attributes:
      complaints: a dumas.v1.ComplaintService stub.
      admin: a dumas.v1.AdminService stub.
      notifications: a dumas.v1.NotificationService stub.
      integration: a dumas.v1.IntegrationService stub (the change feed and
        the transparency log; dumas_log verifies what it serves).
      reports: a dumas.v1.ReportService stub (the monthly Anev report;
        dumas_anev checks its digests).
      health: a grpc.health.v1.Health stub.
      channel: the underlying grpc.Channel.
    Use as a context manager, or call close().

    Every other dumas.v1 service is there too, by its name in snake case
    without "_service" (ReportService -> client.report): the stubs are found
    in the generated modules, not listed here.
    """

    def __init__(self, channel):
        self.channel = channel
        for attribute, stub in _service_stubs().items():
            setattr(self, attribute, stub(channel))
        self.complaints = complaint_service_pb2_grpc.ComplaintServiceStub(channel)
        self.admin = admin_service_pb2_grpc.AdminServiceStub(channel)
        self.notifications = notification_service_pb2_grpc.NotificationServiceStub(channel)
        self.integration = integration_service_pb2_grpc.IntegrationServiceStub(channel)
        self.reports = report_service_pb2_grpc.ReportServiceStub(channel)
        self.health = health_pb2_grpc.HealthStub(channel)

    def call(self, method, request, timeout=10.0, attempts=4, initial_backoff=0.2,
             max_backoff=3.0):
        """Calls the unary `method` (a stub's bound method) with `request`.

        Fills an empty request_id with a fresh one, so that every attempt
        sends the same; retries a safe call (safe_to_retry) after UNAVAILABLE
        or DEADLINE_EXCEEDED with jittered exponential backoff, `attempts`
        times in all, each with its own `timeout` in seconds. Raises the last
        grpc.RpcError.
        """
        ensure_request_id(request)
        tries = attempts if safe_to_retry(request) else 1
        backoff = initial_backoff
        for attempt in range(tries):
            try:
                return method(request, timeout=timeout)
            except grpc.RpcError as error:
                if attempt + 1 >= tries or error.code() not in RETRYABLE_CODES:
                    raise
            time.sleep(random.uniform(backoff / 2, backoff))
            backoff = min(max_backoff, backoff * 2)
        raise AssertionError("unreachable")

    def close(self):
        self.channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def connect(target, token=None, credentials=None, options=None):
    """Opens a channel to `target` ("host:port") and returns a Client.

    token: a bearer token sent with every call (the methods that need none
      ignore it). None sends no authorization metadata.
    credentials: grpc.ChannelCredentials for TLS; None means plaintext, as on
      loopback with tools/run.
    options: extra channel options, a list of (name, value).
    """
    if credentials is None:
        channel = grpc.insecure_channel(target, options=options)
    else:
        channel = grpc.secure_channel(target, credentials, options=options)
    if token is not None:
        channel = grpc.intercept_channel(channel, _BearerToken(token))
    return Client(channel)


def connect_from_environment(environ=None, options=None):
    """A Client configured from the environment, as dumasctl and the C++ SDK are:

      DUMAS_ADDRESS     host:port (default 127.0.0.1:50051)
      DUMAS_TOKEN_FILE  file holding the bearer token (or DUMAS_TOKEN)
      DUMAS_CA_FILE     PEM of the server's CA: switches TLS on
      DUMAS_CERT_FILE, DUMAS_KEY_FILE  this client's certificate and key: mutual TLS
      DUMAS_SERVER_NAME the name in the server's certificate
    """
    env = os.environ if environ is None else environ
    target = env.get("DUMAS_ADDRESS") or "127.0.0.1:50051"
    token = None
    if env.get("DUMAS_TOKEN_FILE"):
        with open(env["DUMAS_TOKEN_FILE"], encoding="utf-8") as f:
            token = f.read().strip()
    elif env.get("DUMAS_TOKEN"):
        token = env["DUMAS_TOKEN"]
    credentials = None
    cert, key = env.get("DUMAS_CERT_FILE"), env.get("DUMAS_KEY_FILE")
    if bool(cert) != bool(key):
        raise ValueError("DUMAS_CERT_FILE and DUMAS_KEY_FILE go together: set both or neither")
    if env.get("DUMAS_CA_FILE") or cert:
        def read(path):
            if not path:
                return None
            with open(path, "rb") as f:
                return f.read()
        credentials = grpc.ssl_channel_credentials(
            root_certificates=read(env.get("DUMAS_CA_FILE")),
            private_key=read(key), certificate_chain=read(cert))
    options = list(options or [])
    if env.get("DUMAS_SERVER_NAME"):
        options.append(("grpc.ssl_target_name_override", env["DUMAS_SERVER_NAME"]))
    return connect(target, token=token, credentials=credentials, options=options)


# The codes after which an attempt of a safe call is tried again.
RETRYABLE_CODES = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
_READS = re.compile(r"^(Get|List|Track|Check)|ProofRequest$")


def safe_to_retry(request):
    """Whether a call with `request` may be repeated without changing its
    effect: reads (Get*, List*, Track*, Check, proofs) and every request that
    carries a non-empty request_id."""
    if "request_id" in request.DESCRIPTOR.fields_by_name:
        return bool(request.request_id)
    return bool(_READS.search(request.DESCRIPTOR.name))


def ensure_request_id(request):
    """Sets an empty request_id of `request` to a fresh one; returns it (or
    None for a request without the field)."""
    if "request_id" not in request.DESCRIPTOR.fields_by_name:
        return None
    if not request.request_id:
        request.request_id = new_request_id()
    return request.request_id


def _service_stubs():
    """{attribute: Stub class} of every service of the generated dumas.v1."""
    import dumas.v1 as package
    stubs = {}
    for module_info in pkgutil.iter_modules(package.__path__):
        if not module_info.name.endswith("_pb2_grpc"):
            continue
        module = importlib.import_module(f"dumas.v1.{module_info.name}")
        for name in dir(module):
            if name.endswith("ServiceStub"):
                service = name[:-len("ServiceStub")]
                attribute = re.sub(r"(?<!^)(?=[A-Z])", "_", service).lower()
                stubs[attribute] = getattr(module, name)
    return stubs


def new_request_id():
    """A fresh request_id for an idempotent call (AIP-155): keep it for retries."""
    return str(uuid.uuid4())


def status_details(error):
    """The google.rpc.Status that the server sent with `error` (a grpc.RpcError
    from a call), or None when it sent none."""
    trailers = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
    for key, value in trailers or ():
        if key == STATUS_DETAILS_KEY:
            status = status_pb2.Status()
            status.ParseFromString(value)
            return status
    return None


def field_violations(error):
    """The google.rpc.BadRequest field violations of an INVALID_ARGUMENT
    `error`, as a list of BadRequest.FieldViolation (with .field and
    .description); empty when the error carries none."""
    status = status_details(error)
    violations = []
    if status is None:
        return violations
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            violations.extend(bad_request.field_violations)
    return violations
