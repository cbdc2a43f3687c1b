"""An independent verifier of the Dumas transparency log.

Written from docs/transparency-log.md, RFC 9162 (sections 2.1.1 to 2.1.4) and
the C2SP specifications signed-note, tlog-checkpoint and tlog-cosignature, not
from the server's code, so that Kompolnas, or anyone, can check a resort's
history without trusting the resort. The build copies it beside dumas_client
into build/clients/python; it needs Debian's python3-cryptography (Ed25519)
besides python3-grpcio and python3-protobuf.

    import dumas_client, dumas_log

    with dumas_client.connect(target, token=oversight_token) as client:
        verifier = dumas_log.LogVerifier(client.integration, log_vkey)
        checkpoint = verifier.update()        # signature and consistency
        report = verifier.audit(checkpoint)   # every leaf from the feed
        if not report.ok:
            print(report.describe())

What it offers:
  The leaf of a change      entry_bytes, record_bytes, leaf_hash, details_bytes,
                            identity_commitment, verify_identity, apply_details
  RFC 9162 Merkle trees     hash_leaf, hash_children, root_from_leaves,
                            CompactRange, MerkleTree, verify_inclusion,
                            verify_consistency
  Signed notes              parse_note, parse_checkpoint, format_checkpoint_body,
                            parse_vkey, format_vkey, verify_checkpoint,
                            verify_cosignature, NoteSigner, WitnessKey,
                            generate_witness_key, detect_split_view
  Against a Dumas server    LogVerifier, AuditReport

Every failed check raises a VerificationError subclass that says what failed
and where (a revision, a tree size), never what a change contains: the errors
carry no personal data. The proof verifiers return booleans, as RFC 9162
phrases them.
"""

import base64
import dataclasses
import datetime
import hashlib
import hmac
import os
import re
import struct
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)

from dumas.v1 import integration_service_pb2 as isvc

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
ENTRY_MAGIC = b"dumas-log-entry/v1\n"
RECORD_MAGIC = b"dumas-log-record/v1\n"
_RECORD_KIND = re.compile(r"[A-Z0-9_]{1,32}")
IDENTITY_MAGIC = b"dumas-identity/v1\n"

# Signature types of C2SP signed-note.
SIGNATURE_ED25519 = 0x01
SIGNATURE_COSIGNATURE_V1 = 0x04

EM_DASH = "\u2014"
# Signed-note verifiers must accept at least 16 signatures; a checkpoint
# carries the log's and one per witness.
MAX_NOTE_SIGNATURES = 100
_INT64_MAX = (1 << 63) - 1
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


# --- Errors -------------------------------------------------------------------

class VerificationError(Exception):
    """A check of the log failed. The message names what failed and where."""


class EncodingError(VerificationError):
    """A change cannot be encoded canonically: a field is malformed or out of
    the range docs/transparency-log.md allows."""


class LeafMismatch(VerificationError):
    """The leaf recomputed from a change differs from the leaf the log
    recorded: the event was altered after it was logged."""

    def __init__(self, revision, complaint, served, recomputed):
        self.revision = revision
        self.complaint = complaint
        self.served = served
        self.recomputed = recomputed
        super().__init__(
            f"revision {revision} ({complaint}): the recomputed leaf "
            f"{recomputed.hex()} differs from the logged leaf {served.hex()}")


class RevisionGap(VerificationError):
    """The feed skipped, repeated or reordered revisions."""

    def __init__(self, expected, got):
        self.expected = expected
        self.got = got
        what = "ended" if got is None else f"gave revision {got}"
        super().__init__(f"the feed {what} where revision {expected} was due")


class RootMismatch(VerificationError):
    """The leaves give another root than a signed checkpoint of that size."""

    def __init__(self, tree_size, signed, computed, first_bad_revision=None):
        self.tree_size = tree_size
        self.signed = signed
        self.computed = computed
        self.first_bad_revision = first_bad_revision
        where = ("" if first_bad_revision is None else
                 f"; the leaves depart from the signed tree at revision {first_bad_revision}")
        super().__init__(
            f"the {tree_size} leaves give root {computed.hex()}, the checkpoint "
            f"signs {signed.hex()}{where}")


class InconsistentCheckpoints(VerificationError):
    """A checkpoint is not an extension of an earlier one."""


class SignatureError(VerificationError):
    """A note is malformed, or is not signed by the trusted key, or one of
    its signatures by that key does not verify."""


class IdentityMismatch(VerificationError):
    """The identity a change carries does not match its commitment."""


class SplitViewError(VerificationError):
    """The log signed two different trees of the same size."""

    def __init__(self, evidence):
        self.evidence = evidence
        super().__init__(
            f"split view: {evidence.origin} signed two trees of size {evidence.size}, "
            f"roots {evidence.root_a.hex()} and {evidence.root_b.hex()}")


# --- The canonical entry --------------------------------------------------------
# The encoders below run once per field of every change a verifier reads:
# they are written for speed (precompiled structs, no per-call lookups).

_pack_u32 = struct.Struct(">I").pack
_pack_i64 = struct.Struct(">q").pack


def _str(value):
    data = value.encode("utf-8")
    return _pack_u32(len(data)) + data


def _bytes(value):
    return _pack_u32(len(value)) + bytes(value)


def _int64(value):
    try:
        return _pack_i64(value)
    except struct.error:
        raise EncodingError(f"{value} is out of the int64 range") from None


def _bool(value):
    return b"\x01" if value else b"\x00"


def timestamp_micros(timestamp):
    """Microseconds since the epoch of a google.protobuf.Timestamp, which
    must hold a whole number of microseconds."""
    nanos = timestamp.nanos
    if nanos % 1000 or not 0 <= nanos < 1_000_000_000:
        raise EncodingError("a time is not a whole number of microseconds")
    return timestamp.seconds * 1_000_000 + nanos // 1000


