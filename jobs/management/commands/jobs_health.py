"""``python manage.py jobs_health``: one line per check, exit status 0 when all pass, else 1."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand

from jobs.monitoring.health import run_checks


class Command(BaseCommand):
    help = "Check the database, Redis, workers, scheduler heartbeat and backlogs; exit 1 on any failure."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = run_checks()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
        else:
            for check in report.checks:
                status = "OK  " if check.ok else "FAIL"
                line = f"{status} {check.name}: {check.detail}"
                self.stdout.write(self.style.SUCCESS(line) if check.ok else self.style.ERROR(line))
        sys.exit(0 if report.ok else 1)
