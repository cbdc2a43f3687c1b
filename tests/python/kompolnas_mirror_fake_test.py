#!/usr/bin/python3
"""Tests of the Kompolnas mirror (clients/python/examples/kompolnas_mirror.py)
against an in-memory log served over gRPC (fake_integration_service), so
that its mechanics run before dumasd serves IntegrationService: catching up,
streaming, kill -9 and resume without gaps or repeats, reconnecting after the
server stops, cosigning, and refusing a bad log. The same scenarios against
a real dumasd are tests/e2e/kompolnas_mirror_test.py.

Run through ctest (`tools/test -L unit`), or with
PYTHONPATH=build/clients/python:tests/python /usr/bin/python3 this file.
"""

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import dumas_log as log
from fake_integration_service import FakeLog, FakeServer, synthetic_change

HERE = os.path.dirname(os.path.abspath(__file__))
MIRROR = os.path.join(HERE, "..", "..", "clients", "python", "examples", "kompolnas_mirror.py")
ORIGIN = "dumas.polres-palu.polri.go.id/log"
WITNESS = "kompolnas.go.id/witness"
TOKEN = "oversight-token-for-tests"


class MirrorTestCase(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kompolnas-mirror-")
        self.db_path = os.path.join(self.dir, "mirror.sqlite")
        self.key_file = os.path.join(self.dir, "witness.key")
        self.token_file = os.path.join(self.dir, "token")
        with open(self.token_file, "w", encoding="ascii") as f:
            f.write(TOKEN + "\n")
        self.fake = FakeLog(ORIGIN, bytes(range(32)))
        self.server = FakeServer(self.fake, TOKEN, heartbeat=0.5).start()
        keygen = self.run_mirror("keygen", f"--name={WITNESS}", f"--key-file={self.key_file}")
        self.assertEqual(keygen.returncode, 0, keygen.stderr)
        self.witness_vkey = keygen.stdout.strip()
        self.processes = []

    def tearDown(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def append(self, n):
        for _ in range(n):
            self.fake.append(synthetic_change(len(self.fake.leaves)))

    def source_flag(self, vkey=None):
        return (f"--source=palu={self.server.target},{self.token_file},"
                f"{vkey or self.fake.signer.vkey},{ORIGIN}")

    def mirror_args(self, *extra, vkey=None):
        return ["mirror", f"--db={self.db_path}", f"--witness-key={self.key_file}",
                self.source_flag(vkey), "--poll=0.2", "--backoff-initial=0.1",
                "--backoff-max=0.5", *extra]

    def run_mirror(self, *args, timeout=120):
        return subprocess.run([sys.executable, MIRROR, *args], capture_output=True, text=True,
                              timeout=timeout, check=False)

    def start_mirror(self, *args):
        """Starts the mirror with its output in a file (a pipe nobody reads
        would fill and block it)."""
        output = os.path.join(self.dir, f"mirror-{len(self.processes)}.log")
        with open(output, "wb") as f:
            process = subprocess.Popen([sys.executable, MIRROR, *args],
                                       stdout=f, stderr=subprocess.STDOUT)
        process.output = output
        self.processes.append(process)
        return process

    @staticmethod
    def output_of(process):
        with open(process.output, encoding="utf-8", errors="replace") as f:
            return f.read()

    def query(self, sql, *params):
        with sqlite3.connect(self.db_path, timeout=30) as db:
            return db.execute(sql, params).fetchall()

    def accepted_count(self):
        try:
            return self.query("SELECT COUNT(*) FROM checkpoints")[0][0]
        except sqlite3.OperationalError:  # no database or schema yet
            return 0

    def wait_until(self, condition, process, timeout=60):
        deadline = time.monotonic() + timeout
        while not condition():
            if process.poll() is not None:
                self.fail(f"the mirror exited {process.returncode}: {self.output_of(process)}")
            if time.monotonic() > deadline:
                self.fail(f"the mirror made no progress in {timeout}s")
            time.sleep(0.05)

    def wait_for_checkpoint(self, size, process, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.fail(f"the mirror exited {process.returncode}: {self.output_of(process)}")
            if os.path.exists(self.db_path):
                try:
                    rows = self.query("SELECT cosigned_at FROM checkpoints WHERE tree_size = ?",
                                      size)
                except sqlite3.OperationalError:
                    rows = []
                if rows and rows[0][0]:
                    return
            time.sleep(0.1)
        self.fail(f"checkpoint {size} was not accepted and cosigned in {timeout}s")

    def assert_mirrored(self, size):
        """Revisions 1..size, each once, with the log's leaves; the tree
        nodes complete; the folded states right."""
        count, low, high = self.query(
            "SELECT COUNT(*), MIN(revision), MAX(revision) FROM changes")[0]
        self.assertEqual((count, low, high), (size, 1, size))
        self.assertEqual(self.query("SELECT last_revision FROM sources")[0][0], size)
        leaves = [bytes(r[0]) for r in self.query("SELECT leaf_hash FROM changes "
                                                  "ORDER BY revision")]
        self.assertEqual(leaves, self.fake.leaves[:size])
        nodes = self.query("SELECT COUNT(*) FROM tree_nodes")[0][0]
        self.assertEqual(nodes, size - bin(size).count("1"))
        for reference, state, last in self.query(
                "SELECT reference_number, state, last_revision FROM complaints"):
            self.assertEqual(state, [1, 2, 5][(last - 1) % 3], reference)

    def assert_cosigned(self, size):
        note = self.fake.note_with_cosignatures()
        checkpoint = log.parse_checkpoint(note)
        self.assertEqual(checkpoint.size, size)
        log.verify_cosignature(note, self.witness_vkey)


class CatchUpTest(MirrorTestCase):

    def test_once(self):
        self.append(250)
        self.fake.sign_checkpoint()
        self.append(20)  # beyond the checkpoint: mirrored too
        result = self.run_mirror(*self.mirror_args("--once"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_mirrored(270)
        self.assert_cosigned(250)
        size, root, cosigned = self.query(
            "SELECT tree_size, root_hash, cosigned_note FROM checkpoints")[0]
        self.assertEqual((size, bytes(root)), (250, log.root_from_leaves(self.fake.leaves[:250])))
        log.verify_cosignature(cosigned, self.witness_vkey)
        # Identities are checked, not kept; nothing personal is printed.
        self.assertEqual(self.query("SELECT COUNT(*) FROM identities")[0][0], 0)
        self.assertNotIn("Warga", result.stderr)
        self.assertNotIn("example.co.id", result.stderr)
        # Again: nothing new, nothing repeated.
        again = self.run_mirror(*self.mirror_args("--once"))
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assert_mirrored(270)
        status = self.run_mirror("status", f"--db={self.db_path}")
        self.assertIn("last_revision=270", status.stdout)
        self.assertIn("checkpoint=250", status.stdout)

    def test_keep_identities(self):
        self.append(40)
        self.fake.sign_checkpoint()
        result = self.run_mirror(*self.mirror_args("--once", "--keep-identities"))
        self.assertEqual(result.returncode, 0, result.stderr)
        shared = sum(1 for i in range(40) if i % 3 == 0 and (i // 3) % 6 == 0)
        self.assertEqual(self.query("SELECT COUNT(*) FROM identities")[0][0], shared)

    def test_verify_only_writes_nothing(self):
        self.append(120)
        self.fake.sign_checkpoint()
        self.assertEqual(self.run_mirror(*self.mirror_args("--once")).returncode, 0)
        self.append(30)
        self.fake.sign_checkpoint()
        with open(self.db_path, "rb") as f:
            before = f.read()
        cosignatures = dict(self.fake.cosignatures)
        result = self.run_mirror(*self.mirror_args("--verify-only"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("150 of 150 leaves recomputed", result.stderr)
        with open(self.db_path, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(self.fake.cosignatures, cosignatures)
        # An event altered after it was mirrored and logged.
        self.fake.changes[41].event.internal_note = "diubah"
        result = self.run_mirror(*self.mirror_args("--verify-only"))
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("revision 42", result.stderr)
        # Its served leaf too: the mirror's copy and the root tell.
        self.fake.changes[41].leaf_hash = log.leaf_hash(self.fake.changes[41])
        result = self.run_mirror(*self.mirror_args("--verify-only"))
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("revision 42", result.stderr)
        self.assertIn("differs from the one mirrored", result.stderr)


class StreamingTest(MirrorTestCase):

    def writer(self, stop):
        while not stop.is_set():
            self.append(random.randint(1, 20))
            if random.random() < 0.3:
                self.fake.sign_checkpoint()
            time.sleep(0.05)

    def test_kill_9_and_server_restarts_lose_and_repeat_nothing(self):
        self.append(10)
        self.fake.sign_checkpoint()
        stop = threading.Event()
        writer = threading.Thread(target=self.writer, args=(stop,))
        writer.start()
        try:
            rng = random.Random(7)
            for round_ in range(6):
                accepted = self.accepted_count()
                process = self.start_mirror(*self.mirror_args())
                # Let it accept a checkpoint, then kill it at a random moment
                # (mid-batch, mid-cosignature, idle).
                self.wait_until(lambda: self.accepted_count() > accepted, process)
                time.sleep(rng.uniform(0.0, 0.8))
                if round_ == 2:
                    # The server stops (streams end UNAVAILABLE) and returns.
                    self.server.stop()
                    time.sleep(0.7)
                    self.server.start()
                    last = self.query("SELECT last_revision FROM sources")[0][0]
                    self.wait_until(lambda: self.query(
                        "SELECT last_revision FROM sources")[0][0] > last, process)
                    time.sleep(rng.uniform(0.0, 0.5))
                self.assertIsNone(process.poll())
                process.send_signal(signal.SIGKILL)
                process.wait()
        finally:
            stop.set()
            writer.join()
        self.append(500)
        self.fake.sign_checkpoint()
        total = len(self.fake.leaves)
        process = self.start_mirror(*self.mirror_args())
        self.wait_for_checkpoint(total, process)
        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(timeout=30), 0)
        self.assert_mirrored(total)
        self.assert_cosigned(total)
        accepted = [r[0] for r in self.query("SELECT tree_size FROM checkpoints")]
        self.assertGreaterEqual(len(accepted), 7)
        for size in accepted:
            self.assertEqual(bytes(self.query("SELECT root_hash FROM checkpoints WHERE "
                                              "tree_size = ?", size)[0][0]),
                             log.root_from_leaves(self.fake.leaves[:size]))


class RefusalTest(MirrorTestCase):

    def refuse(self, *extra, vkey=None):
        result = self.run_mirror(*self.mirror_args("--once", *extra, vkey=vkey))
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("REFUSED", result.stderr)
        return result

    def test_altered_event(self):
        self.append(60)
        self.fake.sign_checkpoint()
        self.fake.changes[33].event.public_message = "diubah"
        result = self.refuse()
        self.assertIn("revision 34", result.stderr)
        kind, revision = self.query("SELECT kind, revision FROM incidents")[0]
        self.assertEqual((kind, revision), ("LeafMismatch", 34))
        self.assertEqual(self.query("SELECT MAX(revision) FROM changes")[0][0], 33)
        # It keeps refusing until someone looks, even if the log is repaired.
        self.fake.changes[33].event.public_message = "Pengaduan diterima."
        self.refuse()
        self.assertEqual(self.fake.cosignatures, {})

    def test_altered_event_and_leaf(self):
        self.append(60)
        self.fake.sign_checkpoint()
        self.fake.changes[50].event.public_message = "diubah"
        self.fake.changes[50].leaf_hash = log.leaf_hash(self.fake.changes[50])
        result = self.refuse()
        self.assertIn("revision 51", result.stderr)
        self.assertEqual(self.query("SELECT kind FROM incidents")[0][0], "RootMismatch")

    def test_gap(self):
        self.append(60)
        self.fake.sign_checkpoint()
        del self.fake.changes[20]
        result = self.refuse()
        self.assertIn("revision 21", result.stderr)

    def test_split_view(self):
        self.append(60)
        self.fake.sign_checkpoint()
        self.assertEqual(self.run_mirror(*self.mirror_args("--once")).returncode, 0)
        honest = self.fake.checkpoint_note
        self.fake.rewrite(59, synthetic_change(1000))  # same size, another root
        result = self.refuse()
        self.assertIn("split view", result.stderr)
        kind, evidence = self.query("SELECT kind, evidence FROM incidents")[0]
        self.assertEqual(kind, "SplitViewError")
        self.assertIn(honest, evidence)
        self.assertIn(self.fake.checkpoint_note, evidence)

    def test_inconsistent_checkpoint(self):
        self.append(60)
        self.fake.sign_checkpoint()
        self.assertEqual(self.run_mirror(*self.mirror_args("--once")).returncode, 0)
        self.fake.rewrite(10, synthetic_change(1000))
        self.append(10)
        self.fake.sign_checkpoint()
        result = self.refuse()
        self.assertIn("not consistent", result.stderr)

    def test_bad_signature(self):
        self.append(10)
        self.fake.sign_checkpoint()
        stranger = log.NoteSigner(ORIGIN, bytes(32))
        result = self.refuse(vkey=stranger.vkey)
        self.assertIn("signature", result.stderr)


if __name__ == "__main__":
    unittest.main()
