"""/metrics shows slots taken, starts held back by a rate limit, and breaker states."""

import pytest

from jobs.engine import execution
from jobs.engine.flow import breakers
from jobs.services import schedule_job
from tests.jobs.monitoring.test_prometheus import TOKEN, scrape, value

pytestmark = pytest.mark.django_db(transaction=True)


def test_flow_metrics(client, settings):
    settings.JOBS = {**settings.JOBS, "METRICS_TOKEN": TOKEN}
    for n in range(4):
        execution.claim(str(schedule_job("tests.flow.limited", args=[n]).pk), "w")
    for n in range(5):
        execution.claim(str(schedule_job("tests.flow.hourly", args=[n]).pk), "w")
    breakers.force("tests-bank", open_=True)
    samples = scrape(client)
    assert value(samples, "jobs_concurrency_in_use", scope="task:tests.flow.limited") == 3
    assert value(samples, "jobs_concurrency_limit", scope="task:tests.flow.limited") == 3
    assert value(samples, "jobs_flow_waiting", scope="task:tests.flow.limited") == 1
    assert value(samples, "jobs_rate_limited_total", scope="task:tests.flow.hourly") == 2
    assert value(samples, "jobs_breaker_state", breaker="tests-bank") == 2
