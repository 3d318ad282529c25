"""``manage.py jobs_worker high normal [--fast] [--concurrency N] …``: a worker, short.

It runs django-rq's ``rqworker`` with Jobdesk's worker class of choice: the forking
one by default, the fast lane (no fork, N slots) with ``--fast``. The limits are the
``JOBDESK_WORKER_*`` environment variables a supervisor would set, so this command and
a supervised process configure a worker the same way (see README, "Choosing a worker
class").
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from jobs import conf

FORKING_WORKER_CLASS = "jobs.engine.worker.Worker"

LIMITS = {
    "concurrency": "JOBDESK_WORKER_CONCURRENCY",
    "max_jobs": "JOBDESK_WORKER_MAX_JOBS",
    "max_memory_mb": "JOBDESK_WORKER_MAX_MEMORY_MB",
    "shutdown_timeout": "JOBDESK_WORKER_SHUTDOWN_TIMEOUT",
}


class Command(BaseCommand):
    help = "Run a Jobdesk worker: forking by default, --fast for the non-forking one with N slots."

    def add_arguments(self, parser) -> None:
        parser.add_argument("queues", nargs="*", help="queues in priority order (default: JOBS['QUEUES'])")
        parser.add_argument("--fast", action="store_true", help="no fork per job: slot threads, asyncio")
        parser.add_argument("--concurrency", type=int, help="jobs at once (--fast only)")
        parser.add_argument("--max-jobs", type=int, help="exit (status 0) after this many jobs")
        parser.add_argument("--max-memory-mb", type=int, help="exit (status 0) above this resident memory")
        parser.add_argument("--shutdown-timeout", type=float, help="seconds running jobs get on SIGTERM")
        parser.add_argument("--burst", action="store_true", help="quit when the queues are empty")
        parser.add_argument("--name", help="the worker's name in RQ")

    def handle(self, *args: Any, **options: Any) -> None:
        concurrency = options["concurrency"]
        if concurrency is not None and concurrency < 1:
            raise CommandError("--concurrency must be 1 or more")
        if concurrency and concurrency > 1 and not options["fast"]:
            raise CommandError(
                "--concurrency needs --fast: the forking worker runs one job at a time "
                "(for processes, run several workers or rqworker-pool)"
            )
        for option, variable in LIMITS.items():
            if options[option] is not None:
                if options[option] < 0:
                    raise CommandError(f"--{option.replace('_', '-')} must be 0 or more")
                os.environ[variable] = str(options[option])
        conf.reload()
        queues = options["queues"] or list(conf.get().QUEUES)
        call_command(
            "rqworker",
            *queues,
            worker_class=conf.FAST_WORKER_CLASS if options["fast"] else FORKING_WORKER_CLASS,
            burst=options["burst"],
            name=options["name"],
            verbosity=options["verbosity"],
        )
