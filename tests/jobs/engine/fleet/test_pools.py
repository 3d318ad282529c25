"""Pool definitions: the reference systems' pools as written, and every mistake a check."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from jobs import conf
from jobs.checks import check_worker_pools
from jobs.engine.fleet.pools import pools, problems
from jobs.engine.fleet.process import environment
from tests.conftest import ROOT

QUEUES = ["high", "normal", "low", "ai", "notifications"]


def reference_pools() -> list[dict]:
    """The three pools of ../shared/reference/000_…, key for key."""

    def one(name, queues, concurrency, memory, seconds, health, scaling):
        interval, timeout, threshold = health
        low, high, up, down, up_wait, down_wait = scaling
        return {
            "name": name,
            "queues": queues,
            "concurrency": concurrency,
            "max_memory_mb": memory,
            "max_job_time": seconds,
            "health_check": {
                "enabled": True,
                "interval_seconds": interval,
                "timeout_seconds": timeout,
                "failure_threshold": threshold,
            },
            "scaling": {
                "min_workers": low,
                "max_workers": high,
                "scale_up_threshold": up,
                "scale_down_threshold": down,
                "scale_up_cooldown_seconds": up_wait,
                "scale_down_cooldown_seconds": down_wait,
            },
        }

    return [
        one("ai_processing", ["ai"], 10, 1024, 60, (30, 5, 3), (2, 20, 80, 20, 300, 600)),
        one("notification", ["notifications"], 50, 256, 30, (15, 3, 5), (5, 50, 70, 30, 180, 900)),
        one("general", ["normal", "low"], 5, 512, 1800, (60, 10, 2), (3, 15, 85, 25, 600, 1200)),
    ]


def settings_with(*pool_list) -> conf.JobsSettings:
    return conf._validate({"QUEUES": QUEUES, "WORKER_POOLS": list(pool_list)})


def test_the_reference_pools_are_expressible_as_written():
    built = pools(settings_with(*reference_pools()))
    assert [(p.name, p.scaling.min_workers, p.scaling.max_workers) for p in built] == [
        ("ai_processing", 2, 20),
        ("notification", 5, 50),
        ("general", 3, 15),
    ]
    ai = built[0]
    assert (ai.concurrency, ai.max_memory_mb, ai.max_job_time, ai.health_check.failure_threshold) == (
        10,
        1024,
        60,
        3,
    )
    assert ai.processes_per_worker == 10, "the forking class runs one job per process"
    assert environment(ai) == {
        "JOBDESK_WORKER_POOL": "ai_processing",
        "JOBDESK_WORKER_CONCURRENCY": "1",
        "JOBDESK_WORKER_MAX_MEMORY_MB": "1024",
        "JOBDESK_WORKER_SHUTDOWN_TIMEOUT": "30.0",
        "JOBDESK_WORKER_MAX_JOB_TIME": "60",
    }


def test_a_class_that_runs_several_jobs_in_one_process_gets_one_process_told_its_concurrency():
    [one] = pools(
        settings_with({"name": "fast", "queues": ["high"], "worker_class": "x.Fast", "concurrency": 8})
    )
    assert (one.processes_per_worker, one.slots_per_process) == (1, 8)
    assert environment(one)["JOBDESK_WORKER_CONCURRENCY"] == "8"


def base(**changes) -> dict:
    return {"name": "p", "queues": ["normal"], **changes}


@pytest.mark.parametrize(
    ("pool", "message"),
    [
        (
            base(scaling={"min_workers": 5, "max_workers": 2}),
            "min_workers (5) is more than scaling.max_workers (2)",
        ),
        (base(queues=["nowhere"]), "queue 'nowhere' is not in JOBS['QUEUES']"),
        (base(queues=[]), "'queues' must be a non-empty list"),
        (base(concurrency=0), "'concurrency' must be a whole number between 1 and 1000, not 0"),
        (
            base(scaling={"scale_up_threshold": 150}),
            "'scaling.scale_up_threshold' must be a number between 0 and 100",
        ),
        (
            base(scaling={"scale_up_threshold": 20, "scale_down_threshold": 30}),
            "must be below scale_up_threshold",
        ),
        (
            base(health_check={"failure_threshold": 0}),
            "'health_check.failure_threshold' must be a whole number",
        ),
        (base(max_memory_mb=-1), "'max_memory_mb' must be a whole number 1 or more"),
        (base(shutdown_timeout="soon"), "'shutdown_timeout' must be a number"),
        (base(colour="red"), "unknown key(s) colour"),
        (base(scaling={"max": 3}), "unknown key(s) max in 'scaling'"),
        (base(name="two words"), "needs a 'name' made of letters"),
        ("general", "must be a dict"),
    ],
)
def test_a_pool_that_makes_no_sense_is_named_with_what_is_wrong(pool, message):
    found = problems(settings_with(pool))
    assert any(message in problem for problem in found), found
    with pytest.raises(ImproperlyConfigured):
        pools(settings_with(pool))


def test_a_pool_defined_twice_is_a_mistake():
    assert "Worker pool 'p' is defined twice." in problems(settings_with(base(), base()))


def test_the_system_check_lists_every_mistake_and_an_unimportable_class():
    bad = [base(concurrency=0), base(name="q", scaling={"min_workers": 3, "max_workers": 1})]
    with override_settings(JOBS={"QUEUES": QUEUES, "WORKER_POOLS": bad}):
        assert [m.id for m in check_worker_pools()] == ["jobs.E009", "jobs.E009"]
    with override_settings(JOBS={"QUEUES": QUEUES, "WORKER_POOLS": [base(worker_class="no.such.Worker")]}):
        [message] = check_worker_pools()
    assert message.id == "jobs.E010" and "can't be imported" in message.msg


def test_nothing_starts_with_a_bad_pool(tmp_path):
    env = {"JOBS_WORKER_POOLS": '[{"name": "p", "queues": ["normal"], "concurrency": 0}]'}
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "jobs_workers"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "jobs.E009" in done.stderr and "'concurrency' must be a whole number" in done.stderr
