"""``manage.py jobs_reconcile``: Redis flushed with jobs waiting loses nothing."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.models import Job
from jobs.services import pause_queue, schedule_job

S = JobStatus
pytestmark = pytest.mark.django_db(transaction=True)


def test_redis_flushed_with_jobs_waiting_loses_nothing(redis, burst_worker, run_scheduler, capsys):
    queued = [schedule_job("tests.add", args=[i, i]) for i in range(5)]
    later = schedule_job("tests.add", args=[9, 9], run_at=timezone.now() + timedelta(hours=1))
    first = schedule_job("tests.add", args=[1, 0], queue="high")
    dependant = schedule_job("tests.add", args=[2, 0], depends_on=[first.pk])
    pause_queue("low")
    redis.flushdb()

    call_command("jobs_reconcile", "--grace", "0")
    assert "restored queued=6 scheduled=1 deferred=1" in capsys.readouterr().out
    assert set(broker.queue("normal").job_ids) == {str(job.pk) for job in queued}
    assert redis.zscore(broker.SCHEDULED_JOBS_KEY, str(later.pk)) == pytest.approx(later.run_at.timestamp())
    assert broker.paused_queues() == {"low"}

    burst_worker()
    assert Job.objects.filter(pk__in=[job.pk for job in queued], status=S.SUCCEEDED).count() == 5
    dependant.refresh_from_db()
    assert dependant.status == S.SUCCEEDED and dependant.result == 2
    assert Job.objects.get(pk=later.pk).status == S.SCHEDULED
