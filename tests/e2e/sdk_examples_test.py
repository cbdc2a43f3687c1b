#!/usr/bin/python3
"""End-to-end tests of the SDKs and their examples against a real dumasd.

The C++ examples (clients/cpp/examples, built as dumas_*_example) and the
Python ones (clients/python/examples) run as their users would run them:
settings and tokens from the environment and token files, never from the
command line. A WhatsApp gateway submits a complaint and delivers its
receipt, a case tool moves it to CLOSED as a supervisor, and a Kompolnas
consumer reads the change feed. The Go and Java examples run the same way
when their SDKs were built: gateway, case tool, and a feed consumer that
resumes from its stored revision (each change once over several runs) and
checks the checkpoint's signature (a wrong key fails with 3). Also: the Python SDK's retries and
BadRequest decoding, and `dumasd --noreflection` with dumas.protoset.

Environment (set by ctest): DUMASD, DUMAS_CPP_EXAMPLES (folder of the C++
example binaries), DUMAS_PY_EXAMPLES, DUMAS_GO_EXAMPLES, DUMAS_JAVA_DIR, DUMAS_PROTOSET, BUF, and the test
MariaDB of tools/test.
"""

import os
import re
import subprocess
import time
import unittest

import grpc

import dumas_client
from dumas_server import DumasServer
from dumas.v1 import complaint_service_pb2 as svc
from dumas.v1 import integration_service_pb2 as integration

CPP = os.environ.get("DUMAS_CPP_EXAMPLES", "")
PY = os.environ.get("DUMAS_PY_EXAMPLES", "")


