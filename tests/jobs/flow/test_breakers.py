"""Circuit breakers: open after the threshold, hold jobs, one probe, close (real Redis)."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from jobs import signals
from jobs.core.states import JobStatus
from jobs.engine import broker, execution
from jobs.engine.flow import breakers, waiting
from jobs.models import Alert, Job
from jobs.monitoring.alerts.evaluate import evaluate
from jobs.services import schedule_job
from tests.conftest import wait_for
from tests.factories import make_alert_rule
from tests.flow_tasks import NotAtTheBank

S = JobStatus
pytestmark = pytest.mark.django_db(transaction=True)


def run(outcome: str) -> Job | None:
    """Claim a bank job and record the outcome its task would have had."""
    job = execution.claim(str(schedule_job("tests.flow.bank", args=[outcome]).pk), "w")
    if job is not None:
        execution.record(job, execution.perform(job))
    return job


def status(job: Job) -> str:
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)


@pytest.fixture
def heard():
    events = []

    def opened(**kwargs):
        events.append(("opened", kwargs["name"]))

    def closed(**kwargs):
        events.append(("closed", kwargs["name"]))

    signals.breaker_opened.connect(opened, weak=False)
    signals.breaker_closed.connect(closed, weak=False)
    yield events
    signals.breaker_opened.disconnect(opened)
    signals.breaker_closed.disconnect(closed)


def recovered() -> None:
    until = breakers.state("tests-bank").until
    wait_for(lambda: time.time() > until, 10, message="the recovery timeout")


def test_the_breaker_opens_after_the_threshold_holds_jobs_probes_and_closes(heard):
    tripped = [run("down") for _ in range(3)]
    assert breakers.state("tests-bank").state == "open" and heard == [("opened", "tests-bank")]
    assert tripped[-1].logs.filter(message__startswith="Breaker tests-bank opened after 3 failures").exists()
    held = schedule_job("tests.flow.bank", args=["ok"])
    assert execution.claim(str(held.pk), "w") is None
    held.refresh_from_db()
    assert held.status == S.SCHEDULED and held.attempts == 0
    assert "tests-bank breaker open until" in waiting.note(str(held.pk))["reason"]

    recovered()
    probe = schedule_job("tests.flow.bank", args=["ok"])
    claimed = execution.claim(str(probe.pk), "w")
    assert claimed is not None and breakers.state("tests-bank").state == "half_open"
    assert run("ok") is None, "only one probe runs while half-open"
    execution.record(claimed, execution.perform(claimed))
    assert breakers.state("tests-bank").state == "closed"
    assert heard[-1] == ("closed", "tests-bank")
    assert broker.connection().zscore(broker.SCHEDULED_JOBS_KEY, str(held.pk)) <= time.time()
    assert held.logs.filter(message__startswith="Breaker tests-bank closed").exists()


def test_a_failed_probe_opens_it_again():
    for _ in range(3):
        run("down")
    recovered()
    run("down")
    assert breakers.state("tests-bank").state == "open"
    assert breakers.state("tests-bank").until > time.time()


def test_ignored_exceptions_do_not_count():
    for _ in range(5):
        run("missing")
    assert breakers.state("tests-bank").state == "closed"
    assert issubclass(NotAtTheBank, Exception)


def test_forced_open_holds_until_forced_closed():
    breakers.force("tests-bank", open_=True)
    held = schedule_job("tests.flow.bank", args=["ok"])
    assert execution.claim(str(held.pk), "w") is None
    assert waiting.note(str(held.pk))["reason"] == "tests-bank breaker forced open"
    breakers.force("tests-bank", open_=False)
    assert status(held) == S.SCHEDULED
    assert broker.connection().zscore(broker.SCHEDULED_JOBS_KEY, str(held.pk)) <= time.time()
    assert execution.claim(str(held.pk), "w") is not None


def test_an_open_breaker_raises_an_alert_through_the_alert_rules_and_resolves():
    make_alert_rule("bank breaker", kind="breaker_open", threshold=1)
    for _ in range(3):
        run("down")
    later = timezone.now() + timedelta(seconds=2)
    evaluate(now=later)
    alert = Alert.objects.get(subject="breaker:tests-bank")
    assert alert.resolved_at is None and "Breaker tests-bank is open" in alert.message
    breakers.force("tests-bank", open_=False)
    evaluate(now=later)
    alert.refresh_from_db()
    assert alert.resolved_at is not None
