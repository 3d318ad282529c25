"""``manage.py demo_setup``: a demo admin user and the reference recurring jobs."""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_USERNAME = os.environ.get("JOBDESK_ADMIN_USER", "admin")
DEMO_PASSWORD = os.environ.get("JOBDESK_ADMIN_PASSWORD", "admin")


class Command(BaseCommand):
    help = "Create the demo superuser (if missing) and the demo recurring jobs."

    def handle(self, *args, **options) -> None:
        users = get_user_model()
        if not users.objects.filter(username=DEMO_USERNAME).exists():
            users.objects.create_superuser(DEMO_USERNAME, f"{DEMO_USERNAME}@example.com", DEMO_PASSWORD)
            self.stdout.write(f"Created superuser {DEMO_USERNAME!r}.")
        from project.demo import create_demo_recurring_jobs

        created = create_demo_recurring_jobs()
        self.stdout.write(f"Demo recurring jobs in place ({len(created)} new).")
        from project.demo import create_demo_events_and_workflows

        self.stdout.write(
            f"Demo event, workflow and batch in place ({', '.join(create_demo_events_and_workflows())})."
        )
        self.stdout.write(self.style.SUCCESS(f"Log in with {DEMO_USERNAME} / {DEMO_PASSWORD}"))
