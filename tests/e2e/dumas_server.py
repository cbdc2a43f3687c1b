"""A real dumasd for end-to-end tests, on the test MariaDB that tools/test starts.

Each DumasServer has its own database (a fresh name on the shared MariaDB),
its own key file in a temporary folder, its own tokens, and listens on a port
of 127.0.0.1 that the kernel picks. The environment tells where things are:

  DUMASD                   the dumasd binary (set by ctest)
  DUMAS_TEST_MYSQL_SOCKET  the test MariaDB's Unix socket (set by tools/test)
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import grpc

import dumas_client
from grpc_health.v1 import health_pb2


class SetupError(RuntimeError):
    """The test environment is incomplete or the server would not start."""


def _required_env(name, hint):
    value = os.environ.get(name)
    if not value:
        raise SetupError(f"{name} is not set: {hint}")
    return value


class DumasServer:
    """One dumasd with its own database, key file and tokens.

    Usage:
        server = DumasServer()
        server.start()            # keygen, migrate, tokens, serve, health SERVING
        client = server.connect(server.gateway_token)
        ...
        server.restart()          # SIGTERM, then serve again on the same port
        code, seconds = server.stop()
        server.close()            # drops the database, removes the folder
    """

    def __init__(self, prefix="e2e", serve_flags=()):
        self.dumasd = _required_env("DUMASD", "run through ctest (tools/test)")
        if not os.access(self.dumasd, os.X_OK):
            raise SetupError(f"dumasd is not built: {self.dumasd}")
        self.mysql_socket = _required_env(
            "DUMAS_TEST_MYSQL_SOCKET",
            "run through tools/test, which starts the test MariaDB")
        if not os.path.exists(self.mysql_socket):
            raise SetupError(f"no MariaDB socket at {self.mysql_socket}")
        self.dir = tempfile.mkdtemp(prefix="dumas-e2e-")
        self.database = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.key_file = os.path.join(self.dir, "keys", "dumas.keys")
        self.log_path = os.path.join(self.dir, "dumasd.log")
        # Extra flags of `dumasd serve` only, such as --checkpoint_interval=1s.
        self.serve_flags = list(serve_flags)
        self.process = None
        self.port = None
        self.admin_token = None
        self.gateway_token = None

    @property
    def target(self):
        return f"127.0.0.1:{self.port}"

    def flags(self):
        """The flags every dumasd command of this server takes."""
        return [f"--mysql_socket={self.mysql_socket}", "--mysql_user=root",
                f"--mysql_database={self.database}", f"--key_file={self.key_file}"]

    def run(self, *args):
        """Runs `dumasd ARGS...` to completion; returns its stdout."""
        result = subprocess.run([self.dumasd, *args], capture_output=True, text=True,
                                timeout=60, check=False)
        if result.returncode != 0:
            raise SetupError(f"dumasd {args[0]} exited {result.returncode}: "
                             f"{result.stderr.strip()}")
        return result.stdout

    def create_token(self, role, name, unit=None, channels=None):
        """A new bearer token for a principal of `role` named `name`."""
        args = ["create-token", f"--role={role}", f"--name={name}", *self.flags()]
        if unit:
            args.append(f"--unit={unit}")
        if channels:
            args.append("--channels=" + ",".join(channels))
        token = self.run(*args).strip()
        if not token:
            raise SetupError("create-token printed no token")
        return token

    def start(self, timeout=60):
        """Sets up and starts the server; when that fails, cleans up (close)
        before raising, since a test class whose setUpClass raised is never
        torn down."""
        try:
            self._start(timeout)
        except BaseException:
            self.close()
            raise

    def _start(self, timeout):
        os.makedirs(os.path.dirname(self.key_file), mode=0o700)
        self.run("keygen", f"--key_file={self.key_file}")
        self.run("migrate", *self.flags())
        self.admin_token = self.create_token("ADMIN", "e2e-admin")
        self.gateway_token = self.create_token(
            "GATEWAY", "e2e-gateway", channels=["WEB", "EMAIL", "WHATSAPP", "PHONE"])
        self._serve(timeout)

    def restart(self, timeout=60):
        """Stops dumasd (SIGTERM) and serves again on the same port, database
        and key file: clients reconnect to the same target."""
        self.stop()
        self._serve(timeout)

    def _serve(self, timeout):
        # Port 0 the first time: the kernel picks a free port, and dumasd
        # logs which. A restart keeps it, and appends to the log.
        listen = f"127.0.0.1:{self.port or 0}"
        with open(self.log_path, "ab" if self.port else "wb") as log:
            self.process = subprocess.Popen(
                # As root, as the migrations and the tests' own SQL need:
                # serving as a superuser must be allowed explicitly.
                [self.dumasd, "serve", f"--listen={listen}", *self.flags(),
                 "--allow_privileged_database_account", "--metrics_listen=127.0.0.1:0",
                 *self.serve_flags],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while self.port is None:
            self._check_running()
            self.port = self._logged_port()
            if time.monotonic() > deadline:
                self._fail_start("no 'serving' log line")
            time.sleep(0.05)
        with self.connect() as client:
            while True:
                self._check_running()
                try:
                    reply = client.health.Check(health_pb2.HealthCheckRequest(), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                if time.monotonic() > deadline:
                    self._fail_start("health never SERVING")
                time.sleep(0.05)

    def _logged_port(self):
        for entry in self.log_entries():
            if entry.get("event") == "serving" and entry.get("port"):
                return int(entry["port"])
        return None

    def _check_running(self):
        if self.process.poll() is not None:
            self._fail_start(f"dumasd exited {self.process.returncode}")

    def _fail_start(self, why):
        raise SetupError(f"dumasd serve did not start ({why}); log:\n{self.log_text()}")

    def connect(self, token=None):
        """A dumas_client.Client for this server, with `token` if given."""
        return dumas_client.connect(self.target, token=token)

    def log_text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            return log.read()

    def log_entries(self):
        """The JSON log lines written so far, parsed (other lines skipped)."""
        entries = []
        for line in self.log_text().splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                pass
        return entries

    def stop(self, timeout=30):
        """Sends SIGTERM and waits; returns (exit code, seconds it took)."""
        if self.process is None or self.process.poll() is not None:
            return (self.process.returncode if self.process else None), 0.0
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        return code, time.monotonic() - began

    def sql(self, query):
        """Runs `query` on this server's database with the mariadb client;
        returns the rows as lists of strings (tab-separated batch output,
        binary columns as 0x... hex so that a row stays on one line)."""
        result = subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.mysql_socket}", "-uroot",
             "--batch", "--skip-column-names", "--binary-as-hex", self.database,
             "-e", query],
            capture_output=True, check=False, timeout=60)
        if result.returncode != 0:
            raise SetupError(f"mariadb: {result.stderr.decode(errors='replace').strip()}")
        text = result.stdout.decode("utf-8", errors="replace")
        return [line.split("\t") for line in text.splitlines()]

    def dump(self):
        """Every table of this server's database as SQL text, binary columns
        in hex, from mariadb-dump."""
        result = subprocess.run(
            ["mariadb-dump", "--no-defaults", f"--socket={self.mysql_socket}", "-uroot",
             "--hex-blob", "--skip-extended-insert", self.database],
            capture_output=True, check=False, timeout=60)
        if result.returncode != 0:
            raise SetupError(
                f"mariadb-dump: {result.stderr.decode(errors='replace').strip()}")
        return result.stdout.decode("utf-8", errors="replace")

    def close(self):
        """Stops the server if running, drops its database, removes its folder."""
        self.stop()
        subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.mysql_socket}", "-uroot",
             "-e", f"DROP DATABASE IF EXISTS `{self.database}`"],
            capture_output=True, check=False, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)
