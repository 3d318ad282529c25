"""The fast lane's parts in-process: settings from the environment, the short command,
recycling limits, giving an attempt back, a burst worker's slots and their timelines."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from jobs import conf
from jobs.core.states import JobStatus
from jobs.engine import execution, giveback
from jobs.engine.fastlane.worker import FastWorker
from jobs.engine.recycling import reason_to_recycle, resident_mib
from jobs.models import Job, JobLog
from jobs.services import schedule_job

S = JobStatus


@pytest.fixture
def reread(monkeypatch):
    yield conf.reload
    monkeypatch.undo()
    conf.reload()


def test_worker_settings_come_from_the_environment(monkeypatch, reread):
    monkeypatch.setenv("JOBDESK_WORKER_CONCURRENCY", "7")
    monkeypatch.setenv("JOBDESK_WORKER_SHUTDOWN_TIMEOUT", "2.5")
    monkeypatch.setenv("JOBDESK_WORKER_POOL", "io")
    settings = reread()
    assert (settings.WORKER_CONCURRENCY, settings.WORKER_SHUTDOWN_TIMEOUT, settings.WORKER_POOL) == (
        7,
        2.5,
        "io",
    )


def test_a_malformed_variable_is_a_clear_error(monkeypatch, reread):
    monkeypatch.setenv("JOBDESK_WORKER_MAX_JOBS", "many")
    with pytest.raises(ImproperlyConfigured, match="JOBDESK_WORKER_MAX_JOBS='many' is not a whole number"):
        reread()


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--concurrency", "3"], "needs --fast"), (["--fast", "--concurrency", "0"], "1 or more"),
     (["--max-jobs", "-1"], "0 or more")],
)  # fmt: skip
def test_jobs_worker_refuses_bad_options_before_starting(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("jobs_worker", "normal", *args)


def test_recycling_limits():
    assert reason_to_recycle(5, 5, 0).startswith("5 jobs done")
    assert reason_to_recycle(4, 5, 0) == ""
    assert reason_to_recycle(1, 0, 1).endswith("(JOBS['WORKER_MAX_MEMORY_MB'] = 1)")
    assert reason_to_recycle(10**6, 0, 0) == "" and resident_mib() > 1


def test_giving_back_restores_the_row_once(transactional_db):
    job = schedule_job("tests.noop")
    claimed = execution.claim(str(job.pk), "w1")
    assert giveback.give_back(claimed, "w1")
    row = Job.objects.get(pk=job.pk)
    assert (row.status, row.attempts, row.started_at, row.worker_name) == (S.QUEUED, 0, None, "")
    assert JobLog.objects.filter(job=job, event=JobLog.Event.RECOVERED).count() == 1
    assert not giveback.give_back(claimed, "w1"), "the token decides: a second give-back changes nothing"
    execution.record(claimed, execution.Outcome(ok=True, runtime=0.0, execution_id=str(claimed.execution_id)))
    assert Job.objects.get(pk=job.pk).status == S.QUEUED, "the stopped run's report is dropped"


def test_a_burst_fast_worker_runs_slots_with_a_timeline_each(transactional_db, monkeypatch, reread):
    monkeypatch.setenv("JOBDESK_WORKER_CONCURRENCY", "3")
    reread()
    jobs = [schedule_job("tests.log", args=[f"line {n}"]) for n in range(6)]
    FastWorker(["normal"]).work(burst=True)
    for n, job in enumerate(jobs):
        row = Job.objects.get(pk=job.pk)
        assert (row.status, row.result) == (S.SUCCEEDED, f"line {n}")
        lines = list(JobLog.objects.filter(job=job, event=JobLog.Event.LOG).values_list("message", flat=True))
        assert lines == [f"line {n}"], "each job's timeline has its own line only"
