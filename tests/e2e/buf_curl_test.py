#!/usr/bin/python3
"""End-to-end test of Dumas through `buf curl` and server reflection.

What an operator does from the command line (README): list the methods over
reflection, check health, submit a complaint with the gateway token, track it.
Needs BUF (the buf binary, set by ctest) besides what dumas_server needs.
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile
import unittest

from dumas_server import DumasServer, SetupError


class BufCurlTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.buf = os.environ.get("BUF", "")
        if not os.access(cls.buf, os.X_OK):
            raise SetupError(f"BUF is not an executable buf ({cls.buf!r}): run tools/setup")
        # buf keeps a cache; keep it out of the user's home during tests.
        cls.cache = tempfile.TemporaryDirectory(prefix="dumas-buf-cache-")
        cls.server = DumasServer(prefix="bufcurl")
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        print(f"---- dumasd log ----\n{cls.server.log_text()}", file=sys.stderr)
        cls.server.close()
        cls.cache.cleanup()

    def buf_curl(self, *args):
        """Runs `buf curl --protocol grpc --http2-prior-knowledge ARGS`; returns stdout."""
        env = dict(os.environ, BUF_CACHE_DIR=self.cache.name)
        result = subprocess.run(
            [self.buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge", *args],
            capture_output=True, text=True, env=env, timeout=60, check=False)
        self.assertEqual(result.returncode, 0,
                         f"buf curl {' '.join(args)}\nstdout: {result.stdout}\n"
                         f"stderr: {result.stderr}")
        return result.stdout

    def url(self, method=""):
        return f"http://{self.server.target}/{method}"

    def test_reflection_lists_the_methods(self):
        methods = self.buf_curl("--list-methods", self.url()).split()
        for method in ("dumas.v1.ComplaintService/SubmitComplaint",
                       "dumas.v1.ComplaintService/TrackComplaint",
                       "dumas.v1.ComplaintService/GetComplaint",
                       "dumas.v1.ComplaintService/ListCategories",
                       "grpc.health.v1.Health/Check"):
            self.assertIn(method, methods)

    def test_health_check_is_serving(self):
        reply = json.loads(self.buf_curl(self.url("grpc.health.v1.Health/Check")))
        self.assertEqual(reply, {"status": "SERVING"})

    def test_list_categories(self):
        reply = json.loads(self.buf_curl(
            self.url("dumas.v1.ComplaintService/ListCategories")))
        self.assertEqual(len(reply["categories"]), 6, reply)

    def test_submit_then_track(self):
        incident = (datetime.datetime.now(datetime.timezone.utc)
                    - datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        request = {
            "request_id": "6f1c2a9e-3b7d-4e51-9a0c-2d8b7e4f1a63",
            "complaint": {
                "description": "Petugas SPKT menolak menerima laporan kehilangan saya "
                               "dan meminta saya datang lagi besok tanpa alasan.",
                "incident_time": incident,
                "incident_location": "SPKT Polres Palu, Jl. Sam Ratulangi",
                "category": "categories/pelayanan-buruk",
                "channel": "CHANNEL_WHATSAPP",
                "reply_address": "+62 813-5566-7788",
                "subject": {"officer_name": "Brigpol R."},
                "complainant": {
                    "full_name": "Moh. Rizal Tanjung",
                    "nik": "7271031407850002",
                    "phone": "081355667788",
                },
            },
        }
        auth = f"authorization: Bearer {self.server.gateway_token}"
        submitted = json.loads(self.buf_curl(
            "-H", auth, "-d", json.dumps(request),
            self.url("dumas.v1.ComplaintService/SubmitComplaint")))
        reference = submitted["referenceNumber"]
        code = submitted["trackingCode"]
        self.assertRegex(reference, r"^[2-9A-HJ-KMNP-Z]{4}-[2-9A-HJ-KMNP-Z]{4}-[2-9A-HJ-KMNP-Z]{4}$")
        self.assertNotIn("complainant", submitted.get("complaint", {}))

        tracked = json.loads(self.buf_curl(
            "-d", json.dumps({"reference_number": reference, "tracking_code": code}),
            self.url("dumas.v1.ComplaintService/TrackComplaint")))
        complaint = tracked["complaint"]
        self.assertEqual(complaint["referenceNumber"], reference)
        self.assertEqual(complaint["state"], "COMPLAINT_STATE_RECEIVED")
        self.assertIn("sp3dDueDate", complaint)
        self.assertEqual(complaint["timeline"][0]["state"], "COMPLAINT_STATE_RECEIVED")
        text = json.dumps(tracked)
        for personal in ("Moh. Rizal Tanjung", "7271031407850002", "81355667788"):
            self.assertNotIn(personal, text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