def date_days(date):
    """Days since 1970-01-01 of a google.type.Date (a full civil date)."""
    try:
        return datetime.date(date.year, date.month, date.day).toordinal() - _EPOCH_ORDINAL
    except ValueError:
        raise EncodingError(
            f"date {date.year:04d}-{date.month:02d}-{date.day:02d} is not a full "
            "civil date") from None


def _enc_time(value):
    return _int64(timestamp_micros(value))


def _enc_date(value):
    return _int64(date_days(value))


def _enc_commitment(value):
    if len(value) != HASH_SIZE:
        raise EncodingError("identity_commitment is not 32 bytes")
    return _bytes(value)


def _enc_rating(value):
    if not 1 <= value <= 5:
        raise EncodingError(f"satisfaction_rating {value} is not 1 to 5")
    return _int64(value)


def _enc_answer_cleared(value):
    if not value:
        raise EncodingError("answer_cleared is present but false")
    return b"\x01"


def _enc_id_of(collection):
    prefix = collection + "/"
    skip = len(prefix)

    def encode(value):
        if value and (not value.startswith(prefix) or len(value) == skip):
            raise EncodingError(f"expected a resource name {prefix}{{id}}")
        return _str(value[skip:])
    return encode


# The details table of docs/transparency-log.md: tag -> (ComplaintDetails
# field, encoder of its value). The tags are the proto field numbers; a unit
# test checks that every field of ComplaintDetails has its row.
DETAIL_FIELDS = {
    1: ("description", _str),
    2: ("incident_time", _enc_time),
    3: ("incident_location", _str),
    4: ("category", _enc_id_of("categories")),
    5: ("channel", _int64),
    6: ("subject_unit", _enc_id_of("units")),
    7: ("officer_name", _str),
    8: ("officer_description", _str),
    9: ("confidential", _bool),
    10: ("share_identity_with_kompolnas", _bool),
    11: ("external_id", _str),
    12: ("external_receive_time", _enc_time),
    13: ("identity_commitment", _enc_commitment),
    14: ("sp3d_due_date", _enc_date),
    20: ("state", _int64),
    21: ("handling_unit", _enc_id_of("units")),
    22: ("sp3d_time", _enc_time),
    23: ("result_due_date", _enc_date),
    24: ("answer_time", _enc_time),
    25: ("answer_text", _str),
    26: ("outcome", _int64),
    27: ("clarification_pending", _bool),
    28: ("clarification_question", _str),
    29: ("satisfaction_rating", _enc_rating),
    30: ("version", _int64),
    31: ("answer_cleared", _enc_answer_cleared),
}


def _detail_encoders():
    # The table must name the fields the generated ComplaintDetails has
    # under those numbers; encoding by number alone is then safe.
    fields = isvc.ComplaintDetails.DESCRIPTOR.fields_by_number
    for number, (name, _) in DETAIL_FIELDS.items():
        if number in fields and fields[number].name != name:
            raise RuntimeError(f"dumas.v1.ComplaintDetails field {number} is "
                               f"{fields[number].name}, the log's tag {number} is {name}")
    return {number: (bytes((number,)), encode) for number, (_, encode) in DETAIL_FIELDS.items()}


_DETAIL_ENCODERS = _detail_encoders()


def details_bytes(details):
    """The canonical encoding of a dumas.v1.ComplaintDetails: each field the
    message has (proto3 presence), in increasing tag order, as a one-byte tag
    and its value. Empty for no details.

    Raises EncodingError for a field outside the table or a value out of
    range."""
    # ListFields gives exactly the fields present (every scalar of
    # ComplaintDetails is `optional`, every other field a message), by number.
    fields = details.ListFields()
    if not fields:
        return b""
    parts = []
    last = 0
    for field, value in fields:
        number = field.number
        if number <= last:  # not by number after all: sort and start again
            return details_bytes_sorted(fields)
        last = number
        encoder = _DETAIL_ENCODERS.get(number)
        if encoder is None:
            raise EncodingError(f"details field {field.name} has no canonical encoding")
        try:
            parts.append(encoder[0])
            parts.append(encoder[1](value))
        except EncodingError as error:
            raise EncodingError(f"details.{field.name}: {error}") from None
    return b"".join(parts)


def details_bytes_sorted(fields):
    parts = []
    for field, value in sorted(fields, key=lambda fv: fv[0].number):
        encoder = _DETAIL_ENCODERS.get(field.number)
        if encoder is None:
            raise EncodingError(f"details field {field.name} has no canonical encoding")
        try:
            parts.append(encoder[0] + encoder[1](value))
        except EncodingError as error:
            raise EncodingError(f"details.{field.name}: {error}") from None
    return b"".join(parts)


def actor_id(actor):
    """The principal id of `principals/{id}`; 0 for `complainant`."""
    if actor == "complainant":
        return 0
    digits = actor[11:] if actor.startswith("principals/") else ""
    if not (digits.isascii() and digits.isdigit() and digits[0] != "0" and len(digits) < 20):
        raise EncodingError("the actor is neither principals/{id} nor complainant")
    return int(digits)


def reference_number(complaint_name):
    """The reference number of `complaints/{reference_number}`."""
    ref = complaint_name[11:] if complaint_name.startswith("complaints/") else ""
    if not ref or "/" in ref:
        raise EncodingError("the complaint is not complaints/{reference_number}")
    return ref


