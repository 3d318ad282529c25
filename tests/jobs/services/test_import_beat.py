"""``jobs_import_celery_beat`` on real django-celery-beat PeriodicTask rows."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from jobs.models import RecurringJob

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def periodic_tasks():
    crontab = CrontabSchedule.objects.create(minute="0", hour="6", timezone="America/Sao_Paulo")
    every_15 = IntervalSchedule.objects.create(every=15, period="minutes")
    start, expires = timezone.now() + timedelta(days=1), timezone.now() + timedelta(days=30)
    PeriodicTask.objects.create(
        name="detect",
        task="tests.echo",
        crontab=crontab,
        kwargs=json.dumps({"days": 30}),
        queue="low",
    )
    PeriodicTask.objects.create(
        name="rates",
        task="tests.identity",
        interval=every_15,
        args=json.dumps(["EUR"]),
        enabled=False,
        start_time=start,
        expires=expires,
        queue="celery",
    )
    PeriodicTask.objects.create(
        name="once",
        task="tests.add",
        args="[1, 2]",
        clocked=ClockedSchedule.objects.create(clocked_time=timezone.now() + timedelta(hours=2)),
        one_off=True,
    )
    PeriodicTask.objects.create(name="celery-own", task="celery.backend_cleanup", crontab=crontab)
    PeriodicTask.objects.create(name="bad-json", task="tests.add", interval=every_15, args="[1, 2")
    PeriodicTask.objects.create(name="wrong-args", task="tests.add", interval=every_15, args="[1]")
    solar = SolarSchedule.objects.create(event="sunset", latitude=-23.5, longitude=-46.6)
    PeriodicTask.objects.create(name="sunset", task="tests.noop", solar=solar)
    PeriodicTask.objects.create(
        name="past",
        task="tests.noop",
        clocked=ClockedSchedule.objects.create(clocked_time=timezone.now() - timedelta(days=3)),
        one_off=True,
    )
    return start, expires


def run(*args: str) -> str:
    out = StringIO()
    call_command("jobs_import_celery_beat", *args, stdout=out)
    return out.getvalue()


def test_dry_run_lists_both_sides_and_writes_nothing(periodic_tasks):
    schedules = (
        CrontabSchedule.objects.count(),
        IntervalSchedule.objects.count(),
        ClockedSchedule.objects.count(),
    )
    output = run()
    assert "Would import 3 periodic task(s):" in output
    assert "  + detect: tests.echo, At 06:00, every day, America/Sao_Paulo" in output
    assert "  + rates: tests.identity, Every 15 minutes" in output
    assert "Could not import 5:" in output
    assert "  - celery-own: Unknown task 'celery.backend_cleanup': it is not registered." in output
    assert "  - bad-json: Its args are not valid JSON" in output
    assert "  - wrong-args: Arguments don't fit tests.add" in output
    assert "  - sunset: Solar schedules" in output
    assert "  - past: The clocked time is in the past." in output
    assert "Dry run: nothing was written" in output
    assert not RecurringJob.objects.exists()
    assert schedules == (
        CrontabSchedule.objects.count(),
        IntervalSchedule.objects.count(),
        ClockedSchedule.objects.count(),
    )


def test_apply_keeps_schedule_arguments_state_and_bounds(periodic_tasks):
    start, expires = periodic_tasks
    output = run("--apply")
    assert output.startswith("Imported 3 periodic task(s):")
    detect = RecurringJob.objects.get(name="detect")
    assert detect.crontab_id == PeriodicTask.objects.get(name="detect").crontab_id
    assert (detect.kwargs, detect.queue, detect.enabled) == ({"days": 30}, "low", True)
    assert detect.next_run_at is not None
    rates = RecurringJob.objects.get(name="rates")
    assert (rates.args, rates.queue, rates.enabled, rates.next_run_at) == (["EUR"], "", False, None)
    assert (rates.start_at, rates.end_at) == (start, expires)
    assert RecurringJob.objects.get(name="once").clocked_id is not None
    assert RecurringJob.objects.count() == 3
    again = run("--apply")
    assert (
        "Imported 0 periodic task(s):" in again and "  - detect: A recurring job of this name exists" in again
    )
    assert RecurringJob.objects.count() == 3