class SdkExamplesTest(unittest.TestCase):
    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = DumasServer(prefix="sdk")
        cls.server.start()
        cls.tokens = {}
        for key, role, name, extra in [
                ("whatsapp", "GATEWAY", "sdk-whatsapp", {"channels": ["WHATSAPP"]}),
                ("supervisor", "SUPERVISOR", "sdk-supervisor", {"unit": "propam"}),
                ("oversight", "OVERSIGHT", "sdk-oversight", {})]:
            path = os.path.join(cls.server.dir, f"{key}.token")
            with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
                f.write(cls.server.create_token(role, name, **extra) + "\n")
            cls.tokens[key] = path

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def run_example(self, argv, token, timeout=120, expect=0):
        env = dict(os.environ, DUMAS_ADDRESS=self.server.target,
                   DUMAS_TOKEN_FILE=self.tokens[token])
        result = subprocess.run(argv, capture_output=True, text=True, env=env,
                                timeout=timeout, check=False)
        self.assertEqual(result.returncode, expect,
                         f"{os.path.basename(argv[-1])}: {result.stderr}{result.stdout}")
        return result.stdout

    def lifecycle(self, gateway, case_tool, feed):
        out = self.run_example(gateway, "whatsapp")
        name = re.search(r"^submitted (complaints/\S+)$", out, re.M).group(1)
        self.assertRegex(out, rf"delivered notifications/\d+ NOTIFICATION_KIND_RECEIPT for {name}")
        out = self.run_example(case_tool + [name], "supervisor")
        self.assertIn("COMPLAINT_STATE_ANSWERED -> COMPLAINT_STATE_CLOSED", out)
        self.assertIn("handled by units/", out)
        # The feed carries every change of the complaint, in order.
        deadline = time.monotonic() + 60
        while True:
            out = self.run_example(feed, "oversight")
            states = re.findall(rf"^\d+ {re.escape(name)} \S+ \S+ -> (\S+)$", out, re.M)
            if "COMPLAINT_STATE_CLOSED" in states or time.monotonic() > deadline:
                break
            time.sleep(1)
        self.assertEqual(states[-1], "COMPLAINT_STATE_CLOSED", out)
        self.assertRegex(out, r"resume --after=\d+")

    def test_cpp_examples(self):
        self.lifecycle([os.path.join(CPP, "dumas_whatsapp_gateway_example")],
                       [os.path.join(CPP, "dumas_case_tool_example")],
                       [os.path.join(CPP, "dumas_kompolnas_feed_example"), "--until-idle"])

    def test_python_examples(self):
        py = "/usr/bin/python3"
        # The Kompolnas consumer in Python is kompolnas_mirror.py (its own tests);
        # the C++ feed example reads the changes here.
        self.lifecycle([py, os.path.join(PY, "whatsapp_gateway.py")],
                       [py, os.path.join(PY, "case_tool.py")],
                       [os.path.join(CPP, "dumas_kompolnas_feed_example"), "--until-idle"])

    def write(self, name, text):
        path = os.path.join(self.server.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def log_keys(self):
        """The log's verifier key file, and another key's (the same origin)."""
        key = self.write("log.vkey", self.server.run("log-key",
                                                     f"--key_file={self.server.key_file}"))
        other = os.path.join(self.server.dir, "other", "dumas.keys")
        if not os.path.exists(other):
            os.makedirs(os.path.dirname(other), mode=0o700)
            self.server.run("keygen", f"--key_file={other}")
        wrong = self.write("wrong.vkey", self.server.run("log-key", f"--key_file={other}"))
        return key, wrong

    def consume(self, feed, state, key, until):
        """Runs the feed consumer `feed` with its `state` file until `until(out)`
        holds for what the runs printed; returns the revisions printed, run
        after run."""
        with open(self.tokens["oversight"], encoding="utf-8") as f:
            token = f.read().strip()
        with self.server.connect(token) as client:
            client.call(client.integration.CreateCheckpoint, integration.CreateCheckpointRequest())
        seen, printed = [], ""
        deadline = time.monotonic() + 60
        while True:
            out = self.run_example(feed + [f"--state={state}", f"--log-key-file={key}"],
                                   "oversight")
            self.assertRegex(out, r"(?m)^checkpoint verified: tree size [1-9]\d*$")
            seen += [int(r) for r in re.findall(r"(?m)^(\d+) ", out)]
            printed += out
            resume = int(re.search(r"(?m)^resume --after=(\d+)$", out).group(1))
            if seen:
                self.assertEqual(resume, seen[-1])
                with open(state, encoding="utf-8") as f:
                    self.assertEqual(int(f.read()), resume, "the stored revision")
            if until(printed) or time.monotonic() > deadline:
                return seen, printed
            time.sleep(1)

    def full_lifecycle(self, gateway, case_tool, feed, tag):
        """The gateway submits, the case tool closes, the feed consumer reads
        every change exactly once over several runs, resuming from its state."""
        out = self.run_example(gateway, "whatsapp")
        name = re.search(r"^submitted (complaints/\S+)$", out, re.M).group(1)
        self.assertRegex(out, rf"delivered notifications/\d+ NOTIFICATION_KIND_RECEIPT for {name}")
        out = self.run_example(case_tool + [name], "supervisor")
        for transition in ["COMPLAINT_STATE_RECEIVED -> COMPLAINT_STATE_VERIFIED",
                           "COMPLAINT_STATE_VERIFIED -> COMPLAINT_STATE_ASSIGNED",
                           "COMPLAINT_STATE_ASSIGNED -> COMPLAINT_STATE_UNDER_INVESTIGATION",
                           "COMPLAINT_STATE_UNDER_INVESTIGATION -> COMPLAINT_STATE_CONCLUDED",
                           "COMPLAINT_STATE_CONCLUDED -> COMPLAINT_STATE_ANSWERED",
                           "COMPLAINT_STATE_ANSWERED -> COMPLAINT_STATE_CLOSED"]:
            self.assertIn(transition, out)
        self.assertIn("handled by units/", out)
        # The case tool again: the complaint is closed, nothing is changed.
        self.run_example(case_tool + [name], "supervisor", expect=1)

        key, wrong = self.log_keys()
        state = os.path.join(self.server.dir, f"{tag}.state")
        closed = rf"(?m)^\d+ {re.escape(name)} \S+ \S+ -> COMPLAINT_STATE_CLOSED$"
        seen, printed = self.consume(feed, state, key, lambda out: re.search(closed, out))
        self.assertRegex(printed, closed)
        self.assertEqual(seen, list(range(1, len(seen) + 1)), "every change once, in order")
        # A later complaint: the next runs start after the stored revision.
        out = self.run_example(gateway, "whatsapp")
        later = re.search(r"^submitted (complaints/\S+)$", out, re.M).group(1)
        more, printed = self.consume(feed, state, key,
                                     lambda out: re.search(rf"(?m)^\d+ {re.escape(later)} ", out))
        self.assertRegex(printed, rf"(?m)^\d+ {re.escape(later)} ")
        self.assertEqual(seen + more, list(range(1, len(seen) + len(more) + 1)),
                         "resumed exactly after the stored revision")
        # A checkpoint signed by another key: 3, and the state stays.
        self.run_example(feed + [f"--state={state}", f"--log-key-file={wrong}"], "oversight",
                         expect=3)
        with open(state, encoding="utf-8") as f:
            self.assertEqual(int(f.read()), more[-1])
        self.run_example(feed, "oversight", expect=2)  # no state file named

    def test_go_examples(self):
        folder = os.environ.get("DUMAS_GO_EXAMPLES")
        if not folder:
            self.skipTest("the Go SDK was not built (its tools are missing)")
        self.full_lifecycle([os.path.join(folder, "dumas_go_whatsapp_gateway")],
                            [os.path.join(folder, "dumas_go_case_tool")],
                            [os.path.join(folder, "dumas_go_kompolnas_feed")], "go")

    def test_java_examples(self):
        folder = os.environ.get("DUMAS_JAVA_DIR")
        if not folder:
            self.skipTest("the Java SDK was not built (its tools are missing)")
        with open(os.path.join(folder, "classpath"), encoding="utf-8") as f:
            classpath = f.read().strip()
        classpath = ":".join([os.path.join(folder, "dumas-sdk.jar"),
                              os.path.join(folder, "examples"), classpath])
        java = ["java", "-cp", classpath]
        self.full_lifecycle(java + ["WhatsAppGateway"], java + ["CaseTool"],
                            java + ["KompolnasFeed"], "java")

    def test_python_bad_request_is_decoded(self):
        client = dumas_client.connect(self.server.target, token=self.server.gateway_token)
        request = svc.SubmitComplaintRequest()
        with self.assertRaises(grpc.RpcError) as caught:
            client.call(client.complaints.SubmitComplaint, request)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertTrue(request.request_id, "call() fills the request_id")
        fields = {v.field for v in dumas_client.field_violations(caught.exception)}
        self.assertIn("complaint", fields)  # required, and missing

    def test_python_retries_safe_calls_only(self):
        client = dumas_client.connect("127.0.0.1:1")
        began = time.monotonic()
        with self.assertRaises(grpc.RpcError) as caught:
            client.call(client.complaints.ListCategories, svc.ListCategoriesRequest(),
                        timeout=1, attempts=3, initial_backoff=0.4)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertGreater(time.monotonic() - began, 0.5, "backed off between attempts")
        self.assertFalse(dumas_client.safe_to_retry(svc.VerifyComplaintRequest()))
        self.assertTrue(dumas_client.safe_to_retry(svc.VerifyComplaintRequest(request_id="x")))
        self.assertIn("complaint", dumas_client._service_stubs())

    def test_reflection_off_and_protoset(self):
        server = DumasServer(prefix="sdknorefl", serve_flags=["--noreflection"])
        try:
            server.start()
            base = [os.environ["BUF"], "curl", "--protocol", "grpc", "--http2-prior-knowledge"]
            url = f"http://{server.target}/dumas.v1.ComplaintService/ListCategories"
            env = dict(os.environ, BUF_CACHE_DIR=os.path.join(server.dir, "buf-cache"))
            listed = subprocess.run(base + ["--list-methods", f"http://{server.target}"],
                                    capture_output=True, text=True, env=env, timeout=60)
            self.assertNotEqual(listed.returncode, 0, "reflection answers although switched off")
            schema = os.environ["DUMAS_PROTOSET"] + "#format=binpb"
            called = subprocess.run(base + ["--schema", schema, url],
                                    capture_output=True, text=True, env=env, timeout=60)
            self.assertEqual(called.returncode, 0, called.stderr)
            self.assertIn("categories/", called.stdout)
        finally:
            server.close()


if __name__ == "__main__":
    unittest.main()