def entry_bytes(change):
    """The canonical entry of a dumas.v1.Change (docs/transparency-log.md),
    from its complaint, event and details.

    Raises EncodingError when a field cannot be encoded canonically (such as
    a time with sub-microsecond digits or an id that is not a resource
    name)."""
    event = change.event
    try:
        from_state, to_state = event.from_state, event.to_state
        if not (0 <= from_state <= 255 and 0 <= to_state <= 255):
            raise EncodingError("a state is out of the uint8 range")
        details = details_bytes(change.details)
        return b"".join((
            ENTRY_MAGIC,
            _str(reference_number(change.complaint)),
            _str(event.type),
            _int64(timestamp_micros(event.event_time)),
            _int64(actor_id(event.actor)),
            bytes((from_state, to_state, 1 if getattr(event, "public") else 0)),
            _str(event.public_message),
            _str(event.internal_note),
            _pack_u32(len(details)), details,
        ))
    except EncodingError as error:
        raise EncodingError(f"revision {change.revision}: {error}") from None


def record_bytes(change):
    """The canonical encoding of the log record a dumas.v1.Change carries
    (change.record: a record of the resort itself, such as a frozen report's
    digest; docs/transparency-log.md, "Log records").

    Raises EncodingError when the record is out of the allowed ranges."""
    record = change.record
    try:
        if not _RECORD_KIND.fullmatch(record.kind):
            raise EncodingError("the record's kind is not 1-32 of A-Z, 0-9 and _")
        name = record.name.encode("utf-8")
        if not 1 <= len(name) <= 255:
            raise EncodingError("the record's name is not 1-255 bytes")
        if len(record.digest) != HASH_SIZE:
            raise EncodingError("the record's digest is not 32 bytes")
        return b"".join((
            RECORD_MAGIC,
            _str(record.kind),
            _bytes(name),
            _int64(timestamp_micros(record.record_time)),
            _bytes(record.digest),
        ))
    except EncodingError as error:
        raise EncodingError(f"revision {change.revision}: {error}") from None


def hash_leaf(entry):
    """RFC 9162 leaf hash: SHA-256(0x00 || entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def hash_children(left, right):
    """RFC 9162 interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def leaf_hash(change):
    """The leaf hash of a dumas.v1.Change, recomputed from its fields (compare
    it with change.leaf_hash): of its record when it carries one, else of its
    event. Raises EncodingError like entry_bytes."""
    if change.HasField("record"):
        return hash_leaf(record_bytes(change))
    return hash_leaf(entry_bytes(change))


def check_leaf(change):
    """Recomputes the leaf of `change` and returns it; raises LeafMismatch
    when it differs from change.leaf_hash, EncodingError when the change
    cannot be encoded."""
    leaf = leaf_hash(change)
    if not hmac.compare_digest(leaf, change.leaf_hash):
        raise LeafMismatch(change.revision, change.complaint, bytes(change.leaf_hash), leaf)
    return leaf


# --- The identity commitment ---------------------------------------------------

def identity_commitment(salt, complainant):
    """SHA-256("dumas-identity/v1\\n" || salt || str full_name || str nik ||
    str phone || str email || str address) of a dumas.v1.Complainant (or any
    object with those attributes) and its 32-byte salt."""
    if len(salt) != HASH_SIZE:
        raise EncodingError("the identity salt is not 32 bytes")
    return hashlib.sha256(b"".join((
        IDENTITY_MAGIC, bytes(salt),
        _str(complainant.full_name), _str(complainant.nik), _str(complainant.phone),
        _str(complainant.email), _str(complainant.address)))).digest()


def verify_identity(change):
    """Checks the identity a change carries against its commitment.

    Returns False when the change carries no identity, True when it carries
    one that matches details.identity_commitment. Raises IdentityMismatch when
    it does not match, or when the salt or the commitment is missing."""
    if not change.HasField("complainant"):
        return False
    where = f"revision {change.revision} ({change.complaint})"
    if not change.details.HasField("identity_commitment"):
        raise IdentityMismatch(f"{where} carries an identity but no commitment")
    if len(change.identity_salt) != HASH_SIZE:
        raise IdentityMismatch(f"{where} carries an identity without a 32-byte salt")
    expected = identity_commitment(change.identity_salt, change.complainant)
    if not hmac.compare_digest(expected, change.details.identity_commitment):
        raise IdentityMismatch(f"{where}: the identity does not match its commitment")
    return True


def apply_details(state, details):
    """Applies the details of one event to `state`, the ComplaintDetails
    folded from the complaint's earlier events, in place; returns it.

    Each field present in `details` replaces the one in `state`;
    answer_cleared first clears answer_text and answer_time (and is not
    kept)."""
    if details.HasField("answer_cleared") and details.answer_cleared:
        state.ClearField("answer_text")
        state.ClearField("answer_time")
    for field, value in details.ListFields():
        if field.name == "answer_cleared":
            continue
        if field.message_type is not None:
            getattr(state, field.name).CopyFrom(value)
        else:
            setattr(state, field.name, value)
    return state


# --- RFC 9162 Merkle trees ----------------------------------------------------

def root_from_leaves(leaf_hashes):
    """The RFC 9162 root of the leaf hashes in order (an iterable, read once,
    kept in memory only as O(log n) subtree hashes). EMPTY_ROOT for none."""
    sha256 = hashlib.sha256
    stack = []
    size = 0
    for node in leaf_hashes:
        size += 1
        # The new leaf closes one complete subtree per trailing zero of size.
        carry = size
        while not carry & 1:
            node = sha256(b"\x01" + stack.pop() + node).digest()
            carry >>= 1
        stack.append(node)
    if not stack:
        return EMPTY_ROOT
    root = stack.pop()
    while stack:
        root = sha256(b"\x01" + stack.pop() + root).digest()
    return root


