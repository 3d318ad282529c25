"""Starting a worker: a foreign class is refused with the right name, the short switch works."""

from __future__ import annotations

import pytest

from jobs.checks import _check_command_line_worker_class
from jobs.conf import FAST_WORKER_CLASS
from jobs.core.states import JobStatus
from jobs.models import Job
from jobs.services import schedule_job


@pytest.mark.parametrize(
    "spelling", [["--worker-class", "rq.SimpleWorker"], ["--worker-class=rq.SimpleWorker"]]
)
def test_rqs_simple_worker_on_the_command_line_is_an_error_naming_the_fast_lane(spelling):
    [error] = _check_command_line_worker_class(["manage.py", "rqworker", "normal", *spelling])
    assert error.id == "jobs.E132" and FAST_WORKER_CLASS in error.hint


@pytest.mark.parametrize("path", [FAST_WORKER_CLASS, "jobs.engine.worker.Worker"])
def test_jobdesks_own_classes_and_other_commands_pass(path):
    assert _check_command_line_worker_class(["manage.py", "rqworker", "--worker-class", path]) == []
    assert _check_command_line_worker_class(["manage.py", "shell", "--worker-class", "rq.SimpleWorker"]) == []


def test_rqworker_with_simple_worker_refuses_to_start_and_runs_nothing(processes):
    refused = processes.start("rqworker", "normal", "--worker-class", "rq.SimpleWorker", name="refused")
    job = schedule_job("tests.noop")
    assert refused.wait(timeout=60) != 0
    assert FAST_WORKER_CLASS in processes.logs()
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_jobs_worker_fast_runs_jobs_at_the_concurrency_asked(processes):
    jobs = [schedule_job("tests.fast.nap", args=[1]) for _ in range(5)]
    worker = processes.start("jobs_worker", "normal", "--fast", "--concurrency", "5", "--burst", name="short")
    assert worker.wait(timeout=60) == 0
    assert Job.objects.filter(status=JobStatus.SUCCEEDED).count() == 5
    rows = list(Job.objects.filter(pk__in=[j.pk for j in jobs]).order_by("started_at"))
    assert (rows[-1].started_at - rows[0].started_at).total_seconds() < 0.9, "the five ran at once"


def test_the_forking_worker_recycles_after_max_jobs_too(processes):
    worker = processes.start("jobs_worker", "normal", "--max-jobs", "2", name="forking")
    jobs = [schedule_job("tests.add", args=[i, 0]) for i in range(3)]
    assert worker.wait(timeout=60) == 0
    assert sorted(Job.objects.get(pk=j.pk).status for j in jobs).count(JobStatus.SUCCEEDED) == 2
