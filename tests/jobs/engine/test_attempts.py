"""The attempt history: each failed attempt is filed once, with its class path and traceback."""

from __future__ import annotations

import pytest

from jobs.engine import lifecycle
from jobs.engine.attempts import LOST, record_failed_attempt
from jobs.models import JobAttempt
from jobs.models.attempts import exception_class_path
from jobs.services import schedule_job
from jobs.services.attempts import job_attempts

HEAD = "Traceback (most recent call last):\n"


@pytest.mark.parametrize(
    ("traceback", "path"),
    [
        (
            HEAD + '  File "t.py", line 3, in f\n    raise ValueError("x")\nValueError: x\n',
            "builtins.ValueError",
        ),
        (
            HEAD + '  File "t.py"\n    boom()\n    ^^^^^^\napp.errors.Boom: a\nsecond line\n',
            "app.errors.Boom",
        ),
        (
            HEAD + '  File "a"\nKeyError: 1\n\nDuring handling of the above exception, another exception '
            "occurred:\n\n" + HEAD + '  File "b"\nrq.timeouts.JobTimeoutException\n',
            "rq.timeouts.JobTimeoutException",
        ),
        ("", ""),
        ("not a traceback", ""),
    ],
)
def test_the_class_path_is_read_from_the_traceback(traceback, path):
    assert exception_class_path(traceback) == path


def test_each_failed_attempt_of_a_real_worker_is_kept(burst_worker, run_scheduler):
    from django.utils import timezone

    from jobs.models import Job

    job = schedule_job("tests.flaky", args=[2])
    for _ in range(3):
        burst_worker()
        Job.objects.filter(pk=job.pk, status="scheduled").update(run_at=timezone.now())
        run_scheduler()
    history = job_attempts(job.pk)
    assert [(a.number, a.outcome) for a in history] == [(1, "failed"), (2, "failed"), (3, "succeeded")]
    assert all(a.worker and a.started_at and a.duration is not None for a in history)
    assert [a.exception_class_path for a in history[:2]] == ["builtins.RuntimeError"] * 2
    assert "attempt 1" in history[0].traceback and "attempt 2" in history[1].traceback
    assert history[2].error == history[2].traceback == ""


def test_recording_twice_keeps_the_first_and_a_job_that_never_ran_has_none(
    db, django_capture_on_commit_callbacks
):
    job = schedule_job("tests.add", args=[1, 2])
    assert record_failed_attempt(job, "never ran") is None
    claimed = lifecycle.start_attempt(str(job.pk), "w1")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.record_lost_attempt(claimed, "Its worker vanished")
    record_failed_attempt(claimed, "again")
    [row] = JobAttempt.objects.filter(job=job)
    assert (row.number, row.error, row.exception_class_path, row.worker) == (
        1,
        "Its worker vanished",
        LOST,
        "w1",
    )