class CompactRange:
    """The complete subtrees of a growing tree (a compact range from 0): the
    root at the current size, leaf by leaf, in O(log n) memory.

    nodes: the roots of the complete subtrees, largest (leftmost) first; their
    sizes are the set bits of `size`, from the highest."""

    def __init__(self, size=0, nodes=()):
        if len(nodes) != bin(size).count("1"):
            raise ValueError("a compact range has one node per set bit of its size")
        self.size = size
        self.nodes = list(nodes)

    def append(self, leaf):
        """Adds a leaf hash. Returns the complete subtrees it closed, as
        (level, index, hash) with level >= 1, lowest first."""
        closed = []
        node = leaf
        self.size += 1
        carry = self.size
        level = 0
        while not carry & 1:
            node = hash_children(self.nodes.pop(), node)
            carry >>= 1
            level += 1
            closed.append((level, (self.size >> level) - 1, node))
        self.nodes.append(node)
        return closed

    def root(self):
        """The root at the current size."""
        if not self.nodes:
            return EMPTY_ROOT
        root = self.nodes[-1]
        for node in reversed(self.nodes[:-1]):
            root = hash_children(node, root)
        return root

    def copy(self):
        return CompactRange(self.size, self.nodes)


def subtree_positions(size):
    """The complete subtrees whose roots make up the compact range of a tree
    of `size` leaves, as (level, index), leftmost first."""
    positions = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            positions.append((level, start >> level))
            start += 1 << level
    return positions


