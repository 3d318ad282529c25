"""``manage.py jobs_import_celery_beat``: adopt django-celery-beat's PeriodicTasks.

Dry run by default (prints what it would import and what it can't, and why);
``--apply`` writes the RecurringJobs. Rules: :mod:`jobs.services.import_beat`.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jobs.services.import_beat import import_periodic_tasks


class Command(BaseCommand):
    help = "Turn django-celery-beat PeriodicTasks of registered tasks into recurring jobs."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--apply", action="store_true", help="Write the recurring jobs (default: dry run)."
        )

    def handle(self, *args, apply: bool, **options) -> None:
        report = import_periodic_tasks(apply=apply, via="cli")
        verb = "Imported" if apply else "Would import"
        self.stdout.write(f"{verb} {len(report.imported)} periodic task(s):")
        for name, summary in report.imported:
            self.stdout.write(f"  + {name}: {summary}")
        self.stdout.write(f"Could not import {len(report.refused)}:")
        for name, reason in report.refused:
            self.stdout.write(f"  - {name}: {reason}")
        if not apply:
            self.stdout.write("Dry run: nothing was written. Run again with --apply to import.")
