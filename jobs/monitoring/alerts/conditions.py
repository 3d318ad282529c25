"""What each kind of alert rule looks at: the subjects breaching it right now.

Every condition takes the rule, the evaluation's :class:`Snapshot` (shared figures read
once per pass) and returns ``{subject: Breach}``. A subject names what is wrong
("queue:high", "task:reports.generate", "job:<id>", "recurring:<name>", "workers"), so
one rule can hold several incidents at once and each resolves on its own. Reads are
bounded: indexed filters with a cap, history rows, Redis counts — never the whole Job
table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import F, Min, Q, Sum
from django.db.models.functions import Coalesce

from jobs import conf
from jobs.conf import REDIS_PREFIX
from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.engine.flow import reads as flow_reads
from jobs.engine.worker_registry import WorkerInfo, alive_count, list_workers
from jobs.models import AlertRule, FleetWorker, Job, RecurringJob, TaskStatsHistory

if TYPE_CHECKING:
    from redis import Redis

CAP = 100
K = AlertRule.Kind


@dataclass(frozen=True)
class Breach:
    value: float
    message: str


@dataclass
class Snapshot:
    """Figures several rules read, fetched at most once per evaluation pass."""

    now: datetime
    redis: Redis

    @cached_property
    def depths(self) -> dict[str, int]:
        return {name: broker.queue(name, self.redis).count for name in conf.get().QUEUES}

    @cached_property
    def workers(self) -> list[WorkerInfo]:
        return list_workers(self.redis, self.now)


def _queues(rule: AlertRule) -> tuple[str, ...]:
    return (rule.queue,) if rule.queue else conf.get().QUEUES


def _scope(rule: AlertRule) -> Q:
    scope = Q()
    if rule.queue:
        scope &= Q(queue=rule.queue)
    if rule.task:
        scope &= Q(task=rule.task)
    return scope


def backlog(rule: AlertRule, snap: Snapshot) -> dict[str, Breach]:
    return {
        f"queue:{name}": Breach(depth, f"Queue {name} has {depth} waiting jobs (limit {rule.threshold:g}).")
        for name in _queues(rule)
        if (depth := snap.depths.get(name, 0)) > rule.threshold
    }


def oldest_waiting(rule: AlertRule, snap: Snapshot) -> dict[str, Breach]:
    oldest = dict(
        Job.objects.filter(status=JobStatus.QUEUED, queue__in=_queues(rule))
        .values("queue")
        .annotate(since=Min(Coalesce("enqueued_at", "created_at")))
        .values_list("queue", "since")
    )
    breaches = {}
    for name, since in oldest.items():
        age = (snap.now - since).total_seconds()
        if age > rule.threshold:
            message = f"The oldest job waiting in {name} has waited {age:.0f} s (limit {rule.threshold:g} s)."
            breaches[f"queue:{name}"] = Breach(age, message)
    return breaches


def failure_rate(rule: AlertRule, snap: Snapshot) -> dict[str, Breach]:
    """Final failures / finished jobs over the window, per task if the rule names one, else per queue."""
    since = snap.now.replace(second=0, microsecond=0) - timedelta(minutes=rule.window_minutes - 1)
    by = "task" if rule.task else "queue"
    rows = (
        TaskStatsHistory.objects.filter(_scope(rule), minute__gte=since, minute__lte=snap.now)
        .values(by)
        .annotate(ok=Sum("succeeded"), bad=Sum("failed"))
    )
    breaches = {}
    for row in rows:
        finished = row["ok"] + row["bad"]
        rate = 100 * row["bad"] / finished if finished else 0.0
        if finished >= max(rule.min_jobs, 1) and rate > rule.threshold:
            message = (
                f"{rate:.0f} % of {finished} finished jobs of {by} {row[by]} failed in the last "
                f"{rule.window_minutes} min (limit {rule.threshold:g} %)."
            )
            breaches[f"{by}:{row[by]}"] = Breach(rate, message)
    return breaches


def stuck(rule: AlertRule, snap: Snapshot) -> dict[str, Breach]:
    since = snap.now - timedelta(seconds=rule.threshold)
    running = Job.objects.filter(_scope(rule), status=JobStatus.STARTED, started_at__lt=since)
    breaches = {}
    for pk, task, queue, worker, started in running.values_list(
        "pk", "task", "queue", "worker_name", "started_at"
    )[:CAP]:
        seconds = (snap.now - started).total_seconds()
        message = (
            f"Job {pk} ({task} on {queue}) has been running {seconds / 60:.0f} min on {worker or '?'} "
            f"(limit {rule.threshold / 60:g} min)."
        )
        breaches[f"job:{pk}"] = Breach(seconds, message)
    return breaches


def workers(rule: AlertRule, snap: Snapshot) -> dict[str, Breach]:
    """Fewer healthy workers than the threshold, for ``JOBS['WORKERS_ALERT_GRACE']`` seconds.

    Healthy: heart-beating in RQ's registry and not marked unhealthy by its pool's
    supervisor (the ``worker_health_changed`` event's FleetWorker row). The grace keeps
    the rule quiet while workers are still registering at start, and while a rolling
    deploy replaces them one by one; the shortage's start is kept in Redis, so every
    process evaluating the rule agrees on it.
    """
    unhealthy = set(
        FleetWorker.objects.filter(healthy=False)
        .exclude(state=FleetWorker.State.GONE)
        .values_list("name", flat=True)
    )
    alive = alive_count([w for w in snap.workers if w.name not in unhealthy], rule.queue or None)
    subject = f"workers:{rule.queue}" if rule.queue else "workers"
    key = f"{REDIS_PREFIX}alerts:short-since:{rule.pk}:{subject}"
    if alive >= rule.threshold:
        snap.redis.delete(key)
        return {}
    snap.redis.set(key, snap.now.timestamp(), nx=True)
    since = float(snap.redis.get(key) or snap.now.timestamp())
    if snap.now.timestamp() - since < conf.get().WORKERS_ALERT_GRACE:
        return {}
    where = f" on queue {rule.queue}" if rule.queue else ""
    message = f"Only {alive} healthy worker(s){where} (at least {rule.threshold:g} wanted)."
    return {subject: Breach(alive, message)}


def recurring_missed(rule: AlertRule, snap: Snapshot) -> dict[str, Breach]:
    late = RecurringJob.objects.filter(
        enabled=True, next_run_at__lt=snap.now - timedelta(seconds=rule.threshold)
    )
    if rule.task:
        late = late.filter(task=rule.task)
    breaches = {}
    for name, due in late.values_list("name", "next_run_at")[:CAP]:
        seconds = (snap.now - due).total_seconds()
        message = f"Recurring job {name} was due {seconds:.0f} s ago and has not run."
        breaches[f"recurring:{name}"] = Breach(seconds, message)
    return breaches


def sla(rule: AlertRule, snap: Snapshot) -> dict[str, Breach]:
    """Jobs of the task running past its SLA, or that finished past it within the window."""
    limit = timedelta(seconds=rule.threshold)
    jobs = Job.objects.filter(_scope(rule))
    running = jobs.filter(status=JobStatus.STARTED, started_at__lt=snap.now - limit)
    finished = jobs.filter(
        finished_at__gte=snap.now - timedelta(minutes=rule.window_minutes),
        started_at__isnull=False,
        finished_at__gt=F("started_at") + limit,
    )
    count = len(running.values_list("pk", flat=True)[:CAP]) + len(finished.values_list("pk", flat=True)[:CAP])
    if not count:
        return {}
    message = (
        f"{count} job(s) of {rule.task} ran longer than the SLA of {rule.threshold:g} s "
        f"(running now, or finished in the last {rule.window_minutes} min)."
    )
    return {f"task:{rule.task}": Breach(count, message)}


def breaker_open(rule: AlertRule, snap: Snapshot) -> dict[str, Breach]:
    """Circuit breakers (flow control, issue 15) open or half-open for over N seconds."""
    now = snap.now.timestamp()
    breaches = {}
    for state in flow_reads.all_breakers():
        if state.state == "closed" or state.opened_at is None or now - state.opened_at < rule.threshold:
            continue
        how = "forced open" if state.forced else f"{state.state.replace('_', '-')}"
        message = f"Breaker {state.name} is {how} since {now - state.opened_at:.0f} s; its jobs wait."
        breaches[f"breaker:{state.name}"] = Breach(now - state.opened_at, message)
    return breaches


CONDITIONS: dict[str, Callable[[AlertRule, Snapshot], dict[str, Breach]]] = {
    K.BACKLOG: backlog,
    K.OLDEST_WAITING: oldest_waiting,
    K.FAILURE_RATE: failure_rate,
    K.STUCK: stuck,
    K.WORKERS: workers,
    K.RECURRING_MISSED: recurring_missed,
    K.SLA: sla,
    K.BREAKER_OPEN: breaker_open,
}
