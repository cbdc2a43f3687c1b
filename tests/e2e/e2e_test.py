#!/usr/bin/python3
"""End-to-end tests of Dumas through the generated Python client.

Starts a real dumasd (dumas_server.DumasServer) on the test MariaDB that
tools/test provides, and checks intake and tracking as a gateway system and a
complainant would see them. Run through ctest: `tools/test -R e2e`.
"""

import datetime
import re
import subprocess
import sys
import unittest

import grpc

import dumas_client
from dumas_server import DumasServer
from dumas.v1 import complaint_pb2, complaint_service_pb2 as svc

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_RE = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")
TRACKING_RE = re.compile(rf"^[{ALPHABET}-]+$")

# A complainant of Palu: the NIK is 72 (Sulawesi Tengah) 71 (Kota Palu) 01,
# born 12-08-1990, a woman (day 12 + 40 = 52), sequence 0001.
IDENTITY = {
    "full_name": "Siti Rahmawati Lamadjido",
    "nik": "7271015208900001",
    "phone": "0812-4567-8901",
    "email": "siti.rahmawati.e2e@example.co.id",
    "address": "Jl. Sam Ratulangi No. 17, Besusu Barat, Palu Timur",
}
PHONE_E164 = "+6281245678901"
REPLY_ADDRESS = "pengadu.balasan.e2e@example.co.id"
IDENTITY_DATA = [*IDENTITY.values(), PHONE_E164, "81245678901"]
PERSONAL_DATA = [*IDENTITY_DATA, REPLY_ADDRESS]
INCIDENT_TIME = (datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
                 - datetime.timedelta(days=3))


def ref_check_symbol(data):
    """The check symbol of 11 data symbols: weights 1..11, modulo 31."""
    return ALPHABET[sum((i + 1) * ALPHABET.index(c) for i, c in enumerate(data)) % 31]


def unknown_reference(known):
    """A well-formed reference number that is not `known`."""
    data = known.replace("-", "")[:11]
    data = data[:-1] + ALPHABET[(ALPHABET.index(data[-1]) + 1) % 31]
    symbols = data + ref_check_symbol(data)
    return "-".join(symbols[i:i + 4] for i in range(0, 12, 4))


def code_of(error):
    return error.code() if isinstance(error, grpc.Call) else None


class E2ETestCase(unittest.TestCase):
    """Shares one server per test class and builds valid requests."""

    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = DumasServer()
        cls.server.start()
        cls.public = cls.server.connect()
        cls.gateway = cls.server.connect(cls.server.gateway_token)
        categories = cls.public.complaints.ListCategories(
            svc.ListCategoriesRequest(page_size=100), timeout=10).categories
        names = [c.name for c in categories]
        cls.category = ("categories/penyalahgunaan-wewenang"
                        if "categories/penyalahgunaan-wewenang" in names else names[0])

    @classmethod
    def tearDownClass(cls):
        cls.public.close()
        cls.gateway.close()
        cls.server.stop()
        # ctest shows this only when a test failed.
        print(f"---- dumasd log ({cls.__name__}) ----\n{cls.server.log_text()}",
              file=sys.stderr)
        cls.server.close()

    def complaint(self, **changes):
        complaint = complaint_pb2.Complaint(
            description=("Saat razia di simpang Jl. Diponegoro, petugas meminta uang "
                         "Rp200.000 agar SIM saya tidak ditahan, tanpa surat tilang."),
            incident_location="Simpang Jl. Diponegoro - Jl. Gajah Mada, Palu Barat",
            category=self.category,
            channel=complaint_pb2.CHANNEL_WEB,
            reply_address=REPLY_ADDRESS,
            subject=complaint_pb2.ComplaintSubject(
                officer_name="Bripka S.",
                officer_description="Berseragam Lantas, bertugas pagi di pos simpang"),
            complainant=complaint_pb2.Complainant(**IDENTITY),
        )
        # Fixed per run, so that a retry sends exactly the same request.
        complaint.incident_time.FromDatetime(INCIDENT_TIME)
        for field, value in changes.items():
            setattr(complaint, field, value)
        return complaint

    def submit(self, complaint=None, request_id=None, client=None):
        request = svc.SubmitComplaintRequest(
            request_id=request_id or dumas_client.new_request_id(),
            complaint=complaint or self.complaint())
        return (client or self.gateway).complaints.SubmitComplaint(request, timeout=10)

    def track(self, reference, code):
        return self.public.complaints.TrackComplaint(
            svc.TrackComplaintRequest(reference_number=reference, tracking_code=code),
            timeout=10)

    def assert_rpc_error(self, code, call, *args):
        with self.assertRaises(grpc.RpcError) as raised:
            call(*args)
        self.assertEqual(code_of(raised.exception), code, raised.exception)
        return raised.exception

    def assert_no_personal_data(self, data, what, values=PERSONAL_DATA):
        if isinstance(data, str):
            data = data.encode("utf-8")
        for value in values:
            self.assertNotIn(value.encode("utf-8"), data, f"{what} contains {value!r}")


