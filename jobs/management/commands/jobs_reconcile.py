"""``manage.py jobs_reconcile``: give every waiting job its RQ copy back.

The scheduler process already does this every ``JOBS['RECONCILE_INTERVAL']`` seconds;
run it by hand after restoring Redis, or from a deploy hook.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jobs.services.maintenance import reconcile


class Command(BaseCommand):
    help = "Re-enqueue every job the database counts as waiting but Redis has lost."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--grace",
            type=float,
            default=None,
            help="Skip jobs younger than this many seconds (default: JOBS['RECONCILE_GRACE']).",
        )

    def handle(self, *args, grace: float | None, **options) -> None:
        restored = reconcile(grace=grace)
        self.stdout.write(
            f"restored queued={restored['queued']} scheduled={restored['scheduled']} "
            f"deferred={restored['deferred']}; lost attempts recorded={restored['lost']}"
        )
