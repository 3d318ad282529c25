"""Separate hosts on one machine: network namespaces on a bridge of their own (root only).

:class:`Hosts` creates a ``data`` namespace (Redis on its own address; PostgreSQL is the
machine's, at 127.0.0.1:5432, reached through a forwarder on the bridge's address), a
``web`` namespace and worker namespaces, each with its own loopback and one veth on the
bridge. The processes started in them get those addresses and nothing else: no
localhost, no shared PIDs (``ip netns pids`` finds a host's processes to kill it), and
each host its own ``JOBDESK_VAR_DIR``. Traffic goes only to loopback and to these
namespaces' addresses. Everything is removed on exit, pass or fail.

``Hosts(own_postgres=True)`` runs a PostgreSQL server of its own in the data namespace
instead (``initdb`` and ``postgres`` from the machine's PostgreSQL install, as the
``postgres`` user, throwaway: no fsync): no forwarder on the way, as the benchmark
wants. The database then shares the data host's address with Redis, so it can't be cut
off on its own.

Used by ``tests/jobs/fleet/test_many_hosts.py`` and ``bench/fleet_hosts.py``.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[3]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def available() -> str:
    """Why the topology can't be built here, or "" when it can."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if subprocess.run(["ip", "netns", "list"], capture_output=True).returncode != 0:
        return "`ip netns` is not available"
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            pass
    except psycopg.Error as exc:
        return f"PostgreSQL at 127.0.0.1:5432 does not answer: {exc}"
    return ""


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


class Forwarder:
    """TCP from ``listen`` to ``target``, a thread per direction (a handful of connections)."""

    def __init__(self, listen: tuple[str, int], target: tuple[str, int]) -> None:
        self.target = target
        self.server = socket.create_server(listen, reuse_port=False)
        self.server.settimeout(0.5)
        self.stopping = False
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopping:
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for sock in (client, upstream):  # PostgreSQL's small messages: no Nagle delay
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.stopping = True
        self.server.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()


