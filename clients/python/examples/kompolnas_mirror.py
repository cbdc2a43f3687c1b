#!/usr/bin/python3
"""Kompolnas' mirror of Dumas resorts: copies each resort's change feed into a
local SQLite file, verifies its transparency log, and cosigns it as a witness.

This is how Kompolnas, the National Police Commission, or anyone else
integrates with Dumas (README.md, "Kompolnas: mirroring and verifying a
resort"):

    PYTHONPATH=build/clients/python /usr/bin/python3 \\
        clients/python/examples/kompolnas_mirror.py keygen \\
        --name=kompolnas.go.id/witness --key-file=witness.key
    PYTHONPATH=build/clients/python /usr/bin/python3 \\
        clients/python/examples/kompolnas_mirror.py mirror --db=kompolnas.sqlite \\
        --witness-key=witness.key \\
        --source=palu=dumas.palu.example:443,palu.token,<vkey>,<origin> [--source=...]

Each --source is `name=target,token_file,vkey,origin`: a local name for the
resort, its gRPC address, a file holding an OVERSIGHT token, the log's
verifier key (C2SP vkey, obtained from the resort out of band, never from
the server being checked) and the log's origin. `keygen` prints the witness's
verifier key for the resorts to register.

For every source, in its own thread:
  - It streams the feed (WatchChanges) from the last revision it committed,
    recomputes each change's leaf from its fields (dumas_log.leaf_hash) and
    compares it with the leaf the log recorded, checks that revisions follow
    each other without gaps, and checks a shared identity against its
    commitment. It stores each change with its revision and leaf hash, the
    complaint's state folded from the details, and the tree's new complete
    subtrees; the last revision committed goes in the same SQLite transaction
    (WAL, synchronous=FULL), so a kill -9 at any moment resumes without gaps
    or repeats. Disconnects and UNAVAILABLE resume with exponential backoff.
  - Every --poll seconds it fetches the latest checkpoint and verifies the
    log's signature, its consistency with the last checkpoint it accepted
    (the server's RFC 9162 consistency proof), and, once it holds that many
    changes, that the leaves it recomputed give the checkpoint's root. Then
    it stores the checkpoint and cosigns it (AddCosignature) with the
    witness key.
  - It refuses, loudly, with exit status 2, on a bad signature, an
    inconsistent checkpoint, a leaf that differs from the logged one, a gap
    in the revisions, an identity that does not match its commitment, or a
    split view (two signed checkpoints of one size with different roots). The
    incident and its evidence (the two notes of a split view) are kept in the
    database's `incidents` table, and the mirror keeps refusing on restart.

Modes: --once catches up to the latest checkpoint, verifies and cosigns it,
and exits. --verify-only writes nothing anywhere and cosigns nothing: it
recomputes the whole tree from each resort's feed, checks it against the
latest checkpoint and against what the database mirrored, and re-verifies the
database offline (every stored leaf, and the root of every stored checkpoint).
`status` prints each source's progress.

Identities: a change carries the complainant's identity only when the
complainant consented to share it with Kompolnas. The mirror checks it
against the commitment and, by default, does not store it; with
--keep-identities it keeps it in the `identities` table, in clear: protect
the file (it is created 0600). Nothing personal is ever printed: the output
names sources, revisions, tree sizes, hashes and reference numbers only.
The first delivery of each identity to the mirror's principal is recorded by
the resort as an identity read (a new event in its log); reading the feed
again (after a kill, or with --verify-only, which reads it from the start)
records nothing more.

Exit status: 0 done (or stopped by SIGINT/SIGTERM), 1 a usage or setup
error, 2 the log failed verification.
"""

import argparse
import base64
import dataclasses
import logging
import os
import queue
import signal
import sqlite3
import sys
import threading
import time

import grpc

import dumas_client
import dumas_log
from dumas.v1 import integration_service_pb2 as isvc

EXIT_OK, EXIT_SETUP, EXIT_REFUSED = 0, 1, 2
BATCH_SIZE = 500
ONCE_ATTEMPTS = 6
RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
             grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.ABORTED,
             grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.CANCELLED}

