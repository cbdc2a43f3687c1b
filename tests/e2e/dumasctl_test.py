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
import re
import shutil
import subprocess
import time
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
        cls.server.start()
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
        for command in ["submit", "track", "list", "verify", "principals", "feed-tail",
                        "feed tail", "feed verify", "report", "public-report", "personal-data",
                        "correct-contact", "create-checkpoint"]:
            self.assertIn(command, out)
        for code in range(13):
            self.assertRegex(out, rf"(?m)^ *{code}  ")
        for command, flag in [(["feed", "tail"], "--follow"), (["feed", "verify"], "--log_key_file"),
                              (["report"], "--handling_unit"), (["public-report"], "--month"),
                              (["personal-data"], "--request_id"),
                              (["correct-contact"], "--update_mask")]:
            out = self.ctl(*command, "--help", token=None)
            self.assertIn(flag, out, command)
            self.assertIn("Exit status", out, command)
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
        # Personal data is refused as a flag (other users see flags in ps),
        # and the refusal does not repeat it.
        for flag in ["--complaint.complainant.nik=7271031407850009",
                     "--complaint.reply_address=orang.lain@example.co.id"]:
            out = self.ctl("submit", f"--file={self.complaint_file}", flag,
                           token="gateway", expect=2)
            self.assertIn("personal data", out)
            self.assertNotIn(flag.split("=", 1)[1], out)

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
        out = self.ctl("feed", "tail", token="oversight")
        revisions = [int(r) for r in re.findall(r"(?m)^(\d+)  ", out)]
        self.assertEqual(revisions, list(range(1, len(revisions) + 1)), "every change, in order")
        self.assertRegex(out, rf"(?m)^\d+  complaints/{reference}  ")
        # From a revision on: only the later ones, each once.
        middle = revisions[len(revisions) // 2]
        out = self.ctl("feed", "tail", f"--after={middle}", "--json", token="oversight")
        later = [json.loads(line)["revision"] for line in out.splitlines()]
        self.assertEqual([int(r) for r in later], revisions[middle:])
        out = self.ctl("feed", "tail", f"--after={revisions[-1]}", "--follow", "--until_idle",
                       token="oversight")
        self.assertNotRegex(out, r"(?m)^\d+  ")
        self.ctl("feed", "tail", "--after=-1", token="oversight", expect=3)
        self.ctl("feed", "tail", "--after=x", token="oversight", expect=2)
        self.ctl("feed", "tail", token="bad", expect=5)
        self.ctl("feed", "tail", token="gateway", expect=5)
        self.ctl("feed", "tail", token="oversight", address="127.0.0.1:1", expect=7)
        out = self.ctl("feed", "--page_size=100", "--json", token="oversight")
        self.assertTrue(json.loads(out)["changes"])
        self.ctl("feed", token="gateway", expect=5)
        self.ctl("feed", "--after_revision=-1", token="oversight", expect=3)

    def write(self, name, text):
        path = os.path.join(self.server.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_report(self):
        self.submit()
        month = time.strftime("%Y-%m", time.gmtime(time.time() + 8 * 3600))  # WITA
        out = self.ctl("report", month)
        self.assertRegex(out, r"(?m)^scope\s+resort$")
        self.assertRegex(out, r"(?m)^digest\s+[0-9a-f]{64}$")
        self.assertRegex(out, r"(?m)^summary\n\s+KEY\s+COUNT\s+PREV_COUNT\s+YEAR_AGO_COUNT\n"
                              r"\s+received\s+[1-9]\d*\s+\d+\s+\d+$")
        report = json.loads(self.ctl("report", month, "--json"))["report"]
        self.assertEqual(report["figures"]["scope"], "resort")
        self.assertTrue(report["figures"]["tables"])
        for table in report["figures"]["tables"]:
            self.assertIn(f"\n{table['id']}\n", out)
        unit = json.loads(self.ctl("report", month, "--handling_unit=units/propam", "--json"))
        self.assertEqual(unit["report"]["figures"]["scope"], "units/propam")
        out = self.ctl("public-report", month, token=None)
        self.assertRegex(out, r"(?m)^scope\s+public$")
        self.assertRegex(out, r"(?m)^rule\s+\S")
        published = json.loads(self.ctl("public-report", month, "--json", token=None))
        self.assertEqual(published["report"]["figures"]["scope"], "public")
        self.assertTrue(published["rule"])
        # Errors: a month to come, a malformed one, an unknown unit, the token, the server.
        self.ctl("report", "2999-01", expect=3)
        self.ctl("public-report", "2999-01", token=None, expect=3)
        self.ctl("report", "2026-13", expect=3)
        self.ctl("report", "maret", expect=2)
        out = self.ctl("report", month, "--handling_unit=units/tidak-ada", expect=3)
        self.assertIn("handling_unit", out)
        self.ctl("report", month, token="bad", expect=5)
        self.ctl("report", month, token="gateway", expect=5)
        self.ctl("public-report", month, token="bad", expect=5)
        self.ctl("report", month, address="127.0.0.1:1", expect=7)

    def test_personal_data(self):
        reference, code = self.submit()
        out = self.ctl("personal-data", reference, token=None, stdin=code + "\n")
        self.assertIn(reference, out)
        self.assertIn("COMPLAINT_STATE_RECEIVED", out)
        # At most one copy an hour.
        self.ctl("personal-data", reference, token=None, env={"DUMAS_TRACKING_CODE": code},
                 expect=8)
        self.ctl("personal-data", reference, token=None, expect=2)  # no code
        self.ctl("personal-data", reference, f"--tracking_code={code}", token=None, expect=2)
        wrong_code = ("3" if code[0] != "3" else "4") + code[1:]
        self.ctl("personal-data", reference, token=None, stdin=wrong_code + "\n", expect=4)
        self.ctl("personal-data", unknown_reference(reference), token=None,
                 stdin=code + "\n", expect=4)
        self.ctl("personal-data", reference, token="bad", stdin=code + "\n", expect=5)
        self.ctl("personal-data", reference, token=None, stdin=code + "\n",
                 address="127.0.0.1:1", expect=7)

    def test_correct_contact(self):
        reference, code = self.submit()
        contact = self.write("contact.json", json.dumps({"contact": {"phone": "081299990001"}}))
        env = {"DUMAS_TRACKING_CODE": code}
        out = self.ctl("correct-contact", reference, f"--file={contact}", "--update_mask=phone",
                       token=None, env=env)
        self.assertRegex(out, r"(?m)^changed\s+true$")
        self.assertNotIn("81299990001", out, "no personal data in the output")
        answer = json.loads(self.ctl("correct-contact", reference, f"--file={contact}",
                                     "--update_mask=phone", "--json", token=None, env=env))
        self.assertFalse(answer.get("changed", False), "the same value again changes nothing")
        # The file on stdin: the code from the environment.
        out = self.ctl("correct-contact", reference, "--file=-", "--update_mask=email",
                       token=None, env=env,
                       stdin=json.dumps({"contact": {"email": "baru@example.co.id"}}))
        self.assertRegex(out, r"(?m)^changed\s+true$")
        # Errors: personal data as a flag, a bad value, a bad mask, the code, the server.
        self.ctl("correct-contact", reference, "--contact.phone=081299990002",
                 "--update_mask=phone", token=None, env=env, expect=2)
        bad = self.write("bad-contact.json", json.dumps({"contact": {"phone": "12"}}))
        out = self.ctl("correct-contact", reference, f"--file={bad}", "--update_mask=phone",
                       token=None, env=env, expect=3)
        self.assertIn("phone", out)
        self.assertNotIn(" 12", out)
        self.ctl("correct-contact", reference, f"--file={contact}", "--update_mask=nik",
                 token=None, env=env, expect=3)
        self.ctl("correct-contact", reference, f"--file={contact}", token=None, env=env,
                 expect=3)
        self.ctl("correct-contact", unknown_reference(reference), f"--file={contact}",
                 "--update_mask=phone", token=None, env=env, expect=4)
        self.ctl("correct-contact", reference, f"--file={contact}", "--update_mask=phone",
                 token=None, expect=2)
        self.ctl("correct-contact", reference, f"--file={contact}", "--update_mask=phone",
                 token="bad", env=env, expect=5)
        self.ctl("correct-contact", reference, f"--file={contact}", "--update_mask=phone",
                 token=None, env=env, address="127.0.0.1:1", expect=7)

    def log_key(self, server):
        return self.write(f"{server.database}.vkey",
                          server.run("log-key", f"--key_file={server.key_file}"))

    def test_feed_verify(self):
        self.submit()
        self.ctl("create-checkpoint", token="oversight")
        key = self.log_key(self.server)
        saved = os.path.join(self.server.dir, "checkpoint.note")
        out = self.ctl("feed", "verify", f"--log_key_file={key}", f"--save={saved}",
                       token="oversight")
        self.assertRegex(out, r"(?m)^verified\s+yes$")
        first = int(re.search(r"(?m)^tree_size\s+(\d+)$", out).group(1))
        self.assertGreater(first, 0)
        # Later: the new checkpoint extends the saved one.
        reference, _ = self.submit()
        self.ctl("verify", reference, "--internal_note=Dicek oleh SPKT.")
        self.ctl("create-checkpoint", token="oversight")
        answer = json.loads(self.ctl("feed", "verify", f"--log_key_file={key}",
                                     f"--older={saved}", "--json", token="oversight"))
        self.assertTrue(answer["verified"])
        self.assertEqual(answer["extends_tree_size"], first)
        self.assertGreater(answer["tree_size"], first)
        self.assertEqual(answer["leaves_checked"], answer["tree_size"])

        # Another log key (of another key file, the same origin): 10.
        other = os.path.join(self.server.dir, "other", "dumas.keys")
        os.makedirs(os.path.dirname(other), mode=0o700)
        self.server.run("keygen", f"--key_file={other}")
        wrong = self.write("wrong.vkey", self.server.run("log-key", f"--key_file={other}"))
        out = self.ctl("feed", "verify", f"--log_key_file={wrong}", token="oversight", expect=10)
        self.assertIn("BAD_SIGNATURE", out)
        # An event altered in the database, past the server: 12, naming its revision.
        changes = [json.loads(line) for line in
                   self.ctl("feed", "tail", "--json", token="oversight").splitlines()]
        target = next(c for c in changes if c.get("complaint") and c["event"].get("internal_note"))
        event_id = int(target["event"]["name"].rsplit("/", 1)[1])
        self.server.sql("UPDATE complaint_events SET internal_note = CONCAT(internal_note, "
                        f"' (diubah)') WHERE id = {event_id}")
        try:
            out = self.ctl("feed", "verify", f"--log_key_file={key}", token="oversight",
                           expect=12)
            self.assertIn(f"revision {target['revision']}", out)
            out = self.ctl("feed", "verify", f"--log_key_file={key}", "--json",
                           token="oversight", expect=12)
            self.assertEqual(json.loads(out)["error"]["first_bad_revision"],
                             int(target["revision"]))
        finally:
            self.server.sql("UPDATE complaint_events SET internal_note = "
                            "LEFT(internal_note, CHAR_LENGTH(internal_note) - 9) "
                            f"WHERE id = {event_id}")
        self.ctl("feed", "verify", f"--log_key_file={key}", token="oversight")
        # Errors: no key, not a key, a bad --older, the token, the server.
        self.ctl("feed", "verify", token="oversight", expect=2)
        self.ctl("feed", "verify", f"--log_key_file={self.complaint_file}", token="oversight",
                 expect=2)
        self.ctl("feed", "verify", f"--log_key_file={key}", f"--older={self.complaint_file}",
                 token="oversight", expect=2)
        self.ctl("feed", "verify", f"--log_key_file={key}", token="bad", expect=5)
        self.ctl("feed", "verify", f"--log_key_file={key}", token="gateway", expect=5)
        self.ctl("feed", "verify", f"--log_key_file={key}", token="oversight",
                 address="127.0.0.1:1", expect=7)

    def test_feed_verify_split_view(self):
        """Another log under the same key, shorter than a checkpoint saved before: 11."""
        for _ in range(3):
            self.submit()
        self.ctl("create-checkpoint", token="oversight")
        key = self.log_key(self.server)
        saved = os.path.join(self.server.dir, "split.note")
        self.ctl("feed", "verify", f"--log_key_file={key}", f"--save={saved}", token="oversight")
        other = DumasServer(prefix="ctlsplit")
        try:
            os.makedirs(os.path.dirname(other.key_file), mode=0o700)
            shutil.copy(self.server.key_file, other.key_file)
            other.run("migrate", *other.flags())
            other.gateway_token = other.create_token("GATEWAY", "split-gateway",
                                                     channels=["EMAIL"])
            oversight = self.write("split-oversight.token",
                                   other.create_token("OVERSIGHT", "split-oversight"))
            other._serve(60)
            self.ctl("submit", f"--file={self.complaint_file}", address=other.target,
                     token=self.write("split-gateway.token", other.gateway_token))
            self.ctl("create-checkpoint", token=oversight, address=other.target)
            self.ctl("feed", "verify", f"--log_key_file={key}", token=oversight,
                     address=other.target)
            out = self.ctl("feed", "verify", f"--log_key_file={key}", f"--older={saved}",
                           token=oversight, address=other.target, expect=11)
            self.assertIn("INCONSISTENT", out)
        finally:
            other.close()


if __name__ == "__main__":
    unittest.main()
