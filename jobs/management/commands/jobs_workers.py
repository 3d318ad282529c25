"""``manage.py jobs_workers``: run this host's share of the worker pools.

One command per host starts the pools of ``JOBS["WORKER_POOLS"]`` (all of them, or
those named with ``--pool``), keeps each at the size its backlog asks for, replaces
workers that crash, recycle or fail their health check, and on SIGTERM or Ctrl-C
stops them gracefully and exits 0. ``manage.py rqworker high normal`` still runs one
worker by hand, exactly as before.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jobs.exceptions import JobsError
from jobs.services.fleet import run_fleet


class Command(BaseCommand):
    help = "Run this host's worker pools (JOBS['WORKER_POOLS']) until SIGTERM or Ctrl-C."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--pool", action="append", dest="pools", default=None, help="Run only this pool (repeatable)."
        )
        parser.add_argument("--host", default=None, help="This host's name in the fleet (default: hostname).")
        parser.add_argument(
            "--log-dir", type=Path, default=None, help="One log file per worker in this folder."
        )

    def handle(
        self, *args, pools: list[str] | None, host: str | None, log_dir: Path | None, **options
    ) -> None:
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)
        try:
            run_fleet(pools, manage_py=str(Path(sys.argv[0]).resolve()), host=host, log_dir=log_dir)
        except JobsError as exc:
            raise CommandError(str(exc)) from exc