class IntakeAndTrackingTest(E2ETestCase):

    def test_list_categories_has_the_six_of_the_source(self):
        reply = self.public.complaints.ListCategories(svc.ListCategoriesRequest(), timeout=10)
        self.assertEqual(len(reply.categories), 6, reply)
        self.assertEqual(reply.next_page_token, "")
        ids = {c.name for c in reply.categories}
        for expected in ("categories/penyalahgunaan-wewenang", "categories/korupsi",
                         "categories/diskriminasi"):
            self.assertIn(expected, ids)
        for category in reply.categories:
            self.assertTrue(category.indonesian_name and category.english_name, category)

    def test_submit_then_track(self):
        reply = self.submit()
        self.assertRegex(reply.reference_number, REFERENCE_RE)
        self.assertRegex(reply.tracking_code, TRACKING_RE)
        self.assertGreaterEqual(len(reply.tracking_code.replace("-", "")), 12)
        self.assertFalse(reply.complaint.HasField("complainant"))
        # The gateway gets its reply address back, but never the identity.
        self.assert_no_personal_data(reply.SerializeToString(), "SubmitComplaintResponse",
                                     IDENTITY_DATA)

        tracked = self.track(reply.reference_number, reply.tracking_code)
        complaint = tracked.complaint
        self.assertEqual(complaint.reference_number, reply.reference_number)
        self.assertEqual(complaint.state, complaint_pb2.COMPLAINT_STATE_RECEIVED)
        self.assertEqual(complaint.category, self.category)
        self.assertGreaterEqual(len(complaint.timeline), 1, tracked)
        self.assertEqual(complaint.timeline[0].state, complaint_pb2.COMPLAINT_STATE_RECEIVED)
        self.assertTrue(complaint.timeline[0].message)
        self.assertTrue(complaint.HasField("sp3d_due_date"), tracked)
        due = complaint.sp3d_due_date
        due_date = datetime.date(due.year, due.month, due.day)
        today = datetime.date.today()
        # 20 working days: at least four weeks, at most about six with holidays.
        self.assertGreater(due_date, today + datetime.timedelta(days=25))
        self.assertLess(due_date, today + datetime.timedelta(days=50))
        self.assertFalse(complaint.sp3d_sent)
        self.assertFalse(complaint.HasField("answer"))
        self.assert_no_personal_data(tracked.SerializeToString(), "TrackComplaintResponse")

    def test_tracking_input_is_case_and_hyphen_insensitive(self):
        reply = self.submit()
        tracked = self.track(reply.reference_number.lower().replace("-", ""),
                             " " + reply.tracking_code.lower().replace("-", "") + " ")
        self.assertEqual(tracked.complaint.reference_number, reply.reference_number)

    def test_wrong_code_and_unknown_reference_look_the_same(self):
        reply = self.submit()
        code = reply.tracking_code
        wrong_code = ("3" if code[0] != "3" else "4") + code[1:]
        wrong = self.assert_rpc_error(grpc.StatusCode.NOT_FOUND, self.track,
                                      reply.reference_number, wrong_code)
        unknown = self.assert_rpc_error(grpc.StatusCode.NOT_FOUND, self.track,
                                        unknown_reference(reply.reference_number), code)
        self.assertEqual(wrong.details(), unknown.details())
        self.assertEqual(dumas_client.status_details(wrong),
                         dumas_client.status_details(unknown))

    def test_repeated_failures_are_throttled(self):
        reply = self.submit()
        code = reply.tracking_code
        wrong_code = ("3" if code[0] != "3" else "4") + code[1:]
        # One citizen behind the website back end (a gateway stating the
        # citizen's address), so that the other tests' attempts do not count.
        citizen = [("dumas-end-client-ip", "198.51.100.77")]

        def track_as_citizen(tracking_code):
            return self.gateway.complaints.TrackComplaint(
                svc.TrackComplaintRequest(reference_number=reply.reference_number,
                                          tracking_code=tracking_code),
                metadata=citizen, timeout=10)

        codes = []
        for _ in range(25):
            try:
                track_as_citizen(wrong_code)
                self.fail("a wrong tracking code was accepted")
            except grpc.RpcError as error:
                codes.append(error.code())
                if error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
                    break
        # This client spent its budget of 20 wrong pairs.
        self.assertEqual(codes.count(grpc.StatusCode.NOT_FOUND), 20, codes)
        self.assertEqual(codes[-1], grpc.StatusCode.RESOURCE_EXHAUSTED, codes)
        # The right pair is still answered: the owner is never locked out.
        self.assertEqual(track_as_citizen(code).complaint.reference_number,
                         reply.reference_number)
        # Another citizen behind the same gateway is not affected.
        with self.assertRaises(grpc.RpcError) as other:
            self.gateway.complaints.TrackComplaint(
                svc.TrackComplaintRequest(reference_number=reply.reference_number,
                                          tracking_code=wrong_code),
                metadata=[("dumas-end-client-ip", "198.51.100.78")], timeout=10)
        self.assertEqual(code_of(other.exception), grpc.StatusCode.NOT_FOUND)

    def test_retry_with_same_request_id_is_not_duplicated(self):
        request_id = dumas_client.new_request_id()
        before = int(self.server.sql("SELECT COUNT(*) FROM complaints")[0][0])
        first = self.submit(request_id=request_id)
        second = self.submit(request_id=request_id)
        self.assertEqual(second.reference_number, first.reference_number)
        self.assertEqual(second.tracking_code, first.tracking_code)
        after = int(self.server.sql("SELECT COUNT(*) FROM complaints")[0][0])
        self.assertEqual(after - before, 1)
        rows = self.server.sql("SELECT COUNT(*) FROM complaints WHERE reference_number = "
                               f"'{first.reference_number}'")
        self.assertEqual(rows[0][0], "1")
        # The answer to the retry still works for tracking.
        self.track(second.reference_number, second.tracking_code)

    def test_same_request_id_with_another_body_is_refused(self):
        request_id = dumas_client.new_request_id()
        self.submit(request_id=request_id)
        other = self.complaint(incident_location="Pos Lantas Tugu Nol Kilometer, Palu")
        self.assert_rpc_error(grpc.StatusCode.ALREADY_EXISTS, self.submit, other, request_id)

    def test_invalid_fields_are_each_named_without_their_values(self):
        bad_nik = "7271019999990001"
        bad_phone = "12345"
        complaint = self.complaint(description="", category="categories/tidak-ada",
                                   channel=complaint_pb2.CHANNEL_UNSPECIFIED)
        complaint.complainant.nik = bad_nik
        complaint.complainant.phone = bad_phone
        error = self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.submit, complaint)
        violations = dumas_client.field_violations(error)
        fields = {v.field for v in violations}
        for field in ("complaint.complainant.nik", "complaint.complainant.phone",
                      "complaint.description", "complaint.category", "complaint.channel"):
            self.assertIn(field, fields, violations)
        for v in violations:
            self.assertTrue(v.description, v)
        trailers = b"".join(
            value if isinstance(value, bytes) else value.encode()
            for _, value in error.trailing_metadata() or ())
        for value in (bad_nik, bad_phone, "tidak-ada", IDENTITY["full_name"]):
            self.assertNotIn(value, error.details())
            self.assertNotIn(value.encode(), trailers)

    def test_each_invalid_field_alone(self):
        cases = {
            "complaint.complainant.nik": lambda c: setattr(c.complainant, "nik", "1234"),
            "complaint.complainant.phone":
                lambda c: setattr(c.complainant, "phone", "+1 202 555 0100"),
            "complaint.description": lambda c: setattr(c, "description", ""),
            "complaint.category": lambda c: setattr(c, "category", "categories/tidak-ada"),
            "complaint.channel":
                lambda c: setattr(c, "channel", complaint_pb2.CHANNEL_UNSPECIFIED),
        }
        for field, spoil in cases.items():
            with self.subTest(field=field):
                complaint = self.complaint()
                spoil(complaint)
                error = self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT,
                                              self.submit, complaint)
                fields = {v.field for v in dumas_client.field_violations(error)}
                self.assertIn(field, fields)

    def test_submission_needs_a_valid_token(self):
        self.assert_rpc_error(grpc.StatusCode.UNAUTHENTICATED, self.submit, None, None,
                              self.public)
        with self.server.connect("not-a-real-token") as wrong:
            self.assert_rpc_error(grpc.StatusCode.UNAUTHENTICATED, self.submit, None, None,
                                  wrong)

    def test_identity_is_not_stored_in_plaintext(self):
        reply = self.submit()
        # The raw row of the complaint, every column (binary ones in hex).
        rows = self.server.sql("SELECT * FROM complaints WHERE reference_number = "
                               f"'{reply.reference_number}'")
        self.assertEqual(len(rows), 1)
        row = "\t".join(rows[0])
        self.assert_no_personal_data(row, "the complaint's row")
        for value in PERSONAL_DATA:
            self.assertNotIn(value.encode("utf-8").hex().upper(), row.upper(),
                             f"the complaint's row holds {value!r} in hex")
        # And nowhere in the database, binary columns included (in hex).
        dump = self.server.dump()
        self.assertIn(reply.reference_number, dump)
        self.assert_no_personal_data(dump, "the database")
        hex_dump = dump.upper()
        for value in PERSONAL_DATA:
            self.assertNotIn(value.encode("utf-8").hex().upper(), hex_dump,
                             f"the database holds {value!r} in hex")


