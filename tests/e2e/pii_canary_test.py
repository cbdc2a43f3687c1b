#!/usr/bin/python3
"""PII canaries: no identity of a complainant anywhere it must not be.

Starts a MariaDB of its own (tools/db: binary log on, ROW format) and a real
dumasd on it, then runs a realistic workload in which every identity field
and every reply address holds a unique synthetic value (a canary): gateways
submit through several channels (confidential complaints and complaints
shared with Kompolnas among them), Kompolnas imports one, complainants track
and answer, staff handle a complaint through its whole lifecycle and read
identities, gateways fetch and acknowledge notifications, Kompolnas reads the
change feed with the identities shared with it, and invalid requests carry
canaries in the fields they get wrong.

Then it stops dumasd, dumps the database with mariadb-dump (as a backup
would), shuts MariaDB down cleanly (so that InnoDB writes every page) and
searches for every canary, as UTF-8, UTF-16, hex and base64 (at each of the
three alignments), in: dumasd's log, MariaDB's error log, every error
message a client saw, the binary log files, every file of the data
directory (ibdata, .ibd, redo and undo logs) and the dumps. A hit names the
place, the encoding and which canary, never the value.

Run through ctest: `tools/test -R pii_canary`.
"""

import base64
import datetime
import os
import random
import re
import secrets
import shutil
import socket
import string
import subprocess
import tempfile
import time
import unittest

import grpc

import dumas_client
from dumas_server import DumasServer
from dumas.v1 import complaint_pb2, complaint_service_pb2 as svc
from dumas.v1 import integration_service_pb2 as isvc
from dumas.v1 import notification_service_pb2 as nsvc

TOOLS_DB = os.environ.get("DUMAS_TOOLS_DB", "")
ZERO_RUN = re.compile(b"\0{256,}")
INCIDENT_TIME = (datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
                 - datetime.timedelta(days=2))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Canaries:
    """Unique synthetic values, each with a label that says what it is."""

    def __init__(self):
        self.rng = random.Random(secrets.randbits(64))
        self.values = {}  # label -> the value as given
        self.forms = {}   # label -> every form the server may store it in

    def word(self):
        return "".join(self.rng.choice(string.ascii_lowercase) for _ in range(8)).capitalize()

    def digits(self, n):
        return "".join(self.rng.choice(string.digits) for _ in range(n))

    def add(self, label, value, *more_forms):
        self.values[label] = value
        self.forms[label] = [value, *more_forms]
        return value

    def identity(self, who):
        """A complainant whose every field is a canary."""
        # 72 71 (Kota Palu), a district 10-59, a woman born 1985-03-14 (day
        # 14 + 40 = 54), a random non-zero sequence.
        nik = f"7271{self.rng.randint(10, 59)}540385{self.rng.randint(1, 9999):04d}"
        phone_digits = "812" + self.digits(8)
        return complaint_pb2.Complainant(
            full_name=self.add(f"{who}.full_name", f"Kanari {self.word()} {self.word()}"),
            nik=self.add(f"{who}.nik", nik),
            phone=self.add(f"{who}.phone", f"0{phone_digits}", f"+62{phone_digits}",
                           phone_digits),
            email=self.add(f"{who}.email", f"kanari.{self.word().lower()}@example.id"),
            address=self.add(f"{who}.address",
                             f"Jl. Kanari {self.word()} No. {self.rng.randint(1, 99)}, Palu"))

    def reply_address(self, who, channel):
        if channel in (complaint_pb2.CHANNEL_EMAIL, complaint_pb2.CHANNEL_WEB):
            return self.add(f"{who}.reply_address",
                            f"balasan.{self.word().lower()}@example.id")
        if channel in (complaint_pb2.CHANNEL_WHATSAPP, complaint_pb2.CHANNEL_PHONE):
            digits = "813" + self.digits(8)
            return self.add(f"{who}.reply_address", f"0{digits}", f"+62{digits}", digits)
        return self.add(f"{who}.reply_address",
                        f"Jl. Balasan {self.word()} No. {self.rng.randint(1, 99)}, Palu")


