"""An in-memory Dumas transparency log and IntegrationService, for tests of
the verifier and of the Kompolnas mirror that need no dumasd.

Its leaves come from dumas_log itself, so it tests what a client does with a
log (paging, resuming, checking proofs and signatures, refusing a bad log),
not the canonical encoding: that is what the golden vectors and the
end-to-end test against a real dumasd are for.

    fake = FakeLog(origin, seed)
    fake.append(synthetic_change(0)); fake.sign_checkpoint()
    FakeStub(fake)                       # stub-like, in process
    server = FakeServer(fake, token)     # a real gRPC server on 127.0.0.1
"""

import concurrent.futures
import threading
import time

import grpc

import dumas_log as log
from dumas.v1 import complaint_pb2
from dumas.v1 import integration_service_pb2 as isvc
from dumas.v1 import integration_service_pb2_grpc as isvc_grpc

_STATES = [complaint_pb2.COMPLAINT_STATE_RECEIVED, complaint_pb2.COMPLAINT_STATE_VERIFIED,
           complaint_pb2.COMPLAINT_STATE_ASSIGNED]


def synthetic_change(i):
    """The i-th change of a synthetic history: complaint i // 3 is received,
    verified, then assigned. Every sixth complaint shares its identity."""
    number, step = divmod(i, 3)
    ref = f"K{number:03d}-QM4R-9X2H"
    change = isvc.Change(complaint=f"complaints/{ref}")
    event = change.event
    event.name = f"complaints/{ref}/events/{i + 1}"
    event.event_time.seconds = 1772411400 + 60 * i
    event.event_time.nanos = (i % 1000) * 1000
    event.actor = "complainant" if step == 0 and number % 2 else f"principals/{1 + i % 5}"
    event.to_state = _STATES[step]
    event.public = True
    details = change.details
    details.state = _STATES[step]
    details.version = step + 1
    if step == 0:
        event.type = "RECEIVED"
        event.public_message = "Pengaduan diterima."
        details.description = f"Pengaduan sintetis nomor {number}."
        details.incident_time.seconds = 1772284500 + i
        details.incident_location = "Palu"
        details.category = "categories/pelayanan-buruk"
        details.channel = complaint_pb2.CHANNEL_WEB
        details.subject_unit = "units/spkt"
        details.confidential = False
        details.share_identity_with_kompolnas = number % 6 == 0
        details.sp3d_due_date.year, details.sp3d_due_date.month = 2026, 3
        details.sp3d_due_date.day = 1 + number % 28
        salt = bytes((number + k) % 256 for k in range(32))
        identity = isvc.Change().complainant.__class__(
            full_name=f"Warga Sintetis {number}", nik="7271015208900001",
            phone="+6281245678901", email=f"warga{number}@example.co.id", address="Palu")
        details.identity_commitment = log.identity_commitment(salt, identity)
        if details.share_identity_with_kompolnas:
            change.complainant.CopyFrom(identity)
            change.identity_salt = salt
            change.reply_address = identity.email
    elif step == 1:
        event.type = "VERIFIED"
        event.from_state = _STATES[0]
        event.internal_note = "Masalah pengawasan."
    else:
        event.type = "ASSIGNED"
        event.from_state = _STATES[1]
        details.handling_unit = "units/propam"
        details.sp3d_time.seconds = 1772411400 + 60 * i
        details.result_due_date.year, details.result_due_date.month = 2026, 5
        details.result_due_date.day = 18
    return change


