#!/usr/bin/python3
"""End-to-end tests of dumasctl, the operator's command line, against a real dumasd.

Every command runs as an operator would run it (settings and token files
from the environment) and is checked for its output and exit status, and
for its errors: bad token (5), unknown reference (4), bad input (3), server
down (7), bad command line (2), unreadable settings (9).

Environment (set by ctest): DUMASD, DUMASCTL, and the test MariaDB of
tools/test.
"""

import json
import os

import subprocess
import unittest

from dumas_server import DumasServer

DUMASCTL = os.environ.get("DUMASCTL", "")
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def unknown_reference(known):
    """A well-formed reference number (right check symbol) that is not `known`."""
    data = known.replace("-", "")[:11]
    data = data[:-1] + ALPHABET[(ALPHABET.index(data[-1]) + 1) % 31]
    check = ALPHABET[sum((i + 1) * ALPHABET.index(c) for i, c in enumerate(data)) % 31]
    symbols = data + check
    return "-".join(symbols[i:i + 4] for i in range(0, 12, 4))


class DumasctlTest(unittest.TestCase):
    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = DumasServer(prefix="ctl")
        try:
            cls.server.start()
        except Exception:
            cls.server.close()
            raise
        cls.tokens = {}
        for key, token in [
                ("admin", cls.server.admin_token),
                ("gateway", cls.server.gateway_token),
                ("supervisor", cls.server.create_token("SUPERVISOR", "ctl-supervisor",
                                                       unit="propam")),
                ("oversight", cls.server.create_token("OVERSIGHT", "ctl-oversight")),
                ("bad", "not-a-token")]:
            path = os.path.join(cls.server.dir, f"{key}.token")
            with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
                f.write(token + "\n")
            cls.tokens[key] = path
        cls.complaint_file = os.path.join(cls.server.dir, "complaint.json")
        with open(cls.complaint_file, "w", encoding="utf-8") as f:
            json.dump({"complaint": {
                "description": "Petugas SPKT menolak menerima laporan kehilangan saya tanpa alasan.",
                "incident_time": "2026-03-05T10:15:00+08:00",
                "incident_location": "SPKT Polres Palu",
                "category": "categories/pelayanan-buruk",
                "channel": "CHANNEL_EMAIL",
                "reply_address": "contoh.pengadu@example.co.id",
                "subject": {"unit": "units/spkt"},
                "complainant": {"full_name": "Contoh Pengadu", "nik": "7271031407850002"},
            }}, f)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def ctl(self, *args, token="supervisor", expect=0, stdin=None, env=None, address=None):
        environ = dict(os.environ, DUMAS_ADDRESS=address or self.server.target)
        environ.pop("DUMAS_TRACKING_CODE", None)
        if token:
            environ["DUMAS_TOKEN_FILE"] = self.tokens.get(token, token)
        else:
            environ.pop("DUMAS_TOKEN_FILE", None)
        environ.update(env or {})
        result = subprocess.run([DUMASCTL, *args], capture_output=True, text=True, env=environ,
                                input=stdin or "", timeout=60, check=False)
        self.assertEqual(result.returncode, expect,
                         f"dumasctl {' '.join(args)}: {result.stderr}{result.stdout}")
        return result.stdout + result.stderr

    def submit(self):
        out = self.ctl("submit", f"--file={self.complaint_file}", "--json", token="gateway")
        answer = json.loads(out)
        return answer["reference_number"], answer["tracking_code"]

    def test_help_lists_commands_and_exit_codes(self):
        out = self.ctl("--help", token=None)
        for command in ["submit", "track", "list", "verify", "principals", "feed-tail"]:
            self.assertIn(command, out)
        self.assertIn("Exit status", out)
        out = self.ctl("verify", "--help", token=None)
        self.assertIn("--internal_note", out)
        self.assertIn("Exit status", out)
        self.assertNotIn("--tracking_code", self.ctl("track", "--help", token=None))
        self.ctl(token=None, expect=2)
        self.ctl("no-such-command", expect=2)
        self.ctl("list", "--no_such_field=1", expect=2)

    def test_reference_data(self):
        out = self.ctl("categories", token=None)
        self.assertRegex(out, r"(?m)^NAME\s+INDONESIAN_NAME\s+ENGLISH_NAME")
        self.assertIn("categories/korupsi", out)
        self.assertIn("units/propam", self.ctl("units", token=None))
        units = json.loads(self.ctl("units", "--json", token=None))
        self.assertTrue(units["units"])

    def test_submit_track_and_errors(self):
        reference, code = self.submit()
        out = self.ctl("track", reference, token=None, stdin=code + "\n")
        self.assertIn("COMPLAINT_STATE_RECEIVED", out)
        out = self.ctl("track", reference, token=None, env={"DUMAS_TRACKING_CODE": code})
        self.assertIn(reference, out)
        self.ctl("track", reference, token=None, expect=2)  # no code at all
        self.ctl("track", reference, f"--tracking_code={code}", token=None, expect=2)
        wrong_code = ("3" if code[0] != "3" else "4") + code[1:]
        self.ctl("track", reference, token=None, stdin=wrong_code + "\n", expect=4)
        out = self.ctl("submit", f"--file={self.complaint_file}",
                       "--complaint.complainant.nik=123", token="gateway", expect=3)
        self.assertIn("complaint.complainant.nik", out)
        self.assertNotIn("123", out.replace("complaint.complainant.nik", ""))

    def test_lifecycle_and_reads(self):
        reference, _ = self.submit()
        name = f"complaints/{reference}"
        out = self.ctl("get", reference)
        self.assertIn("COMPLAINT_STATE_RECEIVED", out)
        self.assertNotIn("Contoh Pengadu", out, "tables never show the identity")
        self.ctl("note", reference, "--text=Dicek oleh SPKT.")
        self.ctl("clarify", reference, "--question=Kapan tepatnya kejadian?")
        for command, args, state in [
                ("verify", [], "VERIFIED"), ("assign", [], "ASSIGNED"),
                ("start", [], "UNDER_INVESTIGATION"),
                ("conclude", ["--outcome=SUBSTANTIATED", "--findings=Klarifikasi saksi membenarkan pengaduan."], "CONCLUDED"),
                ("answer", ["--answer=Pengaduan Anda terbukti dan ditindaklanjuti."], "ANSWERED"),
                ("close", [], "CLOSED"),
                ("reopen", ["--internal_note=Pengadu keberatan."], "REOPENED")]:
            before = json.loads(self.ctl("get", name, "--json"))["complaint"]["etag"]
            out = self.ctl(command, name, *args)
            self.assertIn(f"COMPLAINT_STATE_{state}", out, command)
        out = self.ctl("verify", reference, expect=6)
        self.assertIn("FAILED_PRECONDITION", out)
        out = self.ctl("note", reference, "--text=Catatan.", f"--etag={before}", expect=6)
        self.assertIn("ABORTED", out)
        out = self.ctl("events", reference)
        self.assertRegex(out, r"(?m)^NAME\s+EVENT_TIME\s+TYPE")
        out = self.ctl("list", "--states=REOPENED", "--page_size=5", "--json")
        self.assertIn(name, [c["name"] for c in json.loads(out)["complaints"]])
        self.ctl("list", "--states=NOPE", expect=2)
        other, _ = self.submit()
        self.assertIn("COMPLAINT_STATE_ARCHIVED",
                      self.ctl("archive", other, "--public_reason=Bukan ranah pengawasan."))
        third, _ = self.submit()
        self.assertIn("COMPLAINT_STATE_REJECTED",
                      self.ctl("reject", third, "--reason=DUPLICATE", "--public_reason=Pengaduan ganda dari pengadu yang sama."))

    def test_errors_of_every_kind(self):
        self.ctl("list", token="bad", expect=5)
        self.ctl("principals", token="supervisor", expect=5)
        self.ctl("get", "not-a-reference", expect=3)
        reference, _ = self.submit()
        self.ctl("get", unknown_reference(reference), expect=4)
        self.ctl("verify", unknown_reference(reference), expect=4)
        self.ctl("categories", token=None, address="127.0.0.1:1", expect=7)
        self.ctl("list", token=os.path.join(self.server.dir, "missing.token"), expect=9)
        out = self.ctl("list", "--json", token="bad", expect=5)
        self.assertEqual(json.loads(out)["error"]["code"], "UNAUTHENTICATED")

    def test_gateway_notifications(self):
        self.submit()
        out = self.ctl("notifications", "--max_notifications=50", "--json", token="gateway")
        names = [n["name"] for n in json.loads(out)["notifications"]]
        self.assertTrue(names)
        self.ctl("ack", *names, token="gateway")
        self.ctl("ack", "notifications/x", token="gateway", expect=3)

    def test_admin(self):
        out = self.ctl("create-principal", "--principal.display_name=ctl-unit",
                       "--principal.role=UNIT", "--principal.unit=units/sat-reskrim",
                       "--json", token="admin")
        created = json.loads(out)
        self.assertTrue(created["token"])
        self.assertIn("ctl-unit", self.ctl("principals", token="admin"))
        self.ctl("revoke-principal", created["principal"]["name"], token="admin")
        self.ctl("revoke-principal", "principals/999999", token="admin", expect=4)
        self.ctl("create-unit", "polsek-ctl", "--unit.display_name=Polsek Uji", token="admin")
        self.ctl("create-unit", "polsek-ctl", "--unit.display_name=Polsek Uji", token="admin",
                 expect=6)
        self.assertIn("categories/", self.ctl("routing-rules", token="admin"))
        self.ctl("set-routing-rule", "--routing_rule.category=categories/korupsi",
                 "--routing_rule.unit=units/propam", token="admin")
        self.ctl("set-routing-rule", "--routing_rule.category=categories/nope",
                 "--routing_rule.unit=units/propam", token="admin", expect=3)
        self.assertIn("2026-", self.ctl("holidays", "2026", token="admin"))
        self.ctl("holidays", "1900", token="admin", expect=3)
        self.ctl("calendar", token="admin")
        self.ctl("undeliverable", token="admin")

    def test_feed(self):
        reference, _ = self.submit()
        out = self.ctl("feed-tail", "--until_idle", token="oversight")
        self.assertRegex(out, rf"(?m)^\d+  complaints/{reference}  ")
        out = self.ctl("feed", "--page_size=100", "--json", token="oversight")
        self.assertTrue(json.loads(out)["changes"])
        self.ctl("feed", token="gateway", expect=5)
        self.ctl("feed", "--after_revision=-1", token="oversight", expect=3)


if __name__ == "__main__":
    unittest.main()
