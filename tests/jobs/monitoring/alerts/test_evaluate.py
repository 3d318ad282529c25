"""Each alert rule fires, repeats and resolves on its condition (real workers and Redis, our clock)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.core.states import JobStatus
from jobs.engine.worker_registry import list_workers
from jobs.models import Alert, AlertEvent, AlertRule, FleetWorker, Job, RecurringJob
from jobs.monitoring import counters
from jobs.monitoring.alerts.evaluate import evaluate
from jobs.services import create_recurring_job, schedule_job
from jobs.services.alerts import active_alerts, create_alert_rule, update_alert_rule
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

K = AlertRule.Kind
F, R, X = AlertEvent.Kind.FIRING, AlertEvent.Kind.REPEAT, AlertEvent.Kind.RESOLVED


def kinds(events):
    return [(event.kind, event.alert.subject) for event in events]


def test_backlog_fires_once_repeats_after_its_interval_and_resolves(burst_worker):
    create_alert_rule(name="backlog", kind=K.BACKLOG, queue="normal", threshold=2, repeat_minutes=10)
    now = timezone.now()
    for n in range(3):
        schedule_job("tests.add", args=[n, n])
    assert kinds(evaluate(now)) == [(F, "queue:normal")]
    assert evaluate(now + timedelta(minutes=9)) == []
    assert kinds(evaluate(now + timedelta(minutes=10))) == [(R, "queue:normal")]
    assert [a.subject for a in active_alerts()] == ["queue:normal"]
    burst_worker()
    resolved = evaluate(now + timedelta(minutes=11))
    assert kinds(resolved) == [(X, "queue:normal")]
    assert not active_alerts().exists()
    assert list(AlertEvent.objects.order_by("id").values_list("kind", flat=True)) == [F, R, X]
    assert evaluate(now + timedelta(minutes=30)) == []


def test_backlog_at_the_threshold_does_not_fire():
    create_alert_rule(name="backlog", kind=K.BACKLOG, threshold=2)
    schedule_job("tests.add", args=[1, 1])
    schedule_job("tests.add", args=[1, 2])
    assert evaluate() == []


def test_oldest_waiting_job_fires_when_too_old_and_resolves_when_taken(burst_worker):
    create_alert_rule(name="old", kind=K.OLDEST_WAITING, threshold=600)
    job = schedule_job("tests.add", args=[1, 1])
    queued = Job.objects.get(pk=job.pk).enqueued_at
    assert evaluate(queued + timedelta(seconds=599)) == []
    fired = evaluate(queued + timedelta(seconds=601))
    assert kinds(fired) == [(F, "queue:normal")] and fired[0].value == pytest.approx(601, abs=1)
    burst_worker()
    assert kinds(evaluate(queued + timedelta(seconds=602))) == [(X, "queue:normal")]


def run_and_fold(burst_worker, now, *jobs):
    for task, args in jobs:
        schedule_job(task, args=args)
    burst_worker()
    counters.flush(now)


def test_failure_rate_over_the_window_fires_and_resolves_when_the_window_passes(burst_worker):
    create_alert_rule(name="failures", kind=K.FAILURE_RATE, threshold=20, window_minutes=5, min_jobs=3)
    now = timezone.now()
    run_and_fold(burst_worker, now, ("tests.add", [1, 1]), ("tests.fail", ["x"]))
    assert evaluate(now) == [], "two finished jobs are fewer than min_jobs"
    run_and_fold(burst_worker, now, ("tests.add", [1, 2]), ("tests.add", [1, 3]), ("tests.add", [1, 4]))
    assert evaluate(now) == [], "1 failure in 5 is 20 %, not over it"
    run_and_fold(burst_worker, now, ("tests.fail", ["y"]))
    fired = evaluate(now)
    assert kinds(fired) == [(F, "queue:normal")] and fired[0].value == pytest.approx(100 * 2 / 6)
    assert evaluate(now + timedelta(minutes=4)) == []
    assert kinds(evaluate(now + timedelta(minutes=6))) == [(X, "queue:normal")]


def test_failure_rate_per_task(burst_worker):
    create_alert_rule(name="task failures", kind=K.FAILURE_RATE, task="tests.fail", threshold=50)
    now = timezone.now()
    run_and_fold(burst_worker, now, ("tests.fail", ["x"]), ("tests.add", [1, 1]), ("tests.add", [1, 1]))
    assert kinds(evaluate(now)) == [(F, "task:tests.fail")]


@pytest.mark.slow
def test_stuck_job_fires_while_it_runs_and_resolves_when_it_ends(processes):
    create_alert_rule(name="stuck", kind=K.STUCK, threshold=30 * 60)
    job = schedule_job("tests.sleep", args=[2])
    processes.worker("normal")
    started = wait_for(lambda: Job.objects.filter(pk=job.pk, status=JobStatus.STARTED).first(), timeout=60)
    assert evaluate(started.started_at + timedelta(minutes=29)) == []
    fired = evaluate(started.started_at + timedelta(minutes=31))
    assert kinds(fired) == [(F, f"job:{job.pk}")]
    assert "tests.sleep" in fired[0].message
    wait_for(lambda: Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED, timeout=60)
    assert kinds(evaluate(started.started_at + timedelta(minutes=32))) == [(X, f"job:{job.pk}")]


@pytest.mark.slow
def test_too_few_healthy_workers_fires_after_its_grace_and_resolves_when_workers_start(processes):
    create_alert_rule(name="workers", kind=K.WORKERS, threshold=1)
    start = timezone.now()
    assert evaluate(start) == [], "no alarm while workers may still be registering"
    assert evaluate(start + timedelta(seconds=29)) == []
    [fired] = evaluate(start + timedelta(seconds=30))
    assert (fired.kind, fired.alert.subject) == (F, "workers")
    processes.worker()
    wait_for(lambda: evaluate(), timeout=60, interval=0.5, message="resolved event")
    assert not active_alerts().exists()
    [resolved] = AlertEvent.objects.filter(kind=X)
    assert (
        resolved.message.startswith("Cleared after ") and "(was: Only 0 healthy worker(s)" in resolved.message
    )
    assert str(resolved).count("Resolved") == 1, "no more 'Resolved: Resolved: …'"


@pytest.mark.slow
def test_workers_that_register_within_the_grace_never_raise_the_alarm(processes, redis):
    create_alert_rule(name="workers", kind=K.WORKERS, threshold=1)
    start = timezone.now()
    assert evaluate(start) == []
    processes.worker()
    wait_for(lambda: list_workers(), timeout=60, interval=0.2, message="the worker to register")
    assert evaluate() == []
    assert not AlertEvent.objects.exists()
    assert not redis.keys("jobdesk:alerts:short-since:*"), "the shortage seen at start is forgotten"


def test_a_worker_its_supervisor_marked_unhealthy_does_not_count(redis):
    from jobs.engine.worker import Worker

    create_alert_rule(name="workers", kind=K.WORKERS, threshold=1)
    worker = Worker(["normal"], name="general.host.1")
    worker.register_birth()
    worker.heartbeat()
    start = timezone.now()
    assert evaluate(start) == []
    FleetWorker.objects.create(name=worker.name, pool="general", host="host", pid=1, healthy=False)
    assert evaluate(start) == []
    assert kinds(evaluate(start + timedelta(seconds=31))) == [(F, "workers")]


def test_sla_fires_for_a_job_over_its_tasks_sla(burst_worker):
    create_alert_rule(name="sla", kind=K.SLA, task="tests.sleep", threshold=0.5, window_minutes=5)
    schedule_job("tests.sleep", args=[1])
    schedule_job("tests.add", args=[1, 1])
    burst_worker()
    now = timezone.now()
    fired = evaluate(now)
    assert kinds(fired) == [(F, "task:tests.sleep")] and fired[0].value == 1
    assert kinds(evaluate(now + timedelta(minutes=6))) == [(X, "task:tests.sleep")]


def test_recurring_job_that_missed_its_run_fires_until_it_runs():
    create_alert_rule(name="missed", kind=K.RECURRING_MISSED, threshold=300)
    rj = create_recurring_job(
        name="nightly", task="tests.add", args=[1, 2], schedule={"interval": {"every": 1, "period": "hours"}}
    )
    due = RecurringJob.objects.get(pk=rj.pk).next_run_at
    assert evaluate(due + timedelta(seconds=299)) == []
    assert kinds(evaluate(due + timedelta(seconds=301))) == [(F, "recurring:nightly")]
    RecurringJob.objects.filter(pk=rj.pk).update(next_run_at=due + timedelta(hours=1))
    assert kinds(evaluate(due + timedelta(seconds=302))) == [(X, "recurring:nightly")]


def test_disabling_a_rule_resolves_its_alerts():
    rule = create_alert_rule(name="backlog", kind=K.BACKLOG, threshold=0)
    schedule_job("tests.add", args=[1, 1])
    assert len(evaluate()) == 1
    update_alert_rule(rule.pk, enabled=False)
    assert [event.kind for event in evaluate()] == [X]


def test_one_open_alert_per_rule_and_subject():
    create_alert_rule(name="backlog", kind=K.BACKLOG, threshold=0, repeat_minutes=1)
    schedule_job("tests.add", args=[1, 1])
    now = timezone.now()
    for minute in range(3):
        evaluate(now + timedelta(minutes=minute))
    assert Alert.objects.count() == 1
    assert AlertEvent.objects.filter(kind=R).count() == 2
