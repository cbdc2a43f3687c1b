#!/usr/bin/python3
"""Backup and restore, end to end: tools/backup while writes continue,
tools/restore into a new database, dumasd on it.

Every complaint acknowledged before the backup began is found in the restored
database, decryptable with the key file, and the restored transparency log
is consistent with the last checkpoint verified before the backup
(dumas-verify-log with the state it kept). Run through ctest:
`tools/test -R backup_restore_test`.
"""

import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import grpc

import dumas_client
from dumas_server import DumasServer
from dumas.v1 import complaint_pb2, complaint_service_pb2 as svc
from dumas.v1 import integration_service_pb2 as integration

SOURCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TOOLS = os.path.join(SOURCE_DIR, "tools")


class BackupRestoreTest(unittest.TestCase):

    def setUp(self):
        self.verify_log = os.environ.get("DUMAS_VERIFY_LOG")
        self.assertTrue(self.verify_log and os.access(self.verify_log, os.X_OK),
                        "DUMAS_VERIFY_LOG (dumas-verify-log) is not built")
        self.work = tempfile.mkdtemp(prefix="dumas-backup-")
        self.source = DumasServer(prefix="backup", serve_flags=["--checkpoint_interval=1s"])
        self.restored = None
        self.source.start()
        self.oversight_file = os.path.join(self.work, "oversight.token")
        with open(self.oversight_file, "w", encoding="utf-8") as f:
            f.write(self.source.create_token("OVERSIGHT", "backup-oversight") + "\n")
        self.log_key_file = os.path.join(self.work, "log.vkey")
        with open(self.log_key_file, "w", encoding="utf-8") as f:
            f.write(self.source.run("log-key", f"--key_file={self.source.key_file}"))
        self.gateway = self.source.connect(self.source.gateway_token)
        categories = self.source.connect().complaints.ListCategories(
            svc.ListCategoriesRequest(page_size=100), timeout=10).categories
        self.category = categories[0].name

    def tearDown(self):
        self.gateway.close()
        if self.restored is not None:
            self.restored.close()
        self.source.stop()
        print(f"---- dumasd log ----\n{self.source.log_text()}", file=sys.stderr)
        self.source.close()
        shutil.rmtree(self.work, ignore_errors=True)

    def submit(self, n):
        complaint = complaint_pb2.Complaint(
            description=f"Petugas meminta uang agar kendaraan tidak ditahan (uji cadangan {n}).",
            incident_location="Jl. Diponegoro, Palu Barat",
            category=self.category,
            channel=complaint_pb2.CHANNEL_WEB,
            reply_address=f"uji.cadangan.{n}@example.co.id",
            subject=complaint_pb2.ComplaintSubject(officer_name="Bripka S.",
                                                officer_description="Petugas pos simpang"),
            complainant=complaint_pb2.Complainant(
                full_name=f"Pengadu Uji {n}", nik=f"727101520890{n % 10000:04d}",
                phone="0812-0000-0000", email=f"uji.cadangan.{n}@example.co.id",
                address="Jl. Uji No. 1, Palu"))
        complaint.incident_time.FromDatetime(
            datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
            - datetime.timedelta(days=2))
        reply = self.gateway.complaints.SubmitComplaint(
            svc.SubmitComplaintRequest(request_id=dumas_client.new_request_id(),
                                       complaint=complaint), timeout=20)
        return reply.reference_number, reply.tracking_code

    def verify(self, target, state_dir):
        return subprocess.run(
            [self.verify_log, f"--target={target}", f"--token_file={self.oversight_file}",
             f"--log_key=@{self.log_key_file}", f"--state_dir={state_dir}"],
            capture_output=True, text=True, timeout=120, check=False)

    def test_backup_while_writing_then_restore(self):
        acknowledged = [self.submit(n) for n in range(1, 6)]
        # A checkpoint covering them, verified and kept as a verifier would.
        reader = self.source.connect(self.source.admin_token)
        deadline = time.monotonic() + 30
        while True:
            try:
                checkpoint = reader.integration.GetCheckpoint(
                    integration.GetCheckpointRequest(), timeout=10)
                if checkpoint.tree_size >= len(acknowledged):
                    break
            except grpc.RpcError:
                pass
            self.assertLess(time.monotonic(), deadline, "no checkpoint of the log")
            time.sleep(0.2)
        reader.close()
        state_dir = os.path.join(self.work, "verifier-state")
        verified = self.verify(self.source.target, state_dir)
        self.assertEqual(verified.returncode, 0, verified.stdout + verified.stderr)

        # Writes go on during the backup.
        stop = threading.Event()
        errors = []

        def write():
            n = 100
            while not stop.is_set():
                try:
                    acknowledged.append(self.submit(n))
                except grpc.RpcError as e:
                    errors.append(e.code())
                n += 1

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.5)
        before_backup = list(acknowledged)
        backup_dir = os.path.join(self.work, "backups")
        env = dict(os.environ, DUMAS_DB=self.source.database)
        backup = subprocess.run(
            [os.path.join(TOOLS, "backup"), "database", backup_dir,
             f"--socket={self.source.mysql_socket}", "--user=root"],
            capture_output=True, text=True, timeout=300, check=False, env=env)
        time.sleep(0.5)
        stop.set()
        writer.join()
        self.assertEqual(backup.returncode, 0, backup.stderr)
        self.assertEqual(errors, [])
        self.assertGreater(len(acknowledged), len(before_backup))
        print(f"acknowledged before the backup: {len(before_backup)}, "
              f"in all: {len(acknowledged)}", file=sys.stderr)
        dump = backup.stdout.strip()
        key = subprocess.run(
            [os.path.join(TOOLS, "backup"), "key", self.source.key_file,
             os.path.join(self.work, "keys")],
            capture_output=True, text=True, timeout=60, check=True).stdout.strip()

        # Restore into a new database; dumasd serves it with the key file's copy.
        self.restored = DumasServer(prefix="restored")
        restore = subprocess.run(
            [os.path.join(TOOLS, "restore"), dump, self.restored.database,
             f"--socket={self.source.mysql_socket}", "--user=root"],
            capture_output=True, text=True, timeout=300, check=False)
        self.assertEqual(restore.returncode, 0, restore.stderr)
        self.restored.key_file = key
        self.restored.run("migrate", *self.restored.flags())
        self.restored._serve(60)  # pylint: disable=protected-access

        with self.restored.connect() as public:
            for reference, code in before_backup:
                reply = public.complaints.TrackComplaint(
                    svc.TrackComplaintRequest(reference_number=reference, tracking_code=code),
                    timeout=10)
                self.assertEqual(reply.complaint.reference_number, reference)
        # The identities decrypt with the key file's copy.
        with self.restored.connect(self.restored.create_token("SUPERVISOR", "restore-check")) as s:
            reference = before_backup[0][0]
            found = s.complaints.GetComplaint(
                svc.GetComplaintRequest(name=f"complaints/{reference}",
                                        view=complaint_pb2.COMPLAINT_VIEW_FULL), timeout=10)
            self.assertEqual(found.complaint.complainant.full_name, "Pengadu Uji 1")

        # The restored log extends the checkpoint verified before the backup.
        verified = self.verify(self.restored.target, state_dir)
        self.assertEqual(verified.returncode, 0, verified.stdout + verified.stderr)


if __name__ == "__main__":
    unittest.main()