def _largest_power_of_two_below(n):
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An in-memory RFC 9162 tree keeping every complete subtree, for roots
    at any size and proofs (RFC 9162 2.1.3.1 and 2.1.4.1). For tests and
    small trees; root_from_leaves and CompactRange are the streaming forms."""

    def __init__(self, leaf_hashes=()):
        self.levels = [[]]
        for leaf in leaf_hashes:
            self.append(leaf)

    @property
    def size(self):
        return len(self.levels[0])

    def append(self, leaf):
        self.levels[0].append(leaf)
        level, index = 0, len(self.levels[0]) - 1
        while index & 1:
            if len(self.levels) == level + 1:
                self.levels.append([])
            nodes = self.levels[level]
            self.levels[level + 1].append(hash_children(nodes[index - 1], nodes[index]))
            level, index = level + 1, index >> 1

    def _hash(self, start, end):
        # MTH(D[start:end]) for a range that starts a complete subtree of
        # the recursion (start is a multiple of the split sizes above it).
        n = end - start
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0:
            level = n.bit_length() - 1
            return self.levels[level][start >> level]
        k = _largest_power_of_two_below(n)
        return hash_children(self._hash(start, start + k), self._hash(start + k, end))

    def root(self, size=None):
        """MTH of the first `size` leaves (all by default)."""
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"no tree of size {size}")
        return self._hash(0, size)

    def inclusion_proof(self, index, size=None):
        """PATH(index, D[size]) of RFC 9162 2.1.3.1, from the leaf up."""
        size = self.size if size is None else size
        if not 0 <= index < size <= self.size:
            raise ValueError(f"no leaf {index} in a tree of size {size}")
        return self._path(index, 0, size)

    def _path(self, m, start, end):
        n = end - start
        if n == 1:
            return []
        k = _largest_power_of_two_below(n)
        if m < k:
            return self._path(m, start, start + k) + [self._hash(start + k, end)]
        return self._path(m - k, start + k, end) + [self._hash(start, start + k)]

    def consistency_proof(self, first, second=None):
        """PROOF(first, D[second]) of RFC 9162 2.1.4.1; empty when equal."""
        second = self.size if second is None else second
        if not 0 < first <= second <= self.size:
            raise ValueError(f"no consistency proof from {first} to {second}")
        return self._subproof(first, 0, second, True)

    def _subproof(self, m, start, end, whole):
        n = end - start
        if m == n:
            return [] if whole else [self._hash(start, end)]
        k = _largest_power_of_two_below(n)
        if m <= k:
            return self._subproof(m, start, start + k, whole) + [self._hash(start + k, end)]
        return self._subproof(m - k, start + k, end, False) + [self._hash(start, start + k)]


def _is_hash(value):
    return isinstance(value, (bytes, bytearray)) and len(value) == HASH_SIZE


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 2.1.3.2: whether `proof` proves that `leaf` (a leaf hash) is
    leaf `index` of the tree of `size` leaves whose root is `root`."""
    if not 0 <= index < size:
        return False
    if not _is_hash(leaf) or not _is_hash(root) or not all(_is_hash(p) for p in proof):
        return False
    fn, sn = index, size - 1
    r = bytes(leaf)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = hash_children(bytes(p), r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hash_children(r, bytes(p))
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(r, bytes(root))


def verify_consistency(first, second, first_root, second_root, proof):
    """RFC 9162 2.1.4.2: whether `proof` proves that the tree of `first`
    leaves with `first_root` is a prefix of the tree of `second` leaves with
    `second_root`. Equal sizes need an empty proof and equal roots; the RFC
    defines no proof from the empty tree, so first must be at least 1."""
    if not 0 < first <= second:
        return False
    if not _is_hash(first_root) or not _is_hash(second_root):
        return False
    if not all(_is_hash(p) for p in proof):
        return False
    if first == second:
        return len(proof) == 0 and hmac.compare_digest(bytes(first_root), bytes(second_root))
    # 1. An empty path fails.
    if len(proof) == 0:
        return False
    path = [bytes(p) for p in proof]
    # 2. A first tree that is a complete subtree is its own first node.
    if first & (first - 1) == 0:
        path.insert(0, bytes(first_root))
    # 3, 4.
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hash_children(sr, c)
        fn >>= 1
        sn >>= 1
    # 7.
    return (hmac.compare_digest(fr, bytes(first_root)) and
            hmac.compare_digest(sr, bytes(second_root)) and sn == 0)


# --- Signed notes (C2SP signed-note) ---------------------------------------------

@dataclasses.dataclass(frozen=True)
class NoteSignature:
    """One signature line: `— <name> <base64(key_id || signature)>`."""
    name: str
    key_id: bytes     # 4 bytes
    signature: bytes  # what follows the key ID
    line: str         # the line as it appeared, without its newline


@dataclasses.dataclass(frozen=True)
class Note:
    """A signed note: its text (final newline included) and signatures."""
    text: str
    signatures: tuple


def _check_key_name(name):
    if not name or "+" in name or any(c.isspace() for c in name):
        raise SignatureError("a key name is empty or holds a space or a plus")


def _b64decode(text, what):
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise SignatureError(f"{what} is not standard base64") from None


def parse_note(note):
    """Parses a signed note (str, or UTF-8 bytes) into a Note. Checks the
    form only; verify with verify_checkpoint or verify_cosignature.

    Raises SignatureError for a malformed note."""
    if isinstance(note, (bytes, bytearray)):
        try:
            note = bytes(note).decode("utf-8")
        except UnicodeDecodeError:
            raise SignatureError("the note is not UTF-8") from None
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise SignatureError("the note holds a control character")
    if not note.endswith("\n"):
        raise SignatureError("the note does not end in a newline")
    split = note.rfind("\n\n")
    if split < 0:
        raise SignatureError("the note has no blank line before its signatures")
    text = note[:split + 1]
    lines = note[split + 2:].split("\n")[:-1]
    if not lines:
        raise SignatureError("the note has no signature")
    if len(lines) > MAX_NOTE_SIGNATURES:
        raise SignatureError("the note has too many signatures")
    signatures = []
    for line in lines:
        if not line.startswith(EM_DASH + " "):
            raise SignatureError("a signature line does not start with an em dash")
        name, space, encoded = line[2:].partition(" ")
        _check_key_name(name)
        if not space or " " in encoded:
            raise SignatureError("a signature line is not '— <name> <signature>'")
        raw = _b64decode(encoded, "a signature")
        if len(raw) < 5:
            raise SignatureError("a signature is shorter than its key ID")
        signatures.append(NoteSignature(name, raw[:4], raw[4:], line))
    return Note(text, tuple(signatures))


@dataclasses.dataclass(frozen=True)
class VerifierKey:
    """A C2SP verifier key: `<name>+<hex key ID>+<base64(type || key)>`."""
    name: str
    key_id: bytes
    type: int
    public_key: bytes

    def __str__(self):
        return format_vkey(self.name, self.type, self.public_key)


def key_id(name, signature_type, public_key):
    """SHA-256(name || 0x0A || type || public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes((signature_type,)) +
                          bytes(public_key)).digest()[:4]


def format_vkey(name, signature_type, public_key):
    """The verifier key of an Ed25519 (0x01) or cosignature/v1 (0x04) key."""
    _check_key_name(name)
    return "+".join((name, key_id(name, signature_type, public_key).hex(),
                     base64.b64encode(bytes((signature_type,)) + bytes(public_key))
                     .decode("ascii")))


def parse_vkey(vkey):
    """Parses a verifier key of type 0x01 or 0x04 (Ed25519). Raises
    SignatureError when it is malformed, of another type, or its key ID is
    not the one its name, type and key give."""
    if isinstance(vkey, VerifierKey):
        return vkey
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise SignatureError("a verifier key is <name>+<key id>+<key>")
    name, hex_id, encoded = parts
    _check_key_name(name)
    if not re.fullmatch(r"[0-9a-fA-F]{8}", hex_id):
        raise SignatureError("a verifier key's ID is not 8 hex digits")
    raw = _b64decode(encoded, "a verifier key")
    if len(raw) != 1 + 32 or raw[0] not in (SIGNATURE_ED25519, SIGNATURE_COSIGNATURE_V1):
        raise SignatureError("the verifier key is not an Ed25519 key of type 0x01 or 0x04")
    if key_id(name, raw[0], raw[1:]) != bytes.fromhex(hex_id):
        raise SignatureError("the verifier key's ID does not match its name and key")
    return VerifierKey(name, bytes.fromhex(hex_id), raw[0], raw[1:])


def _signatures_of(note, vkey):
    return [s for s in note.signatures if s.name == vkey.name and s.key_id == vkey.key_id]


def _ed25519_verify(public_key, signature, message):
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        return True
    except InvalidSignature:
        return False


def cosigned_message(body, timestamp):
    """What a cosignature/v1 signs: the header, the time line, the body."""
    return f"cosignature/v1\ntime {timestamp}\n".encode("ascii") + body.encode("utf-8")


# --- Checkpoints (C2SP tlog-checkpoint) ----------------------------------------

@dataclasses.dataclass(frozen=True)
class Checkpoint:
    """A checkpoint: the body's origin, tree size and root hash, the body
    itself, and the note it came in (None for a bare body)."""
    origin: str
    size: int
    root_hash: bytes
    body: str
    note: Note = None
    extensions: tuple = ()

    @property
    def text(self):
        """The whole signed note, signature lines included."""
        if self.note is None:
            return self.body
        return self.body + "\n" + "".join(s.line + "\n" for s in self.note.signatures)


def format_checkpoint_body(origin, size, root_hash):
    """The three lines of a checkpoint body, each ending in a newline."""
    return f"{origin}\n{size}\n{base64.b64encode(root_hash).decode('ascii')}\n"


def parse_checkpoint_body(body):
    """Parses a checkpoint body into a Checkpoint without a note. Raises
    SignatureError for a malformed body."""
    if not body.endswith("\n"):
        raise SignatureError("the checkpoint body does not end in a newline")
    lines = body.split("\n")[:-1]
    if len(lines) < 3 or any(not line for line in lines):
        raise SignatureError("the checkpoint body is not three non-empty lines")
    origin, size_text, root_text = lines[:3]
    if not re.fullmatch(r"0|[1-9][0-9]{0,18}", size_text) or int(size_text) > _INT64_MAX:
        raise SignatureError("the checkpoint's tree size is not a decimal number")
    root = _b64decode(root_text, "the checkpoint's root hash")
    if len(root) != HASH_SIZE or base64.b64encode(root).decode("ascii") != root_text:
        raise SignatureError("the checkpoint's root hash is not 32 bytes in base64")
    return Checkpoint(origin, int(size_text), root, body, None, tuple(lines[3:]))


def parse_checkpoint(note):
    """Parses a signed checkpoint note (unverified). Raises SignatureError
    when it is malformed."""
    parsed = parse_note(note)
    checkpoint = parse_checkpoint_body(parsed.text)
    return dataclasses.replace(checkpoint, note=parsed)


def verify_checkpoint(note, log_vkey, origin=None):
    """Parses a checkpoint and verifies the log's Ed25519 signature on it.

    log_vkey: the trusted verifier key (type 0x01), a str or VerifierKey.
    origin: the origin the checkpoint must name; by default the key's name,
      which docs/transparency-log.md makes the origin.
    Returns the Checkpoint. Raises SignatureError when the note is
    malformed, names another origin, carries no signature of the key, or
    one of the key's signatures does not verify."""
    vkey = parse_vkey(log_vkey)
    if vkey.type != SIGNATURE_ED25519:
        raise SignatureError("the log's verifier key is not of type 0x01")
    checkpoint = note if isinstance(note, Checkpoint) else parse_checkpoint(note)
    if checkpoint.note is None:
        raise SignatureError("the checkpoint carries no signatures")
    expected = vkey.name if origin is None else origin
    if checkpoint.origin != expected:
        raise SignatureError(f"the checkpoint's origin is {checkpoint.origin!r}, "
                             f"not {expected!r}")
    signatures = _signatures_of(checkpoint.note, vkey)
    if not signatures:
        raise SignatureError(f"the checkpoint of size {checkpoint.size} carries no "
                             f"signature of {vkey.name}")
    message = checkpoint.body.encode("utf-8")
    for signature in signatures:
        if not _ed25519_verify(vkey.public_key, signature.signature, message):
            raise SignatureError(f"the log's signature on the checkpoint of size "
                                 f"{checkpoint.size} does not verify")
    return checkpoint


def verify_cosignature(note, witness_vkey):
    """Verifies a witness's cosignature/v1 (type 0x04) on a checkpoint.

    note: the checkpoint as a signed note (str) or Checkpoint.
    Returns the cosignature's timestamp (POSIX seconds; the latest if the
    witness signed more than once). Raises SignatureError when the witness
    did not cosign it or a cosignature of its key does not verify."""
    vkey = parse_vkey(witness_vkey)
    if vkey.type != SIGNATURE_COSIGNATURE_V1:
        raise SignatureError("the witness's verifier key is not of type 0x04")
    checkpoint = note if isinstance(note, Checkpoint) else parse_checkpoint(note)
    signatures = _signatures_of(checkpoint.note, vkey) if checkpoint.note else []
    if not signatures:
        raise SignatureError(f"{vkey.name} did not cosign the checkpoint of size "
                             f"{checkpoint.size}")
    latest = None
    for signature in signatures:
        if len(signature.signature) != 8 + 64:
            raise SignatureError("a cosignature is not a timestamp and a signature")
        (timestamp,) = struct.unpack(">Q", signature.signature[:8])
        if timestamp > _INT64_MAX:
            raise SignatureError("a cosignature's timestamp is out of range")
        if not _ed25519_verify(vkey.public_key, signature.signature[8:],
                               cosigned_message(checkpoint.body, timestamp)):
            raise SignatureError(f"{vkey.name}'s cosignature on the checkpoint of size "
                                 f"{checkpoint.size} does not verify")
        latest = timestamp if latest is None else max(latest, timestamp)
    return latest


class NoteSigner:
    """An Ed25519 note signer (type 0x01), as a log signs its checkpoints.
    The verifier has no use for it; tests and fakes of a log do."""

    def __init__(self, name, seed):
        _check_key_name(name)
        self.name = name
        self._key = Ed25519PrivateKey.from_private_bytes(bytes(seed))
        self.public_key = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.key_id = key_id(name, SIGNATURE_ED25519, self.public_key)
        self.vkey = format_vkey(name, SIGNATURE_ED25519, self.public_key)

    def sign(self, text):
        """The signature line (with its newline) of `text`, a note text."""
        signature = self._key.sign(text.encode("utf-8"))
        encoded = base64.b64encode(self.key_id + signature).decode("ascii")
        return f"{EM_DASH} {self.name} {encoded}\n"

    def sign_note(self, text):
        """The signed note of `text`: the text, a blank line, the signature."""
        return text + "\n" + self.sign(text)


class WitnessKey:
    """A witness's Ed25519 cosigning key (C2SP tlog-cosignature, type 0x04).

    The key file holds one line, `PRIVATE+KEY+<name>+<hex key ID>+
    base64(0x04 || 32-byte seed)`, the form of Go's note signer keys; keep it
    secret (mode 0600)."""

    KEY_FILE_PREFIX = "PRIVATE+KEY+"

    def __init__(self, name, seed):
        _check_key_name(name)
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        self.name = name
        self.seed = bytes(seed)
        self._key = Ed25519PrivateKey.from_private_bytes(self.seed)
        self.public_key = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.key_id = key_id(name, SIGNATURE_COSIGNATURE_V1, self.public_key)
        self.vkey = format_vkey(name, SIGNATURE_COSIGNATURE_V1, self.public_key)

    def cosign(self, body, timestamp=None):
        """The cosignature line (with its newline) of a checkpoint body, at
        `timestamp` (POSIX seconds; now by default)."""
        if isinstance(body, Checkpoint):
            body = body.body
        parse_checkpoint_body(body)
        timestamp = int(time.time()) if timestamp is None else int(timestamp)
        if not 0 <= timestamp <= _INT64_MAX:
            raise ValueError("the timestamp is out of range")
        signature = self._key.sign(cosigned_message(body, timestamp))
        encoded = base64.b64encode(
            self.key_id + struct.pack(">Q", timestamp) + signature).decode("ascii")
        return f"{EM_DASH} {self.name} {encoded}\n"

    def key_file_text(self):
        encoded = base64.b64encode(bytes((SIGNATURE_COSIGNATURE_V1,)) + self.seed)
        return (f"{self.KEY_FILE_PREFIX}{self.name}+{self.key_id.hex()}+"
                f"{encoded.decode('ascii')}\n")

    @classmethod
    def from_key_file_text(cls, text):
        """Reads the key file's line. Raises ValueError when malformed."""
        text = text.strip()
        if not text.startswith(cls.KEY_FILE_PREFIX):
            raise ValueError("not a witness key file (PRIVATE+KEY+...)")
        parts = text[len(cls.KEY_FILE_PREFIX):].split("+", 2)
        if len(parts) != 3:
            raise ValueError("a witness key is PRIVATE+KEY+<name>+<key id>+<key>")
        name, hex_id, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise ValueError("the witness key is not base64") from None
        if len(raw) != 33 or raw[0] != SIGNATURE_COSIGNATURE_V1:
            raise ValueError("the witness key is not a cosignature/v1 Ed25519 seed")
        key = cls(name, raw[1:])
        if key.key_id.hex() != hex_id.lower():
            raise ValueError("the witness key's ID does not match its key")
        return key


def generate_witness_key(name):
    """A new witness key named `name`: returns (32-byte seed, verifier key).
    WitnessKey(name, seed) cosigns with it."""
    seed = os.urandom(32)
    return seed, WitnessKey(name, seed).vkey


@dataclasses.dataclass(frozen=True)
class SplitView:
    """Two checkpoints of one log, same size, different roots: proof that
    the log showed different histories to different readers."""
    origin: str
    size: int
    root_a: bytes
    root_b: bytes
    note_a: str
    note_b: str


def detect_split_view(note_a, note_b, log_vkey=None):
    """Compares two checkpoints of the same origin and size.

    With log_vkey, both signatures are verified first (without it the caller
    must have verified them: an unsigned checkpoint proves nothing). Returns
    a SplitView when the roots differ, None when they agree. Raises
    ValueError when the checkpoints are of different origins or sizes, and
    SignatureError when a signature does not verify."""
    def load(note):
        if log_vkey is not None:
            return verify_checkpoint(note, log_vkey)
        return note if isinstance(note, Checkpoint) else parse_checkpoint(note)
    a, b = load(note_a), load(note_b)
    if a.origin != b.origin or a.size != b.size:
        raise ValueError("only checkpoints of the same origin and size can be compared")
    if hmac.compare_digest(a.root_hash, b.root_hash):
        return None
    return SplitView(a.origin, a.size, a.root_hash, b.root_hash, a.text, b.text)


# --- Against a Dumas server --------------------------------------------------------

@dataclasses.dataclass
class AuditReport:
    """What LogVerifier.audit found, first problems first.

    checkpoint: the checkpoint audited against.
    leaves: how many changes were recomputed.
    root: the root of the recomputed leaves.
    leaf_mismatches: how many recomputed leaves differ from the logged ones.
    first_leaf_mismatch: a LeafMismatch or EncodingError for the first such
      revision, or None.
    gap: a RevisionGap, or None.
    root_mismatch: a RootMismatch (naming, where it could, the first revision
      whose leaf departs from the signed tree), or None."""
    checkpoint: Checkpoint
    leaves: int = 0
    root: bytes = None
    leaf_mismatches: int = 0
    first_leaf_mismatch: VerificationError = None
    gap: RevisionGap = None
    root_mismatch: RootMismatch = None

    @property
    def ok(self):
        return (self.first_leaf_mismatch is None and self.gap is None and
                self.root_mismatch is None)

    def problems(self):
        return [p for p in (self.gap, self.first_leaf_mismatch, self.root_mismatch) if p]

    def describe(self):
        head = (f"{self.checkpoint.origin}: {self.leaves} of {self.checkpoint.size} "
                "leaves recomputed")
        if self.ok:
            return head + "; they give the checkpoint's root"
        lines = [head]
        if self.gap:
            lines.append(f"  gap: {self.gap}")
        if self.first_leaf_mismatch:
            lines.append(f"  {self.leaf_mismatches} altered event(s), the first: "
                         f"{self.first_leaf_mismatch}")
        if self.root_mismatch:
            lines.append(f"  root: {self.root_mismatch}")
        return "\n".join(lines)


class LogVerifier:
    """Verifies a Dumas log through its IntegrationService.

    stub: a dumas.v1.IntegrationServiceStub (dumas_client.Client.integration;
      ListChanges needs an OVERSIGHT token, the checkpoint and proofs none).
    log_vkey: the log's trusted verifier key, obtained out of band (never
      from the server being checked).
    previous: the last checkpoint this verifier trusted (a verified
      Checkpoint or a signed note), or None.
    Not thread-safe."""

    def __init__(self, stub, log_vkey, previous=None, origin=None, timeout=60):
        self.stub = stub
        self.log_vkey = parse_vkey(log_vkey)
        self.origin = self.log_vkey.name if origin is None else origin
        self.timeout = timeout
        if previous is not None:
            previous = verify_checkpoint(previous, self.log_vkey, self.origin)
        self.previous = previous

    def fetch_checkpoint(self):
        """GetCheckpoint, with the signature verified and the response's
        fields checked against the note. Raises SignatureError."""
        reply = self.stub.GetCheckpoint(isvc.GetCheckpointRequest(), timeout=self.timeout)
        checkpoint = verify_checkpoint(reply.checkpoint, self.log_vkey, self.origin)
        if (reply.tree_size != checkpoint.size or bytes(reply.root_hash) != checkpoint.root_hash
                or (reply.origin and reply.origin != checkpoint.origin)):
            raise SignatureError("GetCheckpoint's fields contradict its signed note")
        return checkpoint

    def consistency_proof(self, first, second):
        reply = self.stub.GetConsistencyProof(
            isvc.GetConsistencyProofRequest(first_tree_size=first, second_tree_size=second),
            timeout=self.timeout)
        return [bytes(h) for h in reply.hashes]

    def check_consistency(self, older, newer):
        """Checks that two verified checkpoints of this log are consistent,
        in whichever order their sizes come. Raises SplitViewError for two
        roots of one size, InconsistentCheckpoints for a failing proof."""
        if older.size == newer.size:
            split = detect_split_view(older, newer)
            if split:
                raise SplitViewError(split)
            return
        small, large = (older, newer) if older.size < newer.size else (newer, older)
        if small.size == 0:
            return
        proof = self.consistency_proof(small.size, large.size)
        if not verify_consistency(small.size, large.size, small.root_hash, large.root_hash,
                                  proof):
            raise InconsistentCheckpoints(
                f"{self.origin}: the checkpoint of size {large.size} is not consistent "
                f"with the checkpoint of size {small.size}")

    def update(self):
        """Fetches the latest checkpoint, verifies its signature and its
        consistency with the previous one, and trusts it if it is not older.
        Returns it."""
        latest = self.fetch_checkpoint()
        if self.previous is not None:
            self.check_consistency(self.previous, latest)
        if self.previous is None or latest.size >= self.previous.size:
            self.previous = latest
        return latest

    def verify_inclusion_of(self, change, checkpoint):
        """Checks the server's inclusion proof of a change's recomputed leaf
        in a checkpoint. Raises LeafMismatch or VerificationError."""
        leaf = check_leaf(change)
        reply = self.stub.GetInclusionProof(
            isvc.GetInclusionProofRequest(revision=change.revision, tree_size=checkpoint.size),
            timeout=self.timeout)
        if not verify_inclusion(change.revision - 1, checkpoint.size, leaf,
                                [bytes(h) for h in reply.hashes], checkpoint.root_hash):
            raise VerificationError(f"revision {change.revision} is not in the checkpoint "
                                    f"of size {checkpoint.size}")

    def changes(self, after_revision=0, until=None, page_size=1000):
        """The feed's changes after a revision, through `until` (inclusive;
        the end of the feed by default), by ListChanges pages. Raises
        RevisionGap when a revision is skipped, repeated or out of order, or
        the feed ends before `until`."""
        expected = after_revision + 1
        while until is None or expected <= until:
            reply = self.stub.ListChanges(
                isvc.ListChangesRequest(after_revision=expected - 1, page_size=page_size),
                timeout=self.timeout)
            if not reply.changes:
                if until is not None:
                    raise RevisionGap(expected, None)
                return
            for change in reply.changes:
                if change.revision != expected:
                    raise RevisionGap(expected, change.revision)
                if until is not None and change.revision > until:
                    return
                yield change
                expected += 1

    def audit(self, checkpoint=None, page_size=1000, on_change=None, locate=True):
        """Recomputes every leaf of the tree of `checkpoint` (the latest,
        through update(), by default) from the feed and compares: each leaf
        with the one the log recorded, the revisions with 1..size, the root
        with the checkpoint's.

        on_change(change, recomputed_leaf or None): called for each change.
        locate: on a root mismatch, find the first revision whose leaf departs
          from the signed tree with O(log n) consistency proofs (keeps 32
          bytes per leaf in memory).
        Returns an AuditReport; raises only for RPC errors and a bad
        checkpoint."""
        if checkpoint is None:
            checkpoint = self.update()
        report = AuditReport(checkpoint)
        tree = CompactRange()
        kept = bytearray() if locate else None
        try:
            for change in self.changes(0, checkpoint.size, page_size):
                problem = None
                try:
                    leaf = node = leaf_hash(change)
                    if not hmac.compare_digest(leaf, change.leaf_hash):
                        problem = LeafMismatch(change.revision, change.complaint,
                                               bytes(change.leaf_hash), leaf)
                except EncodingError as error:
                    # Not recomputable: the tree goes on with the logged leaf.
                    problem, leaf, node = error, None, bytes(change.leaf_hash)
                if problem is not None:
                    report.leaf_mismatches += 1
                    if report.first_leaf_mismatch is None:
                        report.first_leaf_mismatch = problem
                if on_change is not None:
                    on_change(change, leaf)
                tree.append(node)
                if kept is not None:
                    kept += node
                report.leaves += 1
        except RevisionGap as gap:
            report.gap = gap
            report.root = tree.root()
            return report
        report.root = tree.root()
        if not hmac.compare_digest(report.root, checkpoint.root_hash):
            first_bad = self._first_departure(kept, checkpoint) if kept is not None else None
            report.root_mismatch = RootMismatch(checkpoint.size, checkpoint.root_hash,
                                                report.root, first_bad)
        return report

    def _first_departure(self, leaves, checkpoint):
        # The largest k whose first k leaves are consistent with the signed
        # tree; leaf k + 1 (revision k + 1) is the first that departs.
        def leaf_at(i):
            return bytes(leaves[32 * i:32 * i + 32])

        def consistent(k):
            if k == 0:
                return True
            root_k = root_from_leaves(leaf_at(i) for i in range(k))
            proof = self.consistency_proof(k, checkpoint.size)
            return verify_consistency(k, checkpoint.size, root_k, checkpoint.root_hash, proof)

        low, high = 0, checkpoint.size  # consistent(low); not consistent(high)
        while high - low > 1:
            middle = (low + high) // 2
            if consistent(middle):
                low = middle
            else:
                high = middle
        return low + 1