class Hosts:
    """``with Hosts(workers=3) as hosts:`` — see the module docstring."""

    made = 0
    """Topologies this process built: each gets names of its own, since a deleted namespace's
    veth pair goes away asynchronously and its name may still be taken for a moment."""

    def __init__(self, workers: int = 3, *, own_postgres: bool = False) -> None:
        Hosts.made += 1
        tag = f"{os.getpid() % 1000:03d}{Hosts.made % 10}"
        self.prefix = f"jd{tag}"
        self.subnet = f"10.{200 + os.getpid() % 50}.{(os.getpid() + Hosts.made) % 250}"
        self.bridge = f"{self.prefix}br"
        self.names = ["data", "web", *[f"w{n}" for n in range(1, workers + 1)]]
        self.address = {name: f"{self.subnet}.{index + 10}" for index, name in enumerate(self.names)}
        self.gateway = f"{self.subnet}.1"
        self.database = f"jobdesk_netns_{tag}"
        self.tmp = Path(tempfile.mkdtemp(prefix="jobdesk-netns-"))
        self.intervals = self.tmp / "intervals"
        """Where ``tests.timed_run`` keeps each execution's interval (the test's instrument only)."""
        self.intervals.mkdir()
        self.processes: list[subprocess.Popen] = []
        self.created: list[str] = []
        self.forwarder: Forwarder | None = None
        self.own_postgres = own_postgres

    def ns(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def __enter__(self) -> Hosts:
        try:
            self._network()
            self._services()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _network(self) -> None:
        ip("link", "add", self.bridge, "type", "bridge")
        self.created.append("bridge")
        ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for index, name in enumerate(self.names):
            ns, outside, inside = self.ns(name), f"{self.prefix}v{index}", f"{self.prefix}p{index}"
            ip("netns", "add", ns)
            self.created.append(ns)
            ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            ip("link", "set", inside, "netns", ns)
            ip("link", "set", outside, "master", self.bridge, "up")
            ip("-n", ns, "addr", "add", f"{self.address[name]}/24", "dev", inside)
            ip("-n", ns, "link", "set", inside, "up")
            ip("-n", ns, "link", "set", "lo", "up")

    def _services(self) -> None:
        redis = ["redis-server", "--bind", self.address["data"], "--port", "6379", "--save", ""]
        redis += ["--appendonly", "no", "--protected-mode", "no", "--dir", str(self.tmp)]
        self.processes.append(self._exec("data", redis, "redis"))
        if self.own_postgres:
            self._start_postgres()
        else:
            self.forwarder = Forwarder((self.gateway, 5432), ("127.0.0.1", 5432))
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {self.database}")
            connection.execute(f"CREATE DATABASE {self.database}")
        self._wait_for_redis()
        migrate = self.manage("web", "migrate", "--verbosity", "0", name="migrate")
        if migrate.wait(timeout=300) != 0:
            raise RuntimeError(f"migrate failed: {self.log('migrate')}")

    def _start_postgres(self) -> None:
        """initdb and postgres in the data namespace, run as ``postgres`` (it refuses root)."""
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
        if not binaries:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        bin_dir = Path(binaries[-1]).parent
        data = self.tmp / "postgres"
        data.mkdir()
        self.tmp.chmod(0o755)
        account = pwd.getpwnam("postgres")
        os.chown(data, account.pw_uid, account.pw_gid)
        as_postgres = ["runuser", "-u", "postgres", "--"]
        initdb = [*as_postgres, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
        subprocess.run([*initdb, "--no-sync"], check=True, capture_output=True)
        with open(data / "pg_hba.conf", "a") as hba:  # the bridge's subnet: the hosts and this process
            hba.write(f"host all all {self.subnet}.0/24 trust\n")
        server = [*as_postgres, str(bin_dir / "postgres"), "-D", str(data), "-k", str(data)]
        server += ["-h", self.address["data"], "-p", "5432", "-c", "fsync=off", "-c", "max_connections=200"]
        self.processes.append(self._exec("data", server, "postgres"))
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(psycopg.Error), psycopg.connect(self.admin_url, connect_timeout=2):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start in the data namespace: {self.log('postgres')}")
            time.sleep(0.2)

    @property
    def database_host(self) -> str:
        """Where the hosts reach PostgreSQL: its own server, or the forwarder."""
        return self.address["data"] if self.own_postgres else self.gateway

    @property
    def admin_url(self) -> str:
        """Where this process reaches PostgreSQL (the data namespace's, or the machine's)."""
        if self.own_postgres:
            return f"postgresql://postgres@{self.address['data']}:5432/postgres"
        return PG_ADMIN

    def _wait_for_redis(self) -> None:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection((self.address["data"], 6379), 1):
                return
            if time.monotonic() > deadline:
                raise RuntimeError("Redis did not start in the data namespace")
            time.sleep(0.1)

    @property
    def redis_url(self) -> str:
        return f"redis://{self.address['data']}:6379/0"

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@{self.database_host}:5432/{self.database}"

    def env(self, host: str, **extra: str) -> dict[str, str]:
        var = self.tmp / host
        var.mkdir(exist_ok=True)
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "JOBS_TEST_REDIS_URL": self.redis_url,
            "REDIS_URL": self.redis_url,
            "DATABASE_URL": self.database_url,
            "JOBDESK_VAR_DIR": str(var),
            "JOBDESK_TEST_INTERVALS": str(self.intervals),
            "DEBUG": "0",
            **extra,
        }

    def _exec(self, host: str, command: list[str], name: str, **env: str) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        process = subprocess.Popen(
            ["ip", "netns", "exec", self.ns(host), *command],
            cwd=ROOT,
            env=self.env(host, **env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return process

    def manage(self, host: str, *args: str, name: str, **env: str) -> subprocess.Popen:
        """``manage.py <args>`` on ``host``; its output goes to ``<tmp>/<name>.log``."""
        process = self._exec(host, [sys.executable, str(ROOT / "manage.py"), *args], name, **env)
        self.processes.append(process)
        return process

    def shell(self, host: str, code: str) -> object:
        """Run Django code on ``host`` (``manage.py shell -c``); returns what it prints as JSON."""
        done = subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                self.ns(host),
                sys.executable,
                str(ROOT / "manage.py"),
                "shell",
                "-c",
                code,
            ],
            cwd=ROOT,
            env=self.env(host),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        return json.loads(done.stdout.strip().splitlines()[-1])

    def query(self, sql: str, *params: object) -> list[tuple]:
        """The test's own reads of the fleet's database."""
        with psycopg.connect(self.admin_url.rsplit("/", 1)[0] + f"/{self.database}") as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def pids(self, host: str) -> list[int]:
        done = subprocess.run(["ip", "netns", "pids", self.ns(host)], capture_output=True, text=True)
        return [int(pid) for pid in done.stdout.split()]

    def kill_host(self, host: str) -> None:
        """The host goes down: every process in its namespace is SIGKILLed at once."""
        for pid in self.pids(host):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def cut_off(self, host: str, other: str) -> None:
        """A partition: ``host`` can no longer reach ``other`` (and gets "unreachable" at once).

        ``other`` is a host, or ``"database"``: PostgreSQL alone (its forwarder's address),
        while Redis on the data host still answers.
        """
        ip("-n", self.ns(host), "route", "add", "unreachable", f"{self._reach(other)}/32")

    def heal(self, host: str, other: str) -> None:
        ip("-n", self.ns(host), "route", "del", "unreachable", f"{self._reach(other)}/32")

    def _reach(self, other: str) -> str:
        if other != "database":
            return self.address[other]
        if self.own_postgres:
            raise ValueError("PostgreSQL shares the data host's address here: cut off the data host")
        return self.gateway

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for name in self.names:
            if self.ns(name) in self.created:
                self.kill_host(name)
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        for index, name in enumerate(self.names):
            if self.ns(name) in self.created:
                subprocess.run(["ip", "netns", "del", self.ns(name)], capture_output=True)
                subprocess.run(["ip", "link", "del", f"{self.prefix}v{index}"], capture_output=True)
        if "bridge" in self.created:
            subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
        if self.forwarder is not None:
            self.forwarder.close()
        if self.own_postgres:
            shutil.rmtree(self.tmp / "postgres", ignore_errors=True)
            return
        with contextlib.suppress(psycopg.Error), psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