class CreateTokenTest(E2ETestCase):
    """dumasd create-token binds a gateway to its channels."""

    def create_token(self, *flags):
        return subprocess.run(
            [self.server.dumasd, "create-token", *flags, *self.server.flags()],
            capture_output=True, text=True, timeout=60, check=False)

    def test_a_gateway_needs_its_channels(self):
        missing = self.create_token("--role=GATEWAY", "--name=gw-nothing")
        self.assertEqual(missing.returncode, 2, missing.stderr)
        self.assertIn("--channels", missing.stderr)
        unknown = self.create_token("--role=GATEWAY", "--name=gw-pigeon", "--channels=PIGEON")
        self.assertEqual(unknown.returncode, 2, unknown.stderr)
        not_gateway = self.create_token("--role=INTAKE", "--name=in-x", "--channels=WEB")
        self.assertEqual(not_gateway.returncode, 2, not_gateway.stderr)

        made = self.create_token("--role=GATEWAY", "--name=gw-wa", "--channels=whatsapp")
        self.assertEqual(made.returncode, 0, made.stderr)
        whatsapp = self.server.connect(made.stdout.strip())
        try:
            # Its own channel, yes; another, no.
            whatsapp.complaints.SubmitComplaint(svc.SubmitComplaintRequest(
                request_id=dumas_client.new_request_id(),
                complaint=self.complaint(channel=complaint_pb2.CHANNEL_WHATSAPP,
                                         reply_address="+6281234567890")), timeout=10)
            self.assert_rpc_error(grpc.StatusCode.PERMISSION_DENIED, self.submit,
                                  self.complaint(), None, whatsapp)
        finally:
            whatsapp.close()


class LifecycleTest(E2ETestCase):
    """Runs last (alphabetically after IntakeAndTrackingTest): its own server
    sees personal data, then SIGTERM."""

    def test_log_has_no_personal_data_and_sigterm_stops_cleanly(self):
        reply = self.submit()
        self.track(reply.reference_number, reply.tracking_code)
        bad = self.complaint()
        bad.complainant.nik = "7271019999990001"
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.submit, bad)

        code, seconds = self.server.stop()
        self.assertEqual(code, 0, self.server.log_text())
        self.assertLess(seconds, 10)
        log = self.server.log_text()
        self.assertTrue(log.strip(), "dumasd wrote no log")
        self.assert_no_personal_data(log, "dumasd's log")
        self.assertNotIn("7271019999990001", log)
        events = [entry.get("event") for entry in self.server.log_entries()]
        self.assertIn("serving", events)


if __name__ == "__main__":
    unittest.main(verbosity=2)
