"""``manage.py devserver`` and ``make run`` stop quietly, with status 0, however started.

GNU make dies of a SIGTERM it receives itself (decision 66): with make in the signalled
group, devserver still stops everything quietly, and make's status is make's own.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import socket
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import ROOT, closed_port, wait_for

pytestmark = pytest.mark.slow

SCRIPT = """
"$PYTHON" manage.py devserver --addr "127.0.0.1:$PORT" --workers 1 > "$OUT" 2>&1 &
child=$!
trap 'wait $child; echo $? > "$STATUS"; exit 0' INT TERM
wait $child
echo $? > "$STATUS"
"""
"""A script that starts devserver as a background job: bash gives such a job SIGINT ignored."""

MAKE_SCRIPT = """
make -o "$VENV/.installed" run RUN_ARGS="--addr 127.0.0.1:$PORT --workers 1" > "$OUT" 2>&1 &
child=$!
trap 'wait $child; echo $? > "$STATUS"; exit 0' INT TERM
wait $child
echo $? > "$STATUS"
"""
"""The same with ``make run`` (``-o``: the virtualenv counts as installed, never rebuilt here)."""

NOISE = ("CommandError", "Traceback", "make: ***")


def answers(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def devserver_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHON": sys.executable,
        "PORT": str(closed_port()),
        "OUT": str(tmp_path / "out.log"),
        "STATUS": str(tmp_path / "status"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "JOBDESK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "VENV": str(Path(sys.executable).parent.parent),
    }


def wait_until_up(read_log, port: int) -> None:
    wait_for(lambda: "Jobdesk is up" in read_log(), 120, 0.2, message="up")
    wait_for(lambda: answers(port), 120, 0.2, message="the web server")
    wait_for(lambda: "Listening on" in read_log(), 60, 0.2, message="the worker")
    # Signalled earlier, a child still in its start-up checks prints a KeyboardInterrupt.
    wait_for(lambda: "Registering birth" in read_log(), 60, 0.2, message="the scheduler")


def run_in_background(tmp_path: Path, script_text: str, sig: int) -> tuple[str, str]:
    """Start the script, signal its whole process group once all is up: (status, output)."""
    out, status = tmp_path / "out.log", tmp_path / "status"
    env = devserver_env(tmp_path)
    script = subprocess.Popen(["bash", "-c", script_text], cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_until_up(lambda: out.read_text() if out.exists() else "", int(env["PORT"]))
        os.killpg(script.pid, sig)
        assert script.wait(timeout=60) == 0
        wait_for(status.exists, 10)
        wait_for(lambda: not answers(int(env["PORT"])), 30, message="the web server stopped")
        return status.read_text().strip(), out.read_text()
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_background_devserver_signalled_through_its_group_exits_0_quietly(tmp_path, sig):
    status, log = run_in_background(tmp_path, SCRIPT, sig)
    assert status == "0", log[-3000:]
    assert not any(noise in log for noise in NOISE), log[-3000:]


def test_a_background_make_run_sent_sigint_through_its_group_exits_0_quietly(tmp_path):
    """make keeps a SIGINT its starter ignored ignored, and passes on devserver's 0."""
    status, log = run_in_background(tmp_path, MAKE_SCRIPT, signal.SIGINT)
    assert status == "0", log[-3000:]
    assert "Stopping…" in log and not any(noise in log for noise in NOISE), log[-3000:]


def test_a_background_make_run_sent_sigterm_through_its_group_stops_devserver_quietly(tmp_path):
    """make itself dies of the SIGTERM (decision 66); devserver below it stops everything cleanly."""
    status, log = run_in_background(tmp_path, MAKE_SCRIPT, signal.SIGTERM)
    assert status != "0"
    assert "Stopping…" in log and "CommandError" not in log and "Traceback" not in log, log[-3000:]


def test_make_run_in_a_terminal_ends_with_status_0_on_ctrl_c(tmp_path):
    """Ctrl-C reaches devserver's own foreground group, not make (``project.foreground``)."""
    env = devserver_env(tmp_path)
    controller, terminal = pty.openpty()
    run_args = f"RUN_ARGS=--addr 127.0.0.1:{env['PORT']} --workers 1"
    command = ["make", "-o", f"{env['VENV']}/.installed", "run", run_args]
    make = subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=terminal, stdout=terminal, stderr=terminal,
        start_new_session=True, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
    )  # fmt: skip
    os.close(terminal)
    output = bytearray()
    reader = threading.Thread(target=drain, args=(controller, output), daemon=True)
    reader.start()
    try:
        wait_until_up(lambda: output.decode(errors="replace"), int(env["PORT"]))
        os.write(controller, b"\x1a")  # Ctrl-Z: ignored, nothing stops
        assert not wait_for_stopped(make.pid), "Ctrl-Z stopped a process the shell can't bring back"
        os.write(controller, b"\x03")
        status = make.wait(timeout=60)
        reader.join(timeout=10)
        log = output.decode(errors="replace")
        assert status == 0, log[-3000:]
        assert "Stopping…" in log and not any(noise in log for noise in NOISE), noisy(log)
        assert not answers(int(env["PORT"]))
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
        os.close(controller)


def noisy(log: str) -> str:
    """The output around the first line that should not be there, else its end."""
    at = min((log.find(noise) for noise in NOISE if noise in log), default=len(log))
    return log[max(0, at - 2500) : at + 2500]


def wait_for_stopped(pid: int, within: float = 2.0) -> bool:
    """Whether any process under ``pid`` is stopped (state T) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        tree = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
        if any(process.status() == psutil.STATUS_STOPPED for process in tree):
            return True
        time.sleep(0.1)
    return False


def drain(controller: int, output: bytearray) -> None:
    """Read the terminal until it closes, so a full buffer never blocks the processes."""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            return
        if not chunk:
            return
        output.extend(chunk)
