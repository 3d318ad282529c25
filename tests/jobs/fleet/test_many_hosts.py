"""Jobdesk across separate hosts (network namespaces): a data host with Redis and PostgreSQL,
a web host with the scheduler, three worker hosts each running ``jobs_workers``."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from itertools import pairwise

import pytest
import redis

from tests.conftest import wait_for
from tests.jobs.fleet.netns import Hosts, available

pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(available()), reason=available() or "ok")]

POOL = {
    "name": "general",
    "queues": ["normal"],
    "shutdown_timeout": 5,
    "health_check": {"interval_seconds": 2, "timeout_seconds": 5, "failure_threshold": 3},
    "scaling": {"min_workers": 1, "max_workers": 1},
}
LOST_AFTER = 6
TIMING = {"JOBS_WORKER_LOST_AFTER": str(LOST_AFTER), "JOBS_JOB_MONITORING_INTERVAL": "1"}


def counts(hosts: Hosts) -> dict[str, int]:
    return dict(hosts.query("SELECT status, count(*) FROM jobs_job GROUP BY status"))


def start_fleet(hosts: Hosts, *workers: str, schedulers: tuple[str, ...] = ("web",)) -> None:
    for host in schedulers:
        hosts.manage(host, "rqscheduler", name=f"scheduler-{host}", **TIMING)
    for host in workers:
        hosts.manage(
            host,
            "jobs_workers",
            "--host",
            host,
            name=f"fleet-{host}",
            JOBS_WORKER_POOLS=json.dumps([POOL]),
            **TIMING,
        )
    wait_for(
        lambda: (
            hosts.query("SELECT count(*) FROM jobs_fleetworker WHERE state = 'running'")[0][0] == len(workers)
        ),
        120,
        0.5,
        message="every worker host's worker to run",
    )


def schedule(hosts: Hosts, count: int, seconds: float, task: str = "tests.mark_done") -> list[str]:
    code = (
        "import json; from jobs.services import schedule_jobs; "
        f"specs = [{{'task': {task!r}, 'args': [{seconds}]}} for _ in range({count})]; "
        "jobs = schedule_jobs(specs); "
        "print(json.dumps([str(j.pk) for j in jobs]))"
    )
    return hosts.shell("web", code)


def takes_jobs(hosts: Hosts, host: str) -> bool:
    """Whether ``host`` runs one of a few new jobs (every job drained first)."""
    ids = schedule(hosts, 6, 0.3)
    wait_for(lambda: counts(hosts).get("queued", 0) + counts(hosts).get("started", 0) == 0, 120, 0.5)
    on_host = "SELECT count(*) FROM jobs_job WHERE id::text = ANY(%s) AND worker_name LIKE %s"
    return hosts.query(on_host, ids, f"general.{host}.%")[0][0] > 0


def executions(hosts: Hosts) -> dict[str, list[dict]]:
    """Every execution's interval ``tests.timed_run`` kept, by job, earliest first."""
    by_job: dict[str, list[dict]] = {}
    for path in hosts.intervals.glob("*.json"):
        interval = json.loads(path.read_text())
        by_job.setdefault(interval["job"], []).append(interval)
    return {job: sorted(runs, key=lambda run: run["start"]) for job, runs in by_job.items()}


def assert_no_job_ran_twice_at_once(hosts: Hosts, cut_off: Sequence[str] = (), cut_at: float = 0) -> None:
    """Each execution of a job ended before the next began (to the file's 50 ms refresh),
    and each job of ``cut_off`` still running at ``cut_at`` ran again elsewhere."""
    runs = executions(hosts)
    overlaps = [
        (job, earlier, later)
        for job, intervals in runs.items()
        for earlier, later in pairwise(intervals)
        if later["start"] < earlier["end"]
    ]
    assert not overlaps, f"executions of one job at the same time: {overlaps}"
    interrupted = [job for job in cut_off if runs[job][0]["end"] > cut_at + 0.1]
    assert all(len(runs[job]) > 1 for job in interrupted), f"ran again elsewhere: {interrupted}"


def test_a_lost_worker_host_loses_nothing_and_nothing_succeeds_twice():
    with Hosts(workers=3) as hosts:
        start_fleet(hosts, "w1", "w2", "w3")
        ids = schedule(hosts, 60, 2, task="tests.timed_run")
        # A job that started on w3 under a second ago still has a second to run: the kill interrupts it.
        just_started = (
            "SELECT id::text FROM jobs_job WHERE status = 'started' AND worker_name LIKE 'general.w3.%%'"
            " AND started_at > now() - interval '1 second'"
        )
        [[interrupted], *_] = wait_for(
            lambda: hosts.query(just_started), 60, 0.05, message="a job starting on w3"
        )
        hosts.kill_host("w3")
        wait_for(
            lambda: counts(hosts).get("succeeded") == 60,
            180,
            0.5,
            message=f"all 60 to succeed: {counts(hosts)}",
        )
        rows = hosts.query("SELECT id::text, attempts, worker_name FROM jobs_job")
        assert {row[0] for row in rows} == set(ids)
        attempts = {job: tries for job, tries, _ in rows}
        assert attempts[interrupted] == 2, "w3's running job was retried"
        assert len(executions(hosts)[interrupted]) == 2
        hosts_used = {name.split(".")[1] for _, _, name in rows}
        assert {"w1", "w2"} <= hosts_used
        done = redis.Redis.from_url(hosts.redis_url).hgetall("jobdesk-tests:done")
        assert sorted(int(v) for v in done.values()) == [1] * 60, "each job completed exactly once"


