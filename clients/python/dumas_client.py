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
"""

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
    """

    def __init__(self, channel):
        self.channel = channel
        self.complaints = complaint_service_pb2_grpc.ComplaintServiceStub(channel)
        self.admin = admin_service_pb2_grpc.AdminServiceStub(channel)
        self.notifications = notification_service_pb2_grpc.NotificationServiceStub(channel)
        self.integration = integration_service_pb2_grpc.IntegrationServiceStub(channel)
        self.reports = report_service_pb2_grpc.ReportServiceStub(channel)
        self.health = health_pb2_grpc.HealthStub(channel)

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
