#!/usr/bin/python3
"""End-to-end test of the Kompolnas mirror against a real dumasd.

clients/python/examples/kompolnas_mirror.py mirrors a dumasd that serves
IntegrationService (dumas_server.DumasServer on the test MariaDB of
tools/test), while complaints are submitted and handled: it recomputes every
leaf with dumas_log, the Python implementation of docs/transparency-log.md,
so this is also where the server's canonical encoding and identity
commitment meet an independent one. Then it is killed with SIGKILL at random
moments and the server is restarted, and nothing may be lost or repeated;
finally an event altered in the database must be found.
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

import grpc

import dumas_client
import dumas_log as log
from dumas_server import DumasServer
from dumas.v1 import complaint_pb2, complaint_service_pb2 as svc
from dumas.v1 import integration_service_pb2 as isvc

HERE = os.path.dirname(os.path.abspath(__file__))
MIRROR = os.path.join(HERE, "..", "..", "clients", "python", "examples", "kompolnas_mirror.py")
ORIGIN = "dumas.polres-palu.polri.go.id/log"
WITNESS = "kompolnas.go.id/witness"
INCIDENT_TIME_SECONDS = int(time.time()) - 3 * 86400


def identity(n):
    # A woman of Kota Palu born 12-08-1990 (day 12 + 40 = 52), sequence n.
    return complaint_pb2.Complainant(
        full_name=f"Warga Uji Kompolnas {n}", nik=f"72710152089{n % 100000:05d}",
        phone="0812-4567-8901", email=f"warga{n}.kompolnas@example.co.id",
        address="Jl. Sam Ratulangi No. 17, Besusu Barat, Palu Timur")


class KompolnasMirrorTest(unittest.TestCase):

    def setUp(self):
        # A server and database of its own per test: the tests count what the
        # mirror stores, and one of them alters the database.
        self.server = DumasServer(prefix="kompolnas", serve_flags=[
            f"--log_origin={ORIGIN}", "--checkpoint_interval=1s"])
        self.addCleanup(self.server.close)
        self.server.start()
        self.addCleanup(self.stop_server)
        self.oversight_token = self.server.create_token("OVERSIGHT", "kompolnas-mirror")
        self.supervisor_token = self.server.create_token(
            "SUPERVISOR", "kasi-propam", unit="propam")
        self.dir = tempfile.mkdtemp(prefix="kompolnas-e2e-")
        self.db_path = os.path.join(self.dir, "mirror.sqlite")
        self.key_file = os.path.join(self.dir, "witness.key")
        self.token_file = os.path.join(self.dir, "oversight-token")
        with open(self.token_file, "w", encoding="ascii") as f:
            f.write(self.oversight_token)
        keygen = self.run_mirror("keygen", f"--name={WITNESS}", f"--key-file={self.key_file}")
        self.assertEqual(keygen.returncode, 0, keygen.stderr)
        self.witness_vkey = keygen.stdout.strip()
        self.gateway = self.server.connect(self.server.gateway_token)
        self.supervisor = self.server.connect(self.supervisor_token)
        self.oversight = self.server.connect(self.oversight_token)
        self.processes = []
        self.submitted = 0
        # The log's key, as Kompolnas would receive it out of band.
        self.log_vkey = self.checkpoint().verifier_key

    def stop_server(self):
        self.server.stop()
        tail = self.server.log_text().splitlines()[-40:]
        print("---- dumasd log (tail) ----", *tail, sep="\n", file=sys.stderr)

    def tearDown(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for client in (self.gateway, self.supervisor, self.oversight):
            client.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # The resort's side.

    def checkpoint(self):
        """A checkpoint of the log as it is now (CreateCheckpoint)."""
        deadline = time.monotonic() + 30
        while True:
            try:
                self.oversight.integration.CreateCheckpoint(isvc.CreateCheckpointRequest(),
                                                            timeout=10)
                return self.oversight.integration.GetCheckpoint(isvc.GetCheckpointRequest(),
                                                                timeout=10)
            except grpc.RpcError as error:
                # An empty log has no checkpoint: log something first.
                if error.code() != grpc.StatusCode.FAILED_PRECONDITION or \
                        time.monotonic() > deadline:
                    raise
                self.submit_and_handle(1)

    def submit_and_handle(self, n):
        """Submits n complaints (every third sharing the identity with
        Kompolnas) and verifies every other one, with retries across a
        server restart."""
        for _ in range(n):
            self.submitted += 1
            number = self.submitted
            complaint = complaint_pb2.Complaint(
                description=f"Petugas meminta uang tanpa surat tilang (uji {number}).",
                incident_location="Simpang Jl. Diponegoro, Palu Barat",
                category="categories/penyalahgunaan-wewenang",
                channel=complaint_pb2.CHANNEL_WEB,
                reply_address=f"warga{number}.kompolnas@example.co.id",
                subject=complaint_pb2.ComplaintSubject(unit="units/sat-lantas",
                                                       officer_name="Bripka S."),
                complainant=identity(number),
                share_identity_with_kompolnas=number % 3 == 0)
            complaint.incident_time.seconds = INCIDENT_TIME_SECONDS
            request = svc.SubmitComplaintRequest(request_id=dumas_client.new_request_id(),
                                                 complaint=complaint)
            reply = self.retrying(self.gateway.complaints.SubmitComplaint, request)
            if number % 2 == 0:
                name = f"complaints/{reply.reference_number}"
                etag = self.retrying(self.supervisor.complaints.GetComplaint,
                                     svc.GetComplaintRequest(name=name)).complaint.etag
                self.retrying(self.supervisor.complaints.VerifyComplaint,
                              svc.VerifyComplaintRequest(
                                  name=name, etag=etag,
                                  request_id=dumas_client.new_request_id()))

    @staticmethod
    def retrying(method, request):
        deadline = time.monotonic() + 60
        while True:
            try:
                return method(request, timeout=10)
            except grpc.RpcError as error:
                # A call that reached the server as it shut down, and was
                # never started, ends CANCELLED: safe to retry, as every
                # change carries its request_id.
                if error.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED) \
                        or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    # The mirror.

    def mirror_args(self, *extra):
        source = (f"--source=palu={self.server.target},{self.token_file},{self.log_vkey},"
                  f"{ORIGIN}")
        return ["mirror", f"--db={self.db_path}", f"--witness-key={self.key_file}", source,
                "--poll=0.5", "--backoff-initial=0.2", "--backoff-max=2", *extra]

    def run_mirror(self, *args):
        return subprocess.run([sys.executable, MIRROR, *args], capture_output=True, text=True,
                              timeout=300, check=False)

    def start_mirror(self, *args):
        output = os.path.join(self.dir, f"mirror-{len(self.processes)}.log")
        with open(output, "wb") as f:
            process = subprocess.Popen([sys.executable, MIRROR, *args], stdout=f,
                                       stderr=subprocess.STDOUT)
        process.output = output
        self.processes.append(process)
        return process

    def query(self, sql, *params):
        with sqlite3.connect(self.db_path, timeout=30) as db:
            return db.execute(sql, params).fetchall()

    def accepted(self):
        try:
            return [r[0] for r in self.query(
                "SELECT tree_size FROM checkpoints WHERE cosigned_at IS NOT NULL")]
        except sqlite3.OperationalError:
            return []

    def wait_until(self, condition, process, what, timeout=120):
        deadline = time.monotonic() + timeout
        while not condition():
            if process.poll() is not None:
                with open(process.output, encoding="utf-8", errors="replace") as f:
                    self.fail(f"the mirror exited {process.returncode}:\n{f.read()}")
            if time.monotonic() > deadline:
                with open(process.output, encoding="utf-8", errors="replace") as f:
                    self.fail(f"the mirror did not {what} in {timeout}s:\n{f.read()}")
            time.sleep(0.1)

    def feed(self):
        """Every change of the feed, by ListChanges."""
        changes, after = [], 0
        while True:
            reply = self.oversight.integration.ListChanges(
                isvc.ListChangesRequest(after_revision=after, page_size=1000), timeout=30)
            if not reply.changes:
                return changes
            changes.extend(reply.changes)
            after = reply.changes[-1].revision

    def assert_mirrors(self, feed):
        """The database holds exactly the feed's revisions, once each, with
        their leaves, and each complaint's state as the server has it."""
        rows = self.query("SELECT revision, leaf_hash FROM changes ORDER BY revision")
        self.assertEqual([r[0] for r in rows], list(range(1, len(feed) + 1)))
        self.assertEqual([bytes(r[1]) for r in rows], [bytes(c.leaf_hash) for c in feed])
        for reference, state in self.query("SELECT reference_number, state FROM complaints"):
            served = self.supervisor.complaints.GetComplaint(
                svc.GetComplaintRequest(name=f"complaints/{reference}"), timeout=10).complaint
            self.assertEqual(state, served.state, reference)

    # The tests.

    def test_once_recomputes_every_leaf_and_cosigns(self):
        self.submit_and_handle(12)
        checkpoint = self.checkpoint()
        result = self.run_mirror(*self.mirror_args("--once", "--keep-identities"))
        self.assertEqual(result.returncode, 0, result.stderr)
        # The mirror's run added one identity read per consented identity it
        # received, which it may have stopped before.
        def reads(feed):
            return sum(c.event.type == "IDENTITY_READ" for c in feed)
        feed = self.feed()
        deadline = time.monotonic() + 30
        while reads(feed) < 12 // 3 and time.monotonic() < deadline:
            time.sleep(0.1)  # numbered within milliseconds of their commit
            feed = self.feed()
        self.assertEqual(reads(feed), 12 // 3)
        mirrored = self.query("SELECT MAX(revision) FROM changes")[0][0]
        self.assertEqual({c.event.type for c in feed[mirrored:]} - {"IDENTITY_READ"}, set())
        self.assert_mirrors(feed[:mirrored])
        # Another run reads them; reading again records nothing more.
        again = self.run_mirror(*self.mirror_args("--once"))
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(len(self.feed()), len(feed))
        self.assert_mirrors(feed)
        # dumas_log's leaves, identity commitments and root agree with dumasd's.
        signed = feed[:checkpoint.tree_size]
        self.assertEqual(log.root_from_leaves(log.leaf_hash(c) for c in signed),
                         checkpoint.root_hash)
        self.assertEqual(self.query("SELECT COUNT(*) FROM identities")[0][0], 12 // 3)
        # The identity reads of its run may be in a later checkpoint it took.
        self.assertGreaterEqual(max(self.accepted(), default=0), checkpoint.tree_size)
        served = self.oversight.integration.GetCheckpoint(isvc.GetCheckpointRequest(),
                                                          timeout=10)
        if served.tree_size == checkpoint.tree_size:
            log.verify_cosignature(served.checkpoint, self.witness_vkey)
        for value in ("Warga Uji", "72710152089", "example.co.id", "0812"):
            self.assertNotIn(value, result.stderr)

    def test_kill_9_and_server_restart_lose_and_repeat_nothing(self):
        self.submit_and_handle(5)
        self.checkpoint()
        stop = threading.Event()
        failures = []

        def resort():
            try:
                while not stop.is_set():
                    self.submit_and_handle(1)
                    time.sleep(0.02)
            except Exception as error:  # noqa: BLE001 - reported below
                failures.append(error)

        worker = threading.Thread(target=resort)
        worker.start()
        try:
            rng = random.Random(11)
            for round_ in range(4):
                before = len(self.accepted())
                process = self.start_mirror(*self.mirror_args())
                self.wait_until(lambda: len(self.accepted()) > before, process,
                                "cosign a checkpoint")
                time.sleep(rng.uniform(0.0, 1.5))
                if round_ == 1:
                    logged = self.checkpoint().tree_size
                    self.server.restart()  # the stream ends UNAVAILABLE
                    self.wait_until(
                        lambda: failures or max(self.accepted(), default=0) > logged, process,
                        "resume after the server restarted")
                    self.assertEqual(failures, [])
                process.send_signal(signal.SIGKILL)
                process.wait()
        finally:
            stop.set()
            worker.join()
        self.assertEqual(failures, [])
        final = self.checkpoint()
        process = self.start_mirror(*self.mirror_args())
        # Reading the feed adds the identity reads of the last complaints, so
        # the mirror may cosign a later checkpoint than this one.
        self.wait_until(lambda: max(self.accepted(), default=0) >= final.tree_size, process,
                        f"cosign checkpoint {final.tree_size} or a later one")
        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(timeout=60), 0)
        self.assert_mirrors(self.feed()[:self.query("SELECT MAX(revision) FROM changes")[0][0]])
        self.assertGreaterEqual(self.query("SELECT MAX(revision) FROM changes")[0][0],
                                final.tree_size)
        verify = self.run_mirror(*self.mirror_args("--verify-only"))
        self.assertEqual(verify.returncode, 0, verify.stderr)

    def test_an_event_altered_in_the_database_is_found(self):
        self.submit_and_handle(6)
        self.checkpoint()
        self.assertEqual(self.run_mirror(*self.mirror_args("--once")).returncode, 0)
        feed = self.feed()
        target = feed[len(feed) // 2]
        event_id = int(target.event.name.rsplit('/', 1)[1])
        # Straight into MariaDB, past the server: the logged leaf stays.
        self.server.sql(
            "UPDATE complaint_events SET internal_note = CONCAT(COALESCE(internal_note, ''), "
            f"' (diubah)') WHERE id = {event_id}")
        result = self.run_mirror(*self.mirror_args("--verify-only"))
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(f"revision {target.revision}", result.stderr)


if __name__ == "__main__":
    unittest.main()