class FakeLog:
    """A log: changes (as served, alterable), the leaves it logged, a
    signing key, its checkpoints and their cosignatures. Thread-safe."""

    def __init__(self, origin, seed):
        self.origin = origin
        self.signer = log.NoteSigner(origin, seed)
        self.changes = []
        self.leaves = []
        self.checkpoint_note = None
        self.cosignatures = {}  # checkpoint body -> [line]
        self.witness_sizes = {}  # witness vkey -> largest size cosigned
        self.lock = threading.Condition()

    def append(self, change):
        with self.lock:
            change.revision = len(self.leaves) + 1
            change.leaf_hash = log.leaf_hash(change)
            self.changes.append(change)
            self.leaves.append(bytes(change.leaf_hash))
            self.lock.notify_all()
            return change

    def sign_checkpoint(self):
        with self.lock:
            root = log.root_from_leaves(self.leaves)
            body = log.format_checkpoint_body(self.origin, len(self.leaves), root)
            self.checkpoint_note = self.signer.sign_note(body)
            return self.checkpoint_note

    def rewrite(self, index, change):
        """Replaces the change and the leaf at `index` (a rewritten history)
        and signs a checkpoint of the rewritten tree."""
        with self.lock:
            change.revision = index + 1
            change.leaf_hash = log.leaf_hash(change)
            self.changes[index] = change
            self.leaves[index] = bytes(change.leaf_hash)
            return self.sign_checkpoint()

    def checkpoint(self):
        with self.lock:
            return log.parse_checkpoint(self.checkpoint_note)

    def note_with_cosignatures(self):
        with self.lock:
            checkpoint = log.parse_checkpoint(self.checkpoint_note)
            return self.checkpoint_note + "".join(self.cosignatures.get(checkpoint.body, []))

    def changes_after(self, after, limit):
        with self.lock:
            return [c for c in self.changes if c.revision > after][:limit]

    # The RPCs, as plain methods; errors as (grpc.StatusCode, message).

    def get_checkpoint(self):
        with self.lock:
            if self.checkpoint_note is None:
                raise _RpcError(grpc.StatusCode.NOT_FOUND, "no checkpoint yet")
            checkpoint = log.parse_checkpoint(self.checkpoint_note)
            return isvc.GetCheckpointResponse(
                checkpoint=self.note_with_cosignatures(), tree_size=checkpoint.size,
                root_hash=checkpoint.root_hash, verifier_key=self.signer.vkey,
                origin=self.origin)

    def list_changes(self, request):
        if request.after_revision < 0 or request.page_size < 0:
            raise _RpcError(grpc.StatusCode.INVALID_ARGUMENT, "negative")
        size = min(request.page_size or 500, 1000)
        with self.lock:
            return isvc.ListChangesResponse(
                changes=self.changes_after(request.after_revision, size),
                head_revision=len(self.leaves))

    def consistency_proof(self, request):
        with self.lock:
            signed = log.parse_checkpoint(self.checkpoint_note).size
            first, second = request.first_tree_size, request.second_tree_size
            if not 0 < first <= second:
                raise _RpcError(grpc.StatusCode.INVALID_ARGUMENT, "sizes")
            if second > signed:
                raise _RpcError(grpc.StatusCode.OUT_OF_RANGE, "beyond the checkpoint")
            tree = log.MerkleTree(self.leaves[:second])
            return isvc.GetConsistencyProofResponse(
                first_tree_size=first, second_tree_size=second,
                hashes=tree.consistency_proof(first, second))

    def inclusion_proof(self, request):
        with self.lock:
            size, revision = request.tree_size, request.revision
            if not 0 < revision <= size:
                raise _RpcError(grpc.StatusCode.INVALID_ARGUMENT, "revision")
            tree = log.MerkleTree(self.leaves[:size])
            return isvc.GetInclusionProofResponse(
                leaf_index=revision - 1, tree_size=size, leaf_hash=self.leaves[revision - 1],
                hashes=tree.inclusion_proof(revision - 1, size))

    def add_cosignature(self, request):
        with self.lock:
            try:
                body = log.parse_checkpoint_body(request.checkpoint_body)
                line = request.signature_line.rstrip("\n") + "\n"
                note = self._signed_note_of(body) + line
                log.verify_cosignature(note, request.verifier_key)
            except (log.VerificationError, LookupError) as error:
                code = (grpc.StatusCode.NOT_FOUND if isinstance(error, LookupError)
                        else grpc.StatusCode.INVALID_ARGUMENT)
                raise _RpcError(code, str(error)) from None
            if self.witness_sizes.get(request.verifier_key, 0) > body.size:
                raise _RpcError(grpc.StatusCode.FAILED_PRECONDITION, "cosigned a larger one")
            self.witness_sizes[request.verifier_key] = body.size
            self.cosignatures.setdefault(body.body, []).append(line)
            return isvc.AddCosignatureResponse(
                checkpoint=self._signed_note_of(body) + "".join(self.cosignatures[body.body]))

    def _signed_note_of(self, body):
        current = log.parse_checkpoint(self.checkpoint_note)
        if current.body == body.body:
            return self.checkpoint_note
        # An earlier checkpoint of this log's current tree: sign it again.
        if body.size <= len(self.leaves) and body.root_hash == log.root_from_leaves(
                self.leaves[:body.size]):
            return self.signer.sign_note(body.body)
        raise LookupError("the log signed no checkpoint of that size and root")


