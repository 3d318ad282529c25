"""Limits across real worker processes: a scheduler and several ``rqworker`` at once."""

import pytest

from jobs.core.states import JobStatus
from jobs.engine.flow import slots
from jobs.models import Job
from jobs.services import cancel_job, schedule_job
from tests.conftest import wait_for
from tests.flow_tasks import spans

S = JobStatus
pytestmark = pytest.mark.slow


def all_succeeded(jobs: list[Job]) -> bool:
    return Job.objects.filter(pk__in=[job.pk for job in jobs], status=S.SUCCEEDED).count() == len(jobs)


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    """The largest number of intervals overlapping at any instant (start/end sweep)."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


def test_a_limit_of_three_over_thirty_jobs_on_four_workers(processes):
    processes.scheduler()
    for name in "abcd":
        processes.worker("normal", name=name)
    jobs = [schedule_job("tests.flow.limited", args=[n, 0.3]) for n in range(30)]
    wait_for(lambda: all_succeeded(jobs), 120, message=f"all done\n{processes.logs()}")
    ran = spans()
    assert len(ran) == 30
    assert most_at_once([(start, end) for _, start, end in ran]) == 3
    assert set(Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("attempts", flat=True)) == {1}


def test_two_tenants_progress_side_by_side(processes):
    processes.scheduler()
    for name in "abc":
        processes.worker("normal", name=name)
    jobs = [
        schedule_job("tests.flow.tenant", args=[account, n, 0.3]) for n in range(6) for account in ("a", "b")
    ]
    wait_for(lambda: all_succeeded(jobs), 120, message=f"all done\n{processes.logs()}")
    ran = spans()
    for account in ("a", "b"):
        assert most_at_once([(s, e) for who, s, e in ran if who == account]) == 1
    assert most_at_once([(s, e) for _, s, e in ran]) == 2, "each tenant has its own slot"


def test_a_worker_killed_holding_a_slot_frees_it_within_the_lost_worker_window(processes):
    timing = {"JOBS_WORKER_LOST_AFTER": "3", "JOBS_JOB_MONITORING_INTERVAL": "1"}
    processes.scheduler(**timing)
    doomed = processes.worker("normal", name="doomed", **timing)
    holder = schedule_job("tests.flow.single", args=[600])
    wait_for(lambda: Job.objects.get(pk=holder.pk).status == S.STARTED, 30, message="the holder starts")
    processes.worker("normal", name="other", **timing)
    waiting = schedule_job("tests.flow.single", args=[0])
    wait_for(lambda: Job.objects.get(pk=waiting.pk).status == S.SCHEDULED, 30, message="held by the slot")
    processes.kill_horses(doomed)
    processes.kill_group(doomed)
    wait_for(lambda: all_succeeded([waiting]), 30, message=f"the slot freed\n{processes.logs()}")
    assert Job.objects.get(pk=waiting.pk).attempts == 1


def test_a_cancelled_job_held_by_a_limit_never_runs(processes):
    processes.scheduler()
    processes.worker("normal", name="one")
    processes.worker("normal", name="two")
    holder = schedule_job("tests.flow.single", args=[2])
    wait_for(lambda: Job.objects.get(pk=holder.pk).status == S.STARTED, 30, message="the holder starts")
    held = schedule_job("tests.flow.single", args=[0])
    wait_for(lambda: Job.objects.get(pk=held.pk).status == S.SCHEDULED, 30, message="held")
    cancel_job(held.pk)
    after = schedule_job("tests.flow.single", args=[0])
    wait_for(lambda: all_succeeded([holder, after]), 60, message=f"the others ran\n{processes.logs()}")
    assert Job.objects.get(pk=held.pk).status == S.CANCELLED
    assert Job.objects.get(pk=held.pk).attempts == 0
    assert len(spans()) == 2
    assert slots.in_use("task:tests.flow.single") == 0


def test_a_rate_of_twenty_a_second_holds_across_workers(processes):
    processes.scheduler()
    for name in "abc":
        processes.worker("normal", name=name)
    jobs = [schedule_job("tests.flow.rated", args=[n]) for n in range(60)]
    wait_for(lambda: all_succeeded(jobs), 120, message=f"all done\n{processes.logs()}")
    starts = sorted(
        moment.timestamp()
        for moment in Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("started_at", flat=True)
    )
    # Claims follow admissions by milliseconds: any window a little under a second holds ≤ 20.
    assert max(sum(1 for t in starts if first <= t < first + 0.95) for first in starts) <= 20
    assert starts[-1] - starts[0] >= 2.0, "60 starts at 20/s need at least two more windows"
    assert set(Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("attempts", flat=True)) == {1}