def base64_needles(data):
    """The base64 of `data` wherever it starts in a longer string: for each
    of the three alignments, the characters that depend on `data` alone."""
    needles = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data + b"\0\0")
        first, last = offset, offset + len(data)  # data's bytes: [first, last)
        chars = [j for j in range(len(encoded))
                 if (6 * j) // 8 >= first and (6 * j + 5) // 8 < last]
        if chars:
            needle = encoded[chars[0]:chars[-1] + 1]
            needles.append(("base64", needle))
            needles.append(("base64url", needle.replace(b"+", b"-").replace(b"/", b"_")))
    return needles


def encodings(value):
    """(encoding name, bytes) of every form searched for."""
    raw = value.encode("utf-8")
    return [("utf-8", raw), ("utf-16-le", value.encode("utf-16-le")),
            ("utf-16-be", value.encode("utf-16-be")), ("hex", raw.hex().encode()),
            ("HEX", raw.hex().upper().encode()), *base64_needles(raw)]


class PiiCanaryTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not TOOLS_DB or not os.access(TOOLS_DB, os.X_OK):
            raise RuntimeError("DUMAS_TOOLS_DB does not name tools/db: run through ctest")
        # Under /tmp: the socket's path must stay short.
        cls.dir = tempfile.mkdtemp(prefix="dumas-canary-", dir="/tmp")
        cls.db_dir = os.path.join(cls.dir, "db")
        subprocess.run([TOOLS_DB, "start", cls.db_dir, str(free_port())], check=True,
                       timeout=120)
        os.environ["DUMAS_TEST_MYSQL_SOCKET"] = os.path.join(cls.db_dir, "mysqld.sock")
        cls.server = DumasServer(prefix="canary", serve_flags=["--checkpoint_interval=1s"])
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        subprocess.run([TOOLS_DB, "stop", cls.db_dir], check=False, timeout=120)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.canaries = Canaries()
        self.errors = []  # every error message a client saw
        s = self.server
        self.gateway = s.connect(s.create_token(
            "GATEWAY", "canary-gateway",
            channels=["WEB", "EMAIL", "WHATSAPP", "PHONE", "WALK_IN"]))
        self.kompolnas = s.connect(s.create_token("GATEWAY", "canary-kompolnas",
                                                  channels=["KOMPOLNAS"]))
        self.intake = s.connect(s.create_token("INTAKE", "canary-spkt"))
        self.supervisor = s.connect(s.create_token("SUPERVISOR", "canary-kasi",
                                                   unit="propam"))
        self.unit = s.connect(s.create_token("UNIT", "canary-propam", unit="propam"))
        self.oversight = s.connect(s.create_token("OVERSIGHT", "canary-kompolnas-reader"))
        self.public = s.connect()
        for client in (self.gateway, self.kompolnas, self.intake, self.supervisor, self.unit,
                       self.oversight, self.public):
            self.addCleanup(client.close)

    # --- Calls ---

    def call(self, method, request):
        """Calls `method`, keeping the error message if it fails."""
        try:
            return method(request, timeout=30)
        except grpc.RpcError as error:
            self.errors.append(error.details() or "")
            for violation in dumas_client.field_violations(error):
                self.errors.append(f"{violation.field}: {violation.description}")
            raise

    def refused(self, method, request):
        with self.assertRaises(grpc.RpcError) as raised:
            self.call(method, request)
        self.assertNotIn(raised.exception.code(),
                         (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN))

    def complaint(self, who, channel, **changes):
        c = complaint_pb2.Complaint(
            description="Petugas SPKT menolak menerima laporan kehilangan saya tanpa alasan.",
            incident_location="SPKT Polres Palu, Jl. Sam Ratulangi, Palu",
            category="categories/pelayanan-buruk", channel=channel,
            reply_address=self.canaries.reply_address(who, channel),
            subject=complaint_pb2.ComplaintSubject(unit="units/spkt",
                                                   officer_name="Bripda K."),
            complainant=self.canaries.identity(who), **changes)
        c.incident_time.FromDatetime(INCIDENT_TIME)
        return c

    def submit(self, complaint):
        return self.call(self.gateway.complaints.SubmitComplaint, svc.SubmitComplaintRequest(
            request_id=dumas_client.new_request_id(), complaint=complaint))

    def staff(self, client, method, name, **fields):
        etag = self.call(self.supervisor.complaints.GetComplaint,
                         svc.GetComplaintRequest(name=name)).complaint.etag
        request_type = getattr(svc, method + "Request")
        return self.call(getattr(client.complaints, method),
                         request_type(name=name, etag=etag,
                                      request_id=dumas_client.new_request_id(), **fields))

    def complainant(self, method, reply, **fields):
        request_type = getattr(svc, method + "Request")
        return self.call(getattr(self.public.complaints, method), request_type(
            reference_number=reply.reference_number, tracking_code=reply.tracking_code,
            request_id=dumas_client.new_request_id(), **fields))

    # --- The workload ---

    def run_workload(self):
        C = complaint_pb2
        submitted = {
            "email": self.submit(self.complaint("email", C.CHANNEL_EMAIL)),
            "whatsapp": self.submit(self.complaint("whatsapp", C.CHANNEL_WHATSAPP,
                                                   share_identity_with_kompolnas=True)),
            "walk_in": self.submit(self.complaint("walk_in", C.CHANNEL_WALK_IN,
                                                  confidential=True)),
            "web": self.submit(self.complaint("web", C.CHANNEL_WEB, confidential=True,
                                              share_identity_with_kompolnas=True)),
        }
        imported = self.complaint("kompolnas", C.CHANNEL_KOMPOLNAS)
        # The reply address of an import is Kompolnas' reference, not personal.
        imported.reply_address = "KOMPOLNAS-2026-000777"
        del self.canaries.forms["kompolnas.reply_address"]
        request = isvc.ImportComplaintRequest(external_id="KOMPOLNAS-2026-000777",
                                              complaint=imported)
        request.receive_time.FromDatetime(INCIDENT_TIME)
        submitted["kompolnas"] = self.call(self.kompolnas.integration.ImportComplaint,
                                           request)
        for who, reply in submitted.items():
            # The tracking code is a secret too: only its hash is kept.
            self.canaries.add(f"{who}.tracking_code", reply.tracking_code,
                              reply.tracking_code.replace("-", ""))
            self.call(self.public.complaints.TrackComplaint, svc.TrackComplaintRequest(
                reference_number=reply.reference_number, tracking_code=reply.tracking_code))

        # One complaint through its whole lifecycle, the complainant taking
        # part, with identity reads on the way.
        reply = submitted["email"]
        name = f"complaints/{reply.reference_number}"
        full = svc.GetComplaintRequest(name=name, view=C.COMPLAINT_VIEW_FULL)
        self.call(self.supervisor.complaints.GetComplaint, full)
        self.staff(self.intake, "VerifyComplaint", name, internal_note="Layak ditindaklanjuti.")
        self.staff(self.supervisor, "AssignComplaint", name, handling_unit="units/propam")
        self.staff(self.unit, "StartInvestigation", name)
        self.staff(self.unit, "RequestClarification", name,
                   question="Mohon sebutkan jam kejadian dan nama petugas jaga.")
        self.complainant("RespondToClarification", reply,
                         text="Sekitar pukul sepuluh pagi, petugas jaga berseragam dinas.")
        self.call(self.unit.complaints.GetComplaint, full)
        self.staff(self.unit, "ConcludeComplaint", name, outcome=C.OUTCOME_SUBSTANTIATED,
                   findings="Keterangan saksi membenarkan penolakan laporan.")
        self.staff(self.supervisor, "AnswerComplaint", name,
                   answer="Pengaduan terbukti; petugas telah diberi teguran tertulis.")
        self.complainant("DisputeAnswer", reply,
                         reason="Saya ingin tahu apakah petugas itu masih bertugas di SPKT.")
        self.staff(self.supervisor, "AddComplaintNote", name,
                   text="Pelapor menyanggah; berkas dibuka kembali.")
        for other in ("whatsapp", "walk_in", "web", "kompolnas"):
            other_name = f"complaints/{submitted[other].reference_number}"
            self.call(self.supervisor.complaints.GetComplaint,
                      svc.GetComplaintRequest(name=other_name, view=C.COMPLAINT_VIEW_FULL))
            self.staff(self.intake, "VerifyComplaint", other_name)
        self.call(self.supervisor.complaints.ListComplaints, svc.ListComplaintsRequest())

        # Gateways deliver what is owed to complainants.
        for gateway in (self.gateway, self.kompolnas):
            fetched = self.call(gateway.notifications.FetchNotifications,
                                nsvc.FetchNotificationsRequest(max_notifications=100))
            self.assertTrue(fetched.notifications)
            self.call(gateway.notifications.AcknowledgeNotifications,
                      nsvc.AcknowledgeNotificationsRequest(
                          names=[n.name for n in fetched.notifications]))

        # Kompolnas reads the feed, with the identities shared with it.
        shared = 0
        deadline = time.monotonic() + 60
        while True:
            changes = self.call(self.oversight.integration.ListChanges,
                                isvc.ListChangesRequest(after_revision=0, page_size=1000))
            shared = sum(1 for c in changes.changes if c.complainant.nik)
            if shared >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(shared, 2, "the two complaints that share the identity, once each")

        # Invalid requests whose wrong fields hold canaries.
        bad = self.complaint("invalid", C.CHANNEL_EMAIL)
        bad.complainant.nik = self.canaries.add("invalid.nik_bad_date", "7271019999" +
                                                self.canaries.digits(6))
        bad.complainant.phone = self.canaries.add("invalid.phone_bad",
                                                  "0712" + self.canaries.digits(9) + "99")
        bad.complainant.email = self.canaries.add("invalid.email_bad",
                                                  f"kanari {self.canaries.word()}@@example")
        bad.reply_address = self.canaries.add("invalid.reply_bad",
                                              f"bukan-email-{self.canaries.word()}")
        self.refused(self.gateway.complaints.SubmitComplaint, svc.SubmitComplaintRequest(
            request_id=dumas_client.new_request_id(), complaint=bad))
        self.refused(self.public.complaints.TrackComplaint, svc.TrackComplaintRequest(
            reference_number=reply.reference_number,
            tracking_code=self.canaries.add("invalid.tracking_code", "T7KX-93QM-PC4H-WR")))
        self.refused(self.public.complaints.TrackComplaint, svc.TrackComplaintRequest(
            reference_number=self.canaries.values["whatsapp.nik"], tracking_code="X"))

        # Everything is logged and a checkpoint signed before the server stops.
        deadline = time.monotonic() + 60
        while True:
            try:
                self.call(self.oversight.integration.CreateCheckpoint,
                          isvc.CreateCheckpointRequest())
                break
            except grpc.RpcError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    # --- The search ---

    def places(self):
        """(name, bytes) of every place a canary must not be."""
        places = [("dumasd log", self.server.log_text().encode("utf-8", "replace")),
                  ("client error messages", "\n".join(self.errors).encode("utf-8"))]
        with open(os.path.join(self.dir, "backup.sql"), "wb") as out:
            subprocess.run(["mariadb-dump", "--no-defaults", f"--socket={self.server.mysql_socket}",
                            "-uroot", "--single-transaction", "--routines", "--events",
                            "--all-databases"], stdout=out, check=True, timeout=120)
        places.append(("mariadb-dump backup", self.server.dump().encode("utf-8", "replace")))
        # A clean, slow shutdown writes every page to the data files.
        subprocess.run(["mariadb", "--no-defaults", f"--socket={self.server.mysql_socket}",
                        "-uroot", "-e", "FLUSH BINARY LOGS; SET GLOBAL innodb_fast_shutdown = 0"],
                       check=True, timeout=60)
        subprocess.run([TOOLS_DB, "stop", self.db_dir], check=True, timeout=300)
        for root, _, files in os.walk(self.dir):
            for file in sorted(files):
                path = os.path.join(root, file)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                with open(path, "rb") as f:
                    places.append((os.path.relpath(path, self.dir), f.read()))
        return places

    @staticmethod
    def without_zero_runs(data):
        """`data` with each long run of zero bytes (most of a redo log) cut
        to 32, which no needle holds: the search gets faster, and finds the
        same."""
        return ZERO_RUN.sub(b"\0" * 32, data)

    def test_no_canary_outside_where_it_belongs(self):
        self.run_workload()
        self.server.stop()
        self.assertGreater(len(self.canaries.forms), 30)
        places = [(name, self.without_zero_runs(data)) for name, data in self.places()]
        names = [name for name, _ in places]
        # The search reaches the places it must.
        for expected in ("data/ibdata1", "binlog/mariadb-bin.000001", "backup.sql",
                         "dumasd log", "client error messages"):
            self.assertTrue(any(n.endswith(expected) for n in names), f"{expected} not searched")
        self.assertTrue(any(n.endswith(".ibd") for n in names), "no .ibd file searched")
        self.assertTrue(any("ib_logfile" in n for n in names), "no redo log searched")
        self.assertTrue(self.errors, "no error message was collected")
        # A known non-identity value is found, so the search works.
        description = "Petugas SPKT menolak menerima laporan kehilangan saya".encode()
        self.assertTrue(any(description in data for name, data in places
                            if name.endswith(".ibd")), "the search finds nothing at all")

        leaks = []
        for label, forms in sorted(self.canaries.forms.items()):
            for form in forms:
                for encoding, needle in encodings(form):
                    for place, data in places:
                        if needle in data:
                            leaks.append(f"{label} ({encoding}) in {place} at byte "
                                         f"{data.find(needle)}")
        self.assertEqual(leaks, [], "identity found where it must not be:\n" + "\n".join(leaks))


if __name__ == "__main__":
    unittest.main(verbosity=2)