class _RpcError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class FakeStub:
    """In-process stand-in for IntegrationServiceStub over a FakeLog."""

    def __init__(self, fake):
        self.fake = fake

    def GetCheckpoint(self, request, timeout=None):
        return self.fake.get_checkpoint()

    def ListChanges(self, request, timeout=None):
        return self.fake.list_changes(request)

    def GetConsistencyProof(self, request, timeout=None):
        return self.fake.consistency_proof(request)

    def GetInclusionProof(self, request, timeout=None):
        return self.fake.inclusion_proof(request)

    def AddCosignature(self, request, timeout=None):
        return self.fake.add_cosignature(request)


class _Servicer(isvc_grpc.IntegrationServiceServicer):

    def __init__(self, fake, token, heartbeat):
        self.fake = fake
        self.token = token
        self.heartbeat = heartbeat
        self.stopping = threading.Event()

    def _call(self, context, method, *args, needs_token=True):
        if needs_token and ("authorization", f"Bearer {self.token}") not in tuple(
                context.invocation_metadata()):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "a bearer token is required")
        try:
            return method(*args)
        except _RpcError as error:
            context.abort(error.code, str(error))

    def ListChanges(self, request, context):
        return self._call(context, self.fake.list_changes, request)

    def WatchChanges(self, request, context):
        self._call(context, lambda: None)
        after = request.after_revision
        last_beat = time.monotonic()
        while not self.stopping.is_set() and context.is_active():
            with self.fake.lock:
                batch = self.fake.changes_after(after, 100)
                if not batch:
                    self.fake.lock.wait(0.2)
                    batch = self.fake.changes_after(after, 100)
                head = len(self.fake.leaves)
            for change in batch:
                yield isvc.WatchChangesResponse(change=change)
                after = change.revision
            if time.monotonic() - last_beat > self.heartbeat:
                beat = isvc.WatchChangesResponse()
                beat.heartbeat.head_revision = head
                beat.heartbeat.time.GetCurrentTime()
                yield beat
                last_beat = time.monotonic()
        context.abort(grpc.StatusCode.UNAVAILABLE, "the server is stopping")

    def GetCheckpoint(self, request, context):
        return self._call(context, self.fake.get_checkpoint, needs_token=False)

    def GetConsistencyProof(self, request, context):
        return self._call(context, self.fake.consistency_proof, request, needs_token=False)

    def GetInclusionProof(self, request, context):
        return self._call(context, self.fake.inclusion_proof, request, needs_token=False)

    def AddCosignature(self, request, context):
        return self._call(context, self.fake.add_cosignature, request)


class FakeServer:
    """A gRPC IntegrationService over a FakeLog on 127.0.0.1; stop() ends
    open streams with UNAVAILABLE, as dumasd does; start() again on the
    same port."""

    def __init__(self, fake, token, port=0, heartbeat=1.0):
        self.fake = fake
        self.token = token
        self.port = port
        self.heartbeat = heartbeat
        self.server = None
        self.servicer = None

    @property
    def target(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        self.servicer = _Servicer(self.fake, self.token, self.heartbeat)
        self.server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=8))
        isvc_grpc.add_IntegrationServiceServicer_to_server(self.servicer, self.server)
        self.port = self.server.add_insecure_port(f"127.0.0.1:{self.port}")
        self.server.start()
        return self

    def stop(self):
        if self.server is not None:
            self.servicer.stopping.set()
            with self.fake.lock:
                self.fake.lock.notify_all()
            self.server.stop(grace=1).wait()
            self.server = None

