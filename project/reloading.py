"""``make run`` in DEBUG: restart the web server, workers and scheduler when code changes.

``runserver`` reloads itself, but an RQ worker imports the tasks once and runs that
code until it stops: after an edit to a ``tasks.py`` it went on running the old code
without a word. The devserver asks :meth:`Reloader.poll` once a second; when a Python
file under the project changed, it says which and starts every process anew. A
worker or scheduler is asked to stop (SIGTERM: RQ's warm shutdown lets a running job
finish) while its successor starts at once; the web server is stopped first, since
the new one needs its port.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

SKIPPED = frozenset(
    {".venv", "venv", "var", ".git", "node_modules", "test-artifacts", "__pycache__", "bench"}
)
"""Folders whose files are not the project's code (or change all the time)."""
STOP_WAIT = 10.0


def python_files(root: Path) -> Iterator[Path]:
    for folder, folders, files in os.walk(root):
        folders[:] = [name for name in folders if name not in SKIPPED and not name.startswith(".")]
        for name in files:
            if name.endswith(".py"):
                yield Path(folder) / name


class Reloader:
    """Watches a tree's modification times; restarts the processes it is given."""

    def __init__(self, root: Path, say: Callable[[str], None] = print) -> None:
        self.root = root
        self.say = say
        self.snapshot = self._scan()
        self.retiring: list[subprocess.Popen] = []

    def _scan(self) -> dict[Path, float]:
        times = {}
        for path in python_files(self.root):
            try:
                times[path] = path.stat().st_mtime
            except FileNotFoundError:
                continue
        return times

    def changed(self) -> list[str]:
        """The files added, edited or removed since the last call, relative to the root."""
        current = self._scan()
        names = {
            path
            for path in current.keys() | self.snapshot.keys()
            if current.get(path) != self.snapshot.get(path)
        }
        self.snapshot = current
        return sorted(str(path.relative_to(self.root)) for path in names)

    def poll(self, children: list[subprocess.Popen], spawn: Callable[[list[str]], subprocess.Popen]) -> None:
        """Restart every child (in place in ``children``) if code changed; reap retired ones."""
        self.retiring = [process for process in self.retiring if process.poll() is None]
        names = self.changed()
        if not names:
            return
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        self.say(f"Code changed ({shown}): restarting the web server, workers and scheduler.")
        for index, child in enumerate(children):
            command = list(child.args[2:])
            if command and command[0] == "runserver":
                stop(child)
            elif child.poll() is None:
                child.send_signal(signal.SIGTERM)
                self.retiring.append(child)
            children[index] = spawn(command)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