def test_two_schedulers_on_two_hosts_run_each_recurring_time_once():
    with Hosts(workers=1) as hosts:
        start_fleet(hosts, "w1", schedulers=("web", "w1"))
        hosts.shell(
            "web",
            "from jobs.services import create_recurring_job; "
            "create_recurring_job(name='tick', task='tests.mark_done', args=[0], "
            "schedule={'interval': {'every': 1, 'period': 'seconds'}}); print(1)",
        )
        wait_for(lambda: counts(hosts).get("succeeded", 0) >= 15, 120, 0.5, message="15 recurring runs")
        runs = hosts.query("SELECT scheduled_for, count(*) FROM jobs_job GROUP BY scheduled_for ORDER BY 1")
        assert all(count == 1 for _, count in runs), "no run time twice"
        times = [when for when, _ in runs]
        gaps = [(later - earlier).total_seconds() for earlier, later in pairwise(times)]
        assert all(0.99 <= gap <= 1.01 for gap in gaps), f"every second once, none skipped: {gaps}"
        done = redis.Redis.from_url(hosts.redis_url).hgetall("jobdesk-tests:done")
        assert all(int(value) == 1 for value in done.values()), "each run executed once"


def test_a_host_cut_off_from_redis_for_30_s_loses_nothing_and_rejoins_by_itself():
    with Hosts(workers=3) as hosts:
        start_fleet(hosts, "w1", "w2", "w3")
        schedule(hosts, 120, 0.5, task="tests.timed_run")
        on_w2 = "SELECT id::text FROM jobs_job WHERE status = 'started' AND worker_name LIKE 'general.w2.%%'"
        running = wait_for(lambda: hosts.query(on_w2), 60, 0.1, message="a job running on w2")
        hosts.cut_off("w2", "data")
        cut, cut_at = time.monotonic(), time.time()
        wait_for(lambda: counts(hosts).get("succeeded", 0) >= 60, 120, 0.5, message="w1 and w3 carry on")
        time.sleep(max(0.0, 30 - (time.monotonic() - cut)))  # a partition of 30 s
        hosts.heal("w2", "data")
        wait_for(lambda: counts(hosts).get("succeeded") == 120, 240, 0.5, message=f"all 120: {counts(hosts)}")
        done = redis.Redis.from_url(hosts.redis_url).hgetall("jobdesk-tests:done")
        # None lost. A body that finished inside the partition but couldn't report is run again
        # (at least once); the intervals below show the two runs never overlapped.
        assert len(done) == 120 and all(int(value) >= 1 for value in done.values()), "each job completed"
        # A job that ends in the instant of the cut is recorded before it: only the rest must run again.
        assert_no_job_ran_twice_at_once(hosts, [row[0] for row in running], cut_at)
        wait_for(lambda: takes_jobs(hosts, "w2"), 180, 1, message="w2 to rejoin by itself once healed")


def test_a_host_cut_off_from_the_database_stops_its_job_before_the_lease_runs_out():
    """Redis still answers it, so only the lease tells the host it may no longer run the job."""
    with Hosts(workers=2) as hosts:
        start_fleet(hosts, "w1", "w2")
        [job] = schedule(hosts, 1, 20, task="tests.timed_run")
        running = "SELECT worker_name FROM jobs_job WHERE status = 'started' AND id::text = %s"
        worker = wait_for(lambda: hosts.query(running, job), 60, 0.1, message="the job to start")[0][0]
        host = worker.split(".")[1]
        hosts.cut_off(host, "database")
        cut = time.time()
        wait_for(lambda: counts(hosts).get("succeeded") == 1, 180, 0.5, message=f"the retry: {counts(hosts)}")
        hosts.heal(host, "database")
        first, *others = executions(hosts)[job]
        assert first["worker"] == worker and others, "the job ran again once its lease ran out"
        assert first["end"] < cut + LOST_AFTER, (
            f"stopped {first['end'] - cut:.1f} s after the cut" + hosts.log(f"fleet-{host}")[-4000:]
        )
        assert_no_job_ran_twice_at_once(hosts)
        wait_for(lambda: takes_jobs(hosts, host), 180, 1, message=f"{host} to take jobs again once healed")