log = logging.getLogger("kompolnas_mirror")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS sources (
         name TEXT PRIMARY KEY,
         target TEXT NOT NULL,
         origin TEXT NOT NULL,
         log_vkey TEXT NOT NULL,
         last_revision INTEGER NOT NULL DEFAULT 0)""",
    # One row per revision: the change as served (without the identity
    # unless --keep-identities), its leaf, and the complaint's state after it.
    # A record of the resort itself (a frozen report's digest) has its name
    # as the complaint, its kind as the event type, and no state.
    """CREATE TABLE IF NOT EXISTS changes (
         source TEXT NOT NULL REFERENCES sources (name),
         revision INTEGER NOT NULL,
         leaf_hash BLOB NOT NULL,
         complaint TEXT NOT NULL,
         event_type TEXT NOT NULL,
         event_time_us INTEGER NOT NULL,
         state_after INTEGER,
         change BLOB NOT NULL,
         PRIMARY KEY (source, revision)) WITHOUT ROWID""",
    # Each complaint as its events' details fold (dumas_log.apply_details).
    """CREATE TABLE IF NOT EXISTS complaints (
         source TEXT NOT NULL REFERENCES sources (name),
         reference_number TEXT NOT NULL,
         state INTEGER,
         version INTEGER,
         category TEXT,
         handling_unit TEXT,
         last_revision INTEGER NOT NULL,
         details BLOB NOT NULL,
         PRIMARY KEY (source, reference_number)) WITHOUT ROWID""",
    # The tree's complete subtrees above the leaves (level >= 1): the root
    # of any size held is O(log n) rows away.
    """CREATE TABLE IF NOT EXISTS tree_nodes (
         source TEXT NOT NULL REFERENCES sources (name),
         level INTEGER NOT NULL,
         idx INTEGER NOT NULL,
         hash BLOB NOT NULL,
         PRIMARY KEY (source, level, idx)) WITHOUT ROWID""",
    # Every checkpoint accepted: signature, consistency and root verified.
    """CREATE TABLE IF NOT EXISTS checkpoints (
         source TEXT NOT NULL REFERENCES sources (name),
         tree_size INTEGER NOT NULL,
         root_hash BLOB NOT NULL,
         note TEXT NOT NULL,
         accepted_at TEXT NOT NULL,
         cosigned_at TEXT,
         cosigned_note TEXT,
         PRIMARY KEY (source, tree_size)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS incidents (
         id INTEGER PRIMARY KEY,
         source TEXT NOT NULL,
         detected_at TEXT NOT NULL,
         kind TEXT NOT NULL,
         revision INTEGER,
         tree_size INTEGER,
         message TEXT NOT NULL,
         evidence TEXT)""",
    """CREATE TABLE IF NOT EXISTS identities (
         source TEXT NOT NULL REFERENCES sources (name),
         reference_number TEXT NOT NULL,
         revision INTEGER NOT NULL,
         complainant BLOB NOT NULL,
         identity_salt BLOB NOT NULL,
         reply_address TEXT NOT NULL,
         PRIMARY KEY (source, reference_number)) WITHOUT ROWID""",
]


class SetupError(Exception):
    """A usage or setup problem: exit status 1."""


class Refusal(Exception):
    """The log failed verification: exit status 2."""

    def __init__(self, source, error, kind=None, revision=None, tree_size=None, evidence=None):
        self.source = source
        self.error = error
        self.kind = kind or type(error).__name__
        self.revision = revision
        self.tree_size = tree_size
        self.evidence = evidence
        super().__init__(f"{source}: {error}")


@dataclasses.dataclass(frozen=True)
class Source:
    name: str
    target: str
    token_file: str
    vkey: str
    origin: str

    @classmethod
    def parse(cls, text):
        name, equals, rest = text.partition("=")
        parts = rest.split(",")
        if not name or not equals or len(parts) != 4 or not all(parts):
            raise SetupError(f"--source {text!r} is not name=target,token_file,vkey,origin")
        source = cls(name, *parts)
        try:
            vkey = dumas_log.parse_vkey(source.vkey)
        except dumas_log.VerificationError as error:
            raise SetupError(f"--source {name}: the verifier key: {error}") from None
        if vkey.type != dumas_log.SIGNATURE_ED25519:
            raise SetupError(f"--source {name}: the log's verifier key is not Ed25519 (0x01)")
        return source

    def token(self):
        try:
            with open(self.token_file, encoding="ascii") as f:
                token = f.read().strip()
        except OSError as error:
            raise SetupError(f"source {self.name}: cannot read the token file: "
                             f"{error.strerror}") from None
        if not token:
            raise SetupError(f"source {self.name}: the token file is empty")
        return token


def now_text():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# --- The database ---------------------------------------------------------------

class MirrorDatabase:
    """One SQLite connection (one per thread). Every write is one
    transaction; the last revision of a source moves with its changes."""

    def __init__(self, path, read_only=False):
        if read_only:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                                      check_same_thread=False)
        else:
            if not os.path.exists(path):
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            self.db = sqlite3.connect(path, isolation_level=None, timeout=60,
                                      check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA busy_timeout=60000")
        self.db.execute("PRAGMA foreign_keys=ON")

    def create_schema(self):
        with self.transaction():
            for statement in SCHEMA:
                self.db.execute(statement)

    def close(self):
        self.db.close()

    def transaction(self):
        return _Transaction(self.db)

    def register_source(self, source):
        """Adds the source, or checks that it is the one mirrored before
        under that name (another log under an old name would mix histories)."""
        with self.transaction():
            row = self.db.execute("SELECT origin, log_vkey FROM sources WHERE name = ?",
                                  (source.name,)).fetchone()
            if row is None:
                self.db.execute("INSERT INTO sources (name, target, origin, log_vkey) "
                                "VALUES (?, ?, ?, ?)",
                                (source.name, source.target, source.origin, source.vkey))
            elif row != (source.origin, source.vkey):
                raise SetupError(f"source {source.name} was mirrored from origin {row[0]} "
                                 f"with key {row[1]}; give it another name")
            else:
                self.db.execute("UPDATE sources SET target = ? WHERE name = ?",
                                (source.target, source.name))

    def last_revision(self, source):
        row = self.db.execute("SELECT last_revision FROM sources WHERE name = ?",
                              (source,)).fetchone()
        return row[0] if row else 0

    def node(self, source, level, index):
        if level == 0:
            row = self.db.execute("SELECT leaf_hash FROM changes WHERE source = ? AND "
                                  "revision = ?", (source, index + 1)).fetchone()
        else:
            row = self.db.execute("SELECT hash FROM tree_nodes WHERE source = ? AND "
                                  "level = ? AND idx = ?", (source, level, index)).fetchone()
        if row is None:
            raise RuntimeError(f"{source}: the database lacks tree node {level}/{index}")
        return bytes(row[0])

    def compact_range(self, source, size):
        nodes = [self.node(source, level, index)
                 for level, index in dumas_log.subtree_positions(size)]
        return dumas_log.CompactRange(size, nodes)

    def root_at(self, source, size):
        return self.compact_range(source, size).root()

    def last_checkpoint(self, source):
        row = self.db.execute(
            "SELECT note, cosigned_at FROM checkpoints WHERE source = ? "
            "ORDER BY tree_size DESC LIMIT 1", (source,)).fetchone()
        if row is None:
            return None, True
        return dumas_log.parse_checkpoint(row[0]), row[1] is not None

    def checkpoint_of_size(self, source, size):
        row = self.db.execute("SELECT note FROM checkpoints WHERE source = ? AND "
                              "tree_size = ?", (source, size)).fetchone()
        return dumas_log.parse_checkpoint(row[0]) if row else None

    def folded(self, source, reference):
        row = self.db.execute("SELECT details FROM complaints WHERE source = ? AND "
                              "reference_number = ?", (source, reference)).fetchone()
        state = isvc.ComplaintDetails()
        if row is not None:
            state.ParseFromString(row[0])
        return state

    def commit_batch(self, source, expected_last, batch, complaints, nodes, identities):
        """Stores a batch of verified changes and moves the source's last
        revision, in one transaction. Fails if another process moved it."""
        new_last = batch[-1][0]
        with self.transaction():
            last = self.last_revision(source)
            if last != expected_last:
                raise SetupError(f"source {source}: another mirror process writes this "
                                 "database")
            self.db.executemany(
                "INSERT INTO changes (source, revision, leaf_hash, complaint, event_type, "
                "event_time_us, state_after, change) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(source, *row) for row in batch])
            self.db.executemany(
                "INSERT INTO complaints (source, reference_number, state, version, category, "
                "handling_unit, last_revision, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (source, reference_number) DO UPDATE SET state = excluded.state, "
                "version = excluded.version, category = excluded.category, "
                "handling_unit = excluded.handling_unit, "
                "last_revision = excluded.last_revision, details = excluded.details",
                [(source, ref, *row) for ref, row in complaints.items()])
            self.db.executemany(
                "INSERT INTO tree_nodes (source, level, idx, hash) VALUES (?, ?, ?, ?)",
                [(source, *node) for node in nodes])
            self.db.executemany(
                "INSERT OR REPLACE INTO identities (source, reference_number, revision, "
                "complainant, identity_salt, reply_address) VALUES (?, ?, ?, ?, ?, ?)",
                [(source, *row) for row in identities])
            self.db.execute("UPDATE sources SET last_revision = ? WHERE name = ?",
                            (new_last, source))

    def accept_checkpoint(self, source, checkpoint):
        with self.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO checkpoints (source, tree_size, root_hash, note, "
                "accepted_at) VALUES (?, ?, ?, ?, ?)",
                (source, checkpoint.size, checkpoint.root_hash, checkpoint.text, now_text()))

    def record_cosigned(self, source, size, note):
        with self.transaction():
            self.db.execute("UPDATE checkpoints SET cosigned_at = ?, cosigned_note = ? "
                            "WHERE source = ? AND tree_size = ?", (now_text(), note, source, size))

    def record_incident(self, refusal):
        with self.transaction():
            self.db.execute(
                "INSERT INTO incidents (source, detected_at, kind, revision, tree_size, "
                "message, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (refusal.source, now_text(), refusal.kind, refusal.revision,
                 refusal.tree_size, str(refusal.error), refusal.evidence))


class _Transaction:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, value, traceback):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


# --- One source -----------------------------------------------------------------

class SourceMirror:
    """Mirrors and verifies one resort. run() returns when stopped, or raises
    Refusal or SetupError."""

    def __init__(self, source, db_path, witness, options, stop):
        self.source = source
        self.name = source.name
        self.db_path = db_path
        self.witness = witness
        self.options = options
        self.stop = stop
        self.db = None
        self.client = None
        self.verifier = None
        self.tree = None          # CompactRange of the committed leaves
        self.pending = None       # a verified checkpoint beyond what is committed
        self.last_checkpoint = None
        self.last_cosigned = True
        self.call = None
        self.progressed = False

    # Setup and the main loop.

    def open(self):
        self.db = MirrorDatabase(self.db_path)
        self.db.register_source(self.source)
        self.client = dumas_client.connect(self.source.target, token=self.source.token())
        self.verifier = dumas_log.LogVerifier(self.client.integration, self.source.vkey,
                                              origin=self.source.origin,
                                              timeout=self.options.rpc_timeout)
        last = self.db.last_revision(self.name)
        self.tree = self.db.compact_range(self.name, last)
        self.last_checkpoint, self.last_cosigned = self.db.last_checkpoint(self.name)
        log.info("%s: resuming after revision %d, last checkpoint %s", self.name, last,
                 self.last_checkpoint.size if self.last_checkpoint else "none")

    def close(self):
        if self.client is not None:
            self.client.close()
        if self.db is not None:
            self.db.close()

    def run(self):
        try:
            self.open()
            self._refuse_after_an_incident()
            if self.options.once:
                self._with_retries(self.catch_up_once)
            else:
                self._with_retries(self.watch)
        except dumas_log.VerificationError as error:
            refusal = self._refusal(error)
            self.db.record_incident(refusal)
            raise refusal from None
        finally:
            self.close()

    def _refuse_after_an_incident(self):
        row = self.db.db.execute("SELECT kind, message FROM incidents WHERE source = ? "
                                 "ORDER BY id LIMIT 1", (self.name,)).fetchone()
        if row is not None:
            raise Refusal(self.name, f"an earlier incident stands: {row[0]}: {row[1]} "
                          "(investigate; the incidents table holds the evidence)",
                          kind=row[0])

    def _refusal(self, error):
        evidence = None
        revision = tree_size = None
        if isinstance(error, dumas_log.SplitViewError):
            evidence = error.evidence.note_a + "\n" + error.evidence.note_b
            tree_size = error.evidence.size
        elif isinstance(error, dumas_log.LeafMismatch):
            revision = error.revision
            evidence = f"served {error.served.hex()} recomputed {error.recomputed.hex()}"
        elif isinstance(error, dumas_log.RevisionGap):
            revision = error.expected
        elif isinstance(error, dumas_log.RootMismatch):
            tree_size, revision = error.tree_size, error.first_bad_revision
        return Refusal(self.name, error, revision=revision, tree_size=tree_size,
                       evidence=evidence)

    def _with_retries(self, step):
        """Runs step() until it returns, retrying retryable RPC errors with
        exponential backoff (reset by progress); --once gives up after
        ONCE_ATTEMPTS failures in a row."""
        delay = self.options.backoff_initial
        failures = 0
        while not self.stop.is_set():
            self.progressed = False
            try:
                step()
                return
            except grpc.RpcError as error:
                code = error.code() if isinstance(error, grpc.Call) else None
                if code not in RETRYABLE:
                    raise SetupError(f"source {self.name}: {code.name if code else error}: "
                                     f"{error.details() if code else ''}") from None
                if self.progressed:
                    delay, failures = self.options.backoff_initial, 0
                failures += 1
                if self.options.once and failures > ONCE_ATTEMPTS:
                    raise SetupError(f"source {self.name}: {code.name} {failures} times; "
                                     "giving up") from None
                log.warning("%s: %s; retrying in %.1fs", self.name, code.name, delay)
                self.stop.wait(delay)
                delay = min(delay * 2, self.options.backoff_max)

    # The feed.

    def watch(self):
        """Streams changes, commits them in batches, checks checkpoints
        every --poll seconds, until stopped or the stream breaks."""
        messages = queue.Queue(maxsize=4 * BATCH_SIZE)
        request = isvc.WatchChangesRequest(after_revision=self.tree.size)
        self.call = self.client.integration.WatchChanges(request)
        reader = threading.Thread(target=self._read, args=(self.call, messages), daemon=True)
        reader.start()
        batch = _Batch(self)
        next_poll = 0.0
        last_message = time.monotonic()
        try:
            while not self.stop.is_set():
                if time.monotonic() >= next_poll:
                    batch.commit()
                    self.check_checkpoint()
                    next_poll = time.monotonic() + self.options.poll
                try:
                    item = messages.get(timeout=0.2)
                except queue.Empty:
                    batch.commit()
                    if time.monotonic() - last_message > self.options.idle_timeout:
                        log.warning("%s: the stream is silent; reconnecting", self.name)
                        self.call.cancel()
                        last_message = time.monotonic()
                    continue
                last_message = time.monotonic()
                if isinstance(item, Exception):
                    batch.commit()
                    raise item
                if item is None:
                    batch.commit()
                    raise _StreamEnded()
                self.progressed = True
                if item.HasField("change"):
                    try:
                        batch.add(item.change)
                    except dumas_log.VerificationError:
                        batch.commit()  # what came before was verified: keep it
                        raise
                    if len(batch) >= BATCH_SIZE:
                        batch.commit()
                else:
                    batch.commit()
            batch.commit()  # stopped: keep what was verified
        finally:
            self.call.cancel()
            reader.join(timeout=5)

    def _read(self, call, messages):
        try:
            for message in call:
                messages.put(message)
            messages.put(None)
        except grpc.RpcError as error:
            messages.put(error)

    def catch_up_once(self):
        """Pages the feed to its head, then verifies the latest checkpoint
        (after paging up to its size if the feed had not reached it)."""
        self._page_until(None)
        try:
            checkpoint = self.verifier.fetch_checkpoint()
        except grpc.RpcError as error:
            if isinstance(error, grpc.Call) and error.code() == grpc.StatusCode.NOT_FOUND:
                log.warning("%s: the log has no checkpoint yet; nothing to verify",
                            self.name)
                return
            raise
        if checkpoint.size > self.tree.size:
            self._page_until(checkpoint.size)
        self.check_checkpoint(checkpoint)

    def _page_until(self, until):
        batch = _Batch(self)
        try:
            for change in self.verifier.changes(self.tree.size, until, self.options.page_size):
                self.progressed = True
                batch.add(change)
                if len(batch) >= BATCH_SIZE:
                    batch.commit()
                if self.stop.is_set():
                    break
        except (grpc.RpcError, dumas_log.VerificationError):
            batch.commit()  # what came before was verified: keep it
            raise
        batch.commit()

    # Checkpoints.

    def check_checkpoint(self, checkpoint=None):
        """Fetches (unless given) and verifies the latest checkpoint; accepts
        and cosigns it once the committed leaves reach its size."""
        if checkpoint is None:
            try:
                checkpoint = self.verifier.fetch_checkpoint()
            except grpc.RpcError as error:
                if isinstance(error, grpc.Call) and error.code() == grpc.StatusCode.NOT_FOUND:
                    return  # no checkpoint yet
                raise
        last = self.last_checkpoint
        known = self.db.checkpoint_of_size(self.name, checkpoint.size)
        if known is not None:
            split = dumas_log.detect_split_view(known, checkpoint)
            if split:
                raise dumas_log.SplitViewError(split)
        if self.pending is not None and self.pending.size == checkpoint.size:
            split = dumas_log.detect_split_view(self.pending, checkpoint)
            if split:
                raise dumas_log.SplitViewError(split)
        if last is not None and checkpoint.size < last.size:
            # An older checkpoint (a lagging server): it must be a prefix of
            # what was accepted.
            self._check_root(checkpoint)
            self._retry_cosignature()
            return
        if last is not None and checkpoint.size == last.size:
            self._retry_cosignature()
            return
        if last is not None:
            self.verifier.check_consistency(last, checkpoint)
        if checkpoint.size > self.tree.size:
            if self.pending is None or checkpoint.size > self.pending.size:
                self.pending = checkpoint
            return
        self._accept(checkpoint)

    def on_committed(self):
        if self.pending is not None and self.pending.size <= self.tree.size:
            checkpoint, self.pending = self.pending, None
            self._accept(checkpoint)

    def _check_root(self, checkpoint):
        root = self.db.root_at(self.name, checkpoint.size)
        if root != checkpoint.root_hash:
            raise dumas_log.RootMismatch(checkpoint.size, checkpoint.root_hash, root,
                                         self._first_departure(checkpoint))

    def _first_departure(self, checkpoint):
        """The first revision whose leaf departs from the signed tree,
        located with O(log n) consistency proofs; None if the server will
        not serve them."""
        low, high = 0, checkpoint.size
        try:
            while high - low > 1:
                middle = (low + high) // 2
                proof = self.verifier.consistency_proof(middle, checkpoint.size)
                if dumas_log.verify_consistency(middle, checkpoint.size,
                                                self.db.root_at(self.name, middle),
                                                checkpoint.root_hash, proof):
                    low = middle
                else:
                    high = middle
        except grpc.RpcError:
            return None
        return low + 1

    def _accept(self, checkpoint):
        self._check_root(checkpoint)
        self.db.accept_checkpoint(self.name, checkpoint)
        self.last_checkpoint, self.last_cosigned = checkpoint, False
        log.info("%s: checkpoint %d verified: signature, consistency, root %s", self.name,
                 checkpoint.size, checkpoint.root_hash.hex())
        self._retry_cosignature()

    def _retry_cosignature(self):
        if self.last_cosigned or self.witness is None or self.last_checkpoint is None:
            return
        checkpoint = self.last_checkpoint
        line = self.witness.cosign(checkpoint.body)
        try:
            reply = self.client.integration.AddCosignature(
                isvc.AddCosignatureRequest(checkpoint_body=checkpoint.body, signature_line=line,
                                           verifier_key=self.witness.vkey),
                timeout=self.options.rpc_timeout)
        except grpc.RpcError as error:
            code = error.code() if isinstance(error, grpc.Call) else None
            if code in RETRYABLE:
                log.warning("%s: AddCosignature %s; retrying later", self.name, code.name)
                return
            # Not a retryable fault: say so once and do not retry.
            log.error("%s: AddCosignature of checkpoint %d refused: %s: %s", self.name,
                      checkpoint.size, code.name if code else error,
                      error.details() if code else "")
            self.db.record_cosigned(self.name, checkpoint.size, None)
            self.last_cosigned = True
            return
        self.db.record_cosigned(self.name, checkpoint.size, reply.checkpoint)
        self.last_cosigned = True
        try:
            dumas_log.verify_cosignature(reply.checkpoint, self.witness.vkey)
            log.info("%s: cosigned checkpoint %d as %s", self.name, checkpoint.size,
                     self.witness.name)
        except dumas_log.VerificationError as error:
            log.error("%s: the log's answer to AddCosignature of checkpoint %d does not "
                      "carry the cosignature: %s", self.name, checkpoint.size, error)


class _StreamEnded(grpc.RpcError, grpc.Call):
    """The stream ended without a status: treated as UNAVAILABLE."""

    def code(self):
        return grpc.StatusCode.UNAVAILABLE

    def details(self):
        return "the stream ended"

    # grpc.Call's other abstract methods: never used here.
    def initial_metadata(self):
        return None

    def trailing_metadata(self):
        return None

    def is_active(self):
        return False

    def time_remaining(self):
        return None

    def cancel(self):
        return False

    def add_callback(self, callback):
        return False


class _Batch:
    """Verified changes waiting for their transaction."""

    def __init__(self, mirror):
        self.mirror = mirror
        self.rows = []
        self.complaints = {}
        self.nodes = []
        self.identities = []
        self.tree = None

    def __len__(self):
        return len(self.rows)

    def add(self, change):
        mirror = self.mirror
        if self.tree is None:
            self.tree = mirror.tree.copy()
        expected = self.tree.size + 1
        if change.revision != expected:
            raise dumas_log.RevisionGap(expected, change.revision)
        leaf = dumas_log.check_leaf(change)
        self.nodes.extend(self.tree.append(leaf))
        if change.HasField("record"):
            # A record of the resort itself (a frozen report's digest): kept
            # under its name, with no complaint to fold.
            self.rows.append((change.revision, leaf, change.record.name, change.record.kind,
                              dumas_log.timestamp_micros(change.record.record_time), None,
                              change.SerializeToString()))
            return
        dumas_log.verify_identity(change)
        reference = dumas_log.reference_number(change.complaint)
        if reference in self.complaints:
            state = self.complaints[reference][-1]
        else:
            state = mirror.db.folded(mirror.name, reference)
        dumas_log.apply_details(state, change.details)
        state_after = state.state if state.HasField("state") else None
        self.complaints[reference] = (
            state_after, state.version if state.HasField("version") else None,
            state.category or None, state.handling_unit or None, change.revision, state)
        stored = isvc.Change()
        stored.CopyFrom(change)
        if change.HasField("complainant"):
            if mirror.options.keep_identities:
                self.identities.append((reference, change.revision,
                                        change.complainant.SerializeToString(),
                                        bytes(change.identity_salt), change.reply_address))
            for field in ("complainant", "identity_salt", "reply_address"):
                stored.ClearField(field)
        self.rows.append((change.revision, leaf, reference, change.event.type,
                          dumas_log.timestamp_micros(change.event.event_time), state_after,
                          stored.SerializeToString()))

    def commit(self):
        if not self.rows:
            return
        mirror = self.mirror
        complaints = {ref: row[:-1] + (row[-1].SerializeToString(),)
                      for ref, row in self.complaints.items()}
        mirror.db.commit_batch(mirror.name, mirror.tree.size, self.rows, complaints,
                               self.nodes, self.identities)
        mirror.tree = self.tree
        log.debug("%s: committed revisions %d-%d", mirror.name, self.rows[0][0],
                  self.rows[-1][0])
        self.rows, self.complaints, self.nodes, self.identities = [], {}, [], []
        self.tree = None
        mirror.on_committed()


# --- Verify only ------------------------------------------------------------------

def verify_only(source, db_path, options):
    """Recomputes the whole tree from the feed against the latest checkpoint
    and the mirrored database; re-verifies the database offline. Writes
    nothing. Returns a list of problems (strings)."""
    problems = []
    db = MirrorDatabase(db_path, read_only=True) if db_path and os.path.exists(db_path) else None
    if db is not None and not db.db.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'sources'").fetchone():
        db = None
    previous = None
    stored_leaves = {}
    if db is not None:
        problems += verify_database(db, source)
        previous, _ = db.last_checkpoint(source.name)
        for kind, message in db.db.execute(
                "SELECT kind, message FROM incidents WHERE source = ?", (source.name,)):
            problems.append(f"{source.name}: an earlier incident stands: {kind}: {message}")
    with dumas_client.connect(source.target, token=source.token()) as client:
        verifier = dumas_log.LogVerifier(client.integration, source.vkey, previous=previous,
                                         origin=source.origin, timeout=options.rpc_timeout)
        checkpoint = verifier.update()
        log.info("%s: checkpoint %d: signature%s verified", source.name, checkpoint.size,
                 " and consistency with the mirror's" if previous else "")
        if db is not None:
            stored_leaves = dict(db.db.execute(
                "SELECT revision, leaf_hash FROM changes WHERE source = ? AND revision <= ?",
                (source.name, checkpoint.size)))
        differing = []

        def against_mirror(change, leaf):
            stored = stored_leaves.get(change.revision)
            if stored is not None and bytes(stored) != bytes(change.leaf_hash):
                differing.append(change.revision)

        report = verifier.audit(checkpoint, page_size=options.page_size,
                                on_change=against_mirror)
        log.info("%s", report.describe())
        problems += [f"{source.name}: {p}" for p in report.problems()]
        if differing:
            problems.append(f"{source.name}: the feed's leaf of revision {differing[0]} (and "
                            f"{len(differing) - 1} more) differs from the one mirrored")
    if db is not None:
        db.close()
    return problems


def verify_database(db, source):
    """Re-verifies what the database holds for a source: each stored change
    against its leaf, the revisions without gaps, every stored checkpoint's
    signature and root."""
    problems = []
    name = source.name
    sizes = {size: dumas_log.parse_checkpoint(note) for size, note in db.db.execute(
        "SELECT tree_size, note FROM checkpoints WHERE source = ?", (name,))}
    tree = dumas_log.CompactRange()
    for revision, leaf, blob in db.db.execute(
            "SELECT revision, leaf_hash, change FROM changes WHERE source = ? "
            "ORDER BY revision", (name,)):
        change = isvc.Change.FromString(blob)
        if revision != tree.size + 1:
            problems.append(f"{name}: the database skips from revision {tree.size} to "
                            f"{revision}")
            break
        try:
            recomputed = dumas_log.leaf_hash(change)
        except dumas_log.EncodingError as error:
            problems.append(f"{name}: the database's {error}")
            recomputed = bytes(leaf)
        if recomputed != bytes(leaf) or recomputed != bytes(change.leaf_hash):
            problems.append(f"{name}: the database's revision {revision} does not give its "
                            "stored leaf")
        tree.append(recomputed)
        checkpoint = sizes.get(tree.size)
        if checkpoint is not None and tree.root() != checkpoint.root_hash:
            problems.append(f"{name}: the database's leaves do not give the root of its "
                            f"checkpoint {tree.size}")
    for size, checkpoint in sorted(sizes.items()):
        try:
            dumas_log.verify_checkpoint(checkpoint, source.vkey, source.origin)
        except dumas_log.VerificationError as error:
            problems.append(f"{name}: the database's checkpoint {size}: {error}")
        if size > tree.size:
            problems.append(f"{name}: the database holds checkpoint {size} but only "
                            f"{tree.size} changes")
    log.info("%s: the database's %d changes and %d checkpoints re-verified", name,
             tree.size, len(sizes))
    return problems


# --- Commands -------------------------------------------------------------------------

def load_witness(path):
    try:
        with open(path, encoding="ascii") as f:
            return dumas_log.WitnessKey.from_key_file_text(f.read())
    except OSError as error:
        raise SetupError(f"cannot read the witness key {path}: {error.strerror}") from None
    except ValueError as error:
        raise SetupError(f"the witness key {path}: {error}") from None


def command_keygen(args):
    if os.path.exists(args.key_file):
        raise SetupError(f"{args.key_file} exists; not overwriting a witness key")
    seed, vkey = dumas_log.generate_witness_key(args.name)
    witness = dumas_log.WitnessKey(args.name, seed)
    fd = os.open(args.key_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(witness.key_file_text())
    print(vkey)
    return EXIT_OK


def command_status(args):
    if not os.path.exists(args.db):
        raise SetupError(f"no database at {args.db}")
    db = MirrorDatabase(args.db, read_only=True)
    for name, origin, last in db.db.execute(
            "SELECT name, origin, last_revision FROM sources ORDER BY name"):
        checkpoint = db.db.execute(
            "SELECT tree_size, root_hash, cosigned_at FROM checkpoints WHERE source = ? "
            "ORDER BY tree_size DESC LIMIT 1", (name,)).fetchone()
        incidents = db.db.execute("SELECT COUNT(*) FROM incidents WHERE source = ?",
                                  (name,)).fetchone()[0]
        complaints = db.db.execute("SELECT COUNT(*) FROM complaints WHERE source = ?",
                                   (name,)).fetchone()[0]
        size, root, cosigned = checkpoint if checkpoint else (0, b"", None)
        print(f"{name} origin={origin} last_revision={last} complaints={complaints} "
              f"checkpoint={size} root={base64.b64encode(bytes(root)).decode()} "
              f"cosigned={'yes' if cosigned else 'no'} incidents={incidents}")
    db.close()
    return EXIT_OK


def command_mirror(args):
    sources = [Source.parse(text) for text in args.source]
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise SetupError("two --source share a name")
    if args.verify_only:
        problems = []
        for source in sources:
            try:
                problems += verify_only(source, args.db, args)
            except dumas_log.VerificationError as error:
                problems.append(f"{source.name}: {error}")
            except grpc.RpcError as error:
                code = error.code() if isinstance(error, grpc.Call) else None
                raise SetupError(f"source {source.name}: {code.name if code else error}: "
                                 f"{error.details() if code else ''}") from None
        for problem in problems:
            log.error("REFUSED %s", problem)
        return EXIT_REFUSED if problems else EXIT_OK
    if args.witness_key is None:
        raise SetupError("--witness-key is required (unless --verify-only)")
    witness = load_witness(args.witness_key)
    setup = MirrorDatabase(args.db)
    setup.create_schema()
    setup.close()

    stop = threading.Event()
    outcome = {}

    def run(source):
        mirror = SourceMirror(source, args.db, witness, args, stop)
        try:
            mirror.run()
            outcome[source.name] = (EXIT_OK, None)
        except Refusal as refusal:
            outcome[source.name] = (EXIT_REFUSED, refusal)
            stop.set()
        except SetupError as error:
            outcome[source.name] = (EXIT_SETUP, error)
            stop.set()
        except Exception as error:  # noqa: BLE001 - reported, then the process exits
            log.exception("%s: unexpected error", source.name)
            outcome[source.name] = (EXIT_SETUP, error)
            stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    threads = [threading.Thread(target=run, args=(s,), name=s.name) for s in sources]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        for thread in threads:
            thread.join(timeout=0.2)
    status = EXIT_OK
    for name in names:
        code, error = outcome.get(name, (EXIT_SETUP, "did not finish"))
        if code == EXIT_REFUSED:
            log.critical("REFUSED %s", error)
            print(f"kompolnas_mirror: REFUSED {error}", file=sys.stderr)
        elif code != EXIT_OK:
            log.error("%s: %s", name, error)
        status = max(status, code)
    return status


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Mirror and verify Dumas resorts, and cosign their logs as a witness.")
    commands = parser.add_subparsers(dest="command", required=True)

    keygen = commands.add_parser("keygen", help="make a witness key; prints its vkey")
    keygen.add_argument("--name", required=True,
                        help="the witness's name, such as kompolnas.go.id/witness")
    keygen.add_argument("--key-file", required=True, help="where to write it (mode 0600)")

    status = commands.add_parser("status", help="print each source's progress")
    status.add_argument("--db", required=True)

    mirror = commands.add_parser("mirror", help="mirror, verify and cosign")
    mirror.add_argument("--db", required=True, help="the SQLite file")
    mirror.add_argument("--source", action="append", required=True,
                        metavar="NAME=TARGET,TOKEN_FILE,VKEY,ORIGIN")
    mirror.add_argument("--witness-key", help="the witness key file (keygen)")
    mode = mirror.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true",
                      help="catch up, verify and cosign the latest checkpoint, exit")
    mode.add_argument("--verify-only", action="store_true",
                      help="recompute and check everything; write and cosign nothing")
    mirror.add_argument("--keep-identities", action="store_true",
                        help="store the identities complainants shared (in clear)")
    mirror.add_argument("--poll", type=float, default=5.0,
                        help="seconds between checkpoint checks (default 5)")
    mirror.add_argument("--page-size", type=int, default=1000)
    mirror.add_argument("--rpc-timeout", type=float, default=60.0)
    mirror.add_argument("--idle-timeout", type=float, default=60.0,
                        help="reconnect a stream silent this long (heartbeats count)")
    mirror.add_argument("--backoff-initial", type=float, default=0.5)
    mirror.add_argument("--backoff-max", type=float, default=30.0)
    mirror.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    try:
        return {"keygen": command_keygen, "status": command_status,
                "mirror": command_mirror}[args.command](args)
    except SetupError as error:
        print(f"kompolnas_mirror: {error}", file=sys.stderr)
        return EXIT_SETUP
    except dumas_log.VerificationError as error:
        print(f"kompolnas_mirror: REFUSED {error}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
