#!/usr/bin/python3
"""TLS and mutual TLS end to end, through the generated Python client.

A real dumasd serves plaintext on loopback and TLS that requires client
certificates of a test CA; the certificates are made at test time by
tests/tls/make_test_certs. Run through ctest: `tools/test -R tls_test`.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import grpc

import dumas_client
from dumas_server import DumasServer
from dumas.v1 import admin_service_pb2 as admin_svc
from dumas.v1 import complaint_service_pb2 as svc

SOURCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def read(path):
    with open(path, "rb") as f:
        return f.read()


class MutualTlsTest(unittest.TestCase):
    """One server for the class: TLS with client certificates required."""

    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="dumas-tls-e2e-")
        subprocess.run([os.path.join(SOURCE_DIR, "tests", "tls", "make_test_certs"), cls.certs],
                       check=True, stdout=subprocess.DEVNULL)
        cls.server = DumasServer(prefix="tls", serve_flags=[
            "--tls_listen=127.0.0.1:0",
            f"--tls_cert_file={cls.certs}/server.pem",
            f"--tls_key_file={cls.certs}/server.key",
            f"--tls_client_ca_file={cls.certs}/ca.pem",
            "--tls_client_certificates=required",
        ])
        try:
            cls.server.start()
            # The admin console authenticates by its certificate alone; the
            # revoked one is bound, then revoked.
            cls.server.run("create-token", "--role=ADMIN", "--name=tls-admin",
                           "--cert_identity=dns:admin-console.test", "--cert_only",
                           *cls.server.flags())
            cls.server.run("create-token", "--role=ADMIN", "--name=tls-revoked",
                           "--cert_identity=dns:revoked.test", "--cert_only",
                           *cls.server.flags())
            with cls.server.connect(cls.server.admin_token) as admin:
                principals = admin.admin.ListPrincipals(
                    admin_svc.ListPrincipalsRequest(page_size=100), timeout=10).principals
                revoked = [p.name for p in principals if p.display_name == "tls-revoked"]
                assert revoked, "tls-revoked not listed"
                admin.admin.RevokePrincipal(admin_svc.RevokePrincipalRequest(name=revoked[0]),
                                            timeout=10)
        except Exception:
            cls.server.close()
            raise
        cls.tls_port = None
        for entry in cls.server.log_entries():
            if entry.get("event") == "serving" and entry.get("tls_port"):
                cls.tls_port = int(entry["tls_port"])
        assert cls.tls_port, "no tls_port in the 'serving' log line"

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        print(f"---- dumasd log ----\n{cls.server.log_text()}", file=sys.stderr)
        cls.server.close()
        shutil.rmtree(cls.certs, ignore_errors=True)

    def client(self, cert=None, ca="ca.pem", token=None):
        credentials = grpc.ssl_channel_credentials(
            root_certificates=read(os.path.join(self.certs, ca)),
            private_key=read(os.path.join(self.certs, f"{cert}.key")) if cert else None,
            certificate_chain=read(os.path.join(self.certs, f"{cert}.pem")) if cert else None)
        return dumas_client.connect(f"localhost:{self.tls_port}", token=token,
                                    credentials=credentials)

    def list_principals(self, client):
        return client.admin.ListPrincipals(admin_svc.ListPrincipalsRequest(page_size=100),
                                           timeout=10)

    def assert_code(self, code, call):
        with self.assertRaises(grpc.RpcError) as caught:
            call()
        self.assertEqual(caught.exception.code(), code, caught.exception.details())

    def test_certificate_authenticates_its_principal(self):
        with self.client("admin") as admin:
            categories = admin.complaints.ListCategories(
                svc.ListCategoriesRequest(page_size=10), timeout=10)
            self.assertTrue(categories.categories)
            principals = self.list_principals(admin).principals
            bound = [p for p in principals if p.certificate_identity == "dns:admin-console.test"]
            self.assertEqual(len(bound), 1)
            self.assertTrue(bound[0].certificate_only)

    def test_refused_certificates(self):
        for cert, ca in ((None, "ca.pem"), ("stranger", "ca.pem"), ("expired", "ca.pem")):
            with self.subTest(cert=cert), self.client(cert, ca) as client:
                self.assert_code(grpc.StatusCode.UNAVAILABLE, lambda c=client: (
                    c.complaints.ListCategories(svc.ListCategoriesRequest(), timeout=10)))
        with self.client("revoked") as revoked:
            self.assert_code(grpc.StatusCode.UNAUTHENTICATED,
                             lambda: self.list_principals(revoked))

    def test_certificate_of_no_principal_calls_by_token(self):
        with self.client("gateway", token=self.server.admin_token) as client:
            self.assertTrue(self.list_principals(client).principals)
        with self.client("gateway") as client:
            self.assert_code(grpc.StatusCode.UNAUTHENTICATED,
                             lambda: self.list_principals(client))

    def test_plaintext_stays_on_loopback(self):
        # The same server answers plaintext on loopback.
        with self.server.connect(self.server.admin_token) as client:
            self.assertTrue(self.list_principals(client).principals)
        # And dumasd refuses plaintext on another address, saying why.
        result = subprocess.run(
            [self.server.dumasd, "serve", "--listen=0.0.0.0:0", *self.server.flags()],
            capture_output=True, text=True, timeout=60, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("allow_plaintext_on_any_address", result.stderr + result.stdout)

    def test_superuser_account_is_refused(self):
        # The harness serves as root with --allow_privileged_database_account;
        # without the flag dumasd refuses, naming it.
        result = subprocess.run(
            [self.server.dumasd, "serve", "--listen=127.0.0.1:0", "--startup_timeout=5s",
             *self.server.flags()],
            capture_output=True, text=True, timeout=60, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("allow_privileged_database_account", result.stderr + result.stdout)


if __name__ == "__main__":
    unittest.main()
