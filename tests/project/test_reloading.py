"""``make run``'s reloader: a changed Python file restarts the processes, workers included."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from project.reloading import Reloader

SLEEPER = "import time; time.sleep(120)"


@pytest.fixture
def tree(tmp_path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "tasks.py").write_text("x = 1\n")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "lib.py").write_text("")
    return tmp_path


def _touch(path: Path, text: str) -> None:
    path.write_text(text)
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 5))


def test_it_names_edited_added_and_removed_files_and_nothing_under_the_virtualenv(tree):
    reloader = Reloader(tree, say=lambda _: None)
    assert reloader.changed() == []
    _touch(tree / "app" / "tasks.py", "x = 2\n")
    (tree / "app" / "new.py").write_text("")
    _touch(tree / ".venv" / "lib.py", "y = 1\n")
    assert reloader.changed() == ["app/new.py", "app/tasks.py"]
    (tree / "app" / "new.py").unlink()
    assert reloader.changed() == ["app/new.py"]
    assert reloader.changed() == []


def test_a_change_restarts_every_process_and_lets_old_workers_finish(tree, tmp_path_factory):
    script = tmp_path_factory.mktemp("bin") / "manage.py"
    script.write_text(SLEEPER)

    def spawn(command: list[str]) -> subprocess.Popen:
        """A stand-in with the devserver's argument layout: ``python manage.py <command…>``."""
        return subprocess.Popen([sys.executable, str(script), *command])

    said: list[str] = []
    reloader = Reloader(tree, say=said.append)
    children = [spawn(["runserver"]), spawn(["rqworker", "high"]), spawn(["rqscheduler"])]
    originals = list(children)
    try:
        reloader.poll(children, spawn)
        assert children == originals
        _touch(tree / "app" / "tasks.py", "x = 3\n")
        reloader.poll(children, spawn)
        assert said == ["Code changed (app/tasks.py): restarting the web server, workers and scheduler."]
        assert [child.args[2:] for child in children] == [
            ["runserver"],
            ["rqworker", "high"],
            ["rqscheduler"],
        ]
        assert not set(children) & set(originals)
        assert originals[0].poll() is not None  # the web server is stopped before its successor starts
        for old in originals[1:]:
            # Asked to stop with SIGTERM (RQ's warm shutdown), not killed: it exits by itself.
            assert old.wait(timeout=10) in (0, -signal.SIGTERM)
        assert all(child.poll() is None for child in children)
    finally:
        for process in [*children, *originals]:
            process.kill()
            process.wait()
