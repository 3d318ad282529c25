"""``from jobs import …``: the public names, loaded lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import jobs
from jobs import exceptions, services
from jobs.core import registry, states


def test_every_public_name_resolves_to_the_object_it_names():
    assert jobs.schedule_job is services.schedule_job
    assert jobs.retry_job is services.retry_job
    assert jobs.task is registry.task and jobs.Backoff is registry.Backoff
    assert jobs.JobStatus is states.JobStatus
    assert jobs.PermanentFailure is exceptions.PermanentFailure
    assert all(getattr(jobs, name) is not None for name in jobs.__all__)
    assert set(jobs.__all__) <= set(dir(jobs))


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'dispatch'"):
        jobs.dispatch  # noqa: B018


def test_importing_jobs_loads_no_models_and_no_redis_client():
    code = (
        "import sys, jobs; print('jobs.models' in sys.modules, 'redis' in sys.modules, 'rq' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]
