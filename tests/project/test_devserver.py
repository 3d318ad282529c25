"""``manage.py devserver`` (what ``make run`` runs) stops quietly, with status 0, however started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

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


def answers(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_background_devserver_signalled_through_its_group_exits_0_quietly(tmp_path, sig):
    out, status = tmp_path / "out.log", tmp_path / "status"
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "PORT": str(closed_port()),
        "OUT": str(out),
        "STATUS": str(status),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "JOBDESK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "project.settings",
    }
    script = subprocess.Popen(["bash", "-c", SCRIPT], cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for(lambda: out.exists() and "Jobdesk is up" in out.read_text(), 120, 0.2, message="up")
        wait_for(lambda: answers(int(env["PORT"])), 120, 0.2, message="the web server")
        wait_for(lambda: "Listening on" in out.read_text(), 60, 0.2, message="the worker")
        os.killpg(script.pid, sig)
        assert script.wait(timeout=60) == 0
        wait_for(status.exists, 10)
        log = out.read_text()
        assert status.read_text().strip() == "0", log[-3000:]
        assert "CommandError" not in log and "Traceback" not in log, log[-3000:]
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
