"""``manage.py devserver``: the whole system on one machine, for trying Jobdesk out.

Migrates, runs ``demo_setup``, starts an embedded Redis (:mod:`project.embedded_redis`)
if ``REDIS_URL`` points at this machine and nothing answers there, then runs the web
server, two workers (``rqworker high normal low``) and the scheduler, until Ctrl-C
stops them all and it exits 0 (also on SIGTERM or SIGINT to its process group,
however it was started; under ``make run`` it takes the terminal's foreground so that
Ctrl-C reaches it and not make, :mod:`project.foreground`). With DEBUG on, a change to
the project's Python files restarts them (``project.reloading``), so workers never run
stale task code. Production runs
each of these as its own service instead.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from jobs import conf
from project import embedded_redis
from project.foreground import own_foreground
from project.reloading import Reloader

GROUP_SIGNAL_GRACE = 5.0
"""Seconds the children get to stop on a group signal of their own before devserver's SIGTERM."""


class Command(BaseCommand):
    help = "Run web server, two workers, the scheduler (and Redis if needed) until Ctrl-C."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Where the web server listens.")
        parser.add_argument("--workers", type=int, default=2, help="How many rqworker processes.")

    def handle(self, *args, addr: str, workers: int, **options) -> None:
        with own_foreground():
            self.serve(addr, workers)

    def serve(self, addr: str, workers: int) -> None:
        self.stop_signal: int | None = None
        for signum in (signal.SIGINT, signal.SIGTERM):
            # Set even where the signal was ignored: a background job of a script starts
            # with SIGINT ignored, and must still stop cleanly when its group is signalled.
            signal.signal(signum, self.on_signal)
        redis_process = self.ensure_redis(settings.REDIS_URL)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("demo_setup")
        queues = list(conf.get().QUEUES)
        commands = [["runserver", addr, "--noreload"], ["rqscheduler"]]
        commands += [["rqworker", *queues] for _ in range(workers)]
        children = [self.spawn(command) for command in commands]
        self.reloader = Reloader(Path(settings.BASE_DIR), self.stdout.write) if settings.DEBUG else None
        self.stdout.write(
            self.style.SUCCESS(f"Jobdesk is up: http://{addr}/admin/ and http://{addr}/dashboard/")
        )
        try:
            self.watch(children)
            self.stdout.write("Stopping…")
        finally:
            signalled = self.stop_signal is not None
            self.stop([*children, *(self.reloader.retiring if self.reloader else [])], signalled=signalled)
            if redis_process:
                self.stop([redis_process])  # last: the workers and scheduler need it to stop cleanly

    def on_signal(self, signum: int, frame) -> None:
        """Ctrl-C, or SIGTERM/SIGINT to the process group: stop everything, exit 0."""
        self.stop_signal = signum

    def ensure_redis(self, url: str) -> subprocess.Popen | None:
        if embedded_redis.answers(url):
            self.stdout.write(f"Using Redis at {url}")
            return None
        if not embedded_redis.is_local(url):
            raise CommandError(f"Redis at {url} does not answer.")
        port = urlparse(url).port or 6379
        directory = Path(settings.BASE_DIR) / "var" / "redis"
        self.stdout.write(f"Nothing answers at {url}: starting the embedded Redis on port {port}")
        return embedded_redis.start(port, directory)

    def spawn(self, command: list[str]) -> subprocess.Popen:
        """Start ``manage.py command`` with SIGINT ignored until it sets its own handler.

        A signal to the group reaches the children too: one still booting (not yet in
        rq's loop, whose handlers stop it gently) would die of it with a traceback.
        Ignored, it waits for devserver's own SIGTERM, which every child handles.
        """
        return subprocess.Popen(
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *command],
            preexec_fn=_ignore_sigint,  # devserver starts its children from one thread
        )

    def watch(self, children: list[subprocess.Popen]) -> None:
        """Until a stop signal; a child that ends on its own is an error.

        A signal to the process group reaches the children too, and one may exit
        before this process has run its handler: a child that ended is only an error
        if no stop signal follows within a moment.
        """
        next_scan = 0.0
        while self.stop_signal is None:
            if self.reloader and time.monotonic() >= next_scan:
                self.reloader.poll(children, self.spawn)
                next_scan = time.monotonic() + 1
            ended = [child for child in children if child.poll() is not None]
            if ended and not self.stop_follows():
                child = ended[0]
                raise CommandError(f"{' '.join(child.args[2:])} exited with status {child.returncode}")
            time.sleep(0.2)

    def stop_follows(self, grace: float = 1.0) -> bool:
        deadline = time.monotonic() + grace
        while self.stop_signal is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.stop_signal is not None

    def stop(self, processes: list[subprocess.Popen], *, signalled: bool = False) -> None:
        """SIGTERM to what still runs, then SIGKILL to what still runs 15 s later.

        After a signal to the group (Ctrl-C included, ``signalled``) the children got it
        too and are stopping: they get a moment first, since a second signal tells a worker to stop
        at once and the scheduler to exit from within its exit handler.
        """
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)  # stopping already: a second Ctrl-C waits too
        if signalled:
            self.wait_for(processes, GROUP_SIGNAL_GRACE)
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        if self.wait_for(processes, 15):
            return
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    def wait_for(self, processes: list[subprocess.Popen], seconds: float) -> bool:
        """Wait up to ``seconds`` for every process to end; whether they all did."""
        deadline = time.monotonic() + seconds
        for process in processes:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.01))
            except subprocess.TimeoutExpired:
                return False
        return True


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
