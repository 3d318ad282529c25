"""``/metrics`` for Prometheus: the same figures as every other surface, in its format.

Workers are separate processes, so process-local client counters would only ever see
the web process. A custom collector reads the shared rows (:mod:`jobs.monitoring.figures`,
``TaskStats``) and RQ's worker registry at scrape time instead:

=================================  =========================================================
``jobs_processed_total``           counter {queue, task, status=succeeded|failed|retried}
``jobs_run_seconds``               histogram {queue, task} of attempt run times
``jobs_wait_seconds``              histogram {queue, task} of queued → started waits
``jobs_queue_depth``               gauge {queue}: jobs waiting in Redis
``jobs_running`` / ``jobs_scheduled`` / ``jobs_failed``   gauges {queue}
``jobs_oldest_waiting_seconds``    gauge {queue}: age of the oldest waiting job (0 if none)
``jobs_queue_paused``              gauge {queue}: 1 when paused
``jobs_workers_alive``             gauge {queue}: workers heart-beating and listening on it
``jobs_redis_up``                  gauge: 0 when Redis didn't answer (worker gauges left out)
``jobs_alerts_active``             gauge: open alert incidents
``jobs_concurrency_in_use``        gauge {scope}: concurrency slots taken (flow control)
``jobs_concurrency_limit``         gauge {scope}: the scope's concurrency limit
``jobs_flow_waiting``              gauge {scope}: jobs held by the scope's limits now
``jobs_rate_limited_total``        counter {scope}: starts a rate limit held back
``jobs_breaker_state``             gauge {breaker}: 0 closed, 1 half-open, 2 open
``jobs_breaker_failures``          gauge {breaker}: counted failures within its window now
``jobs_breaker_threshold``         gauge {breaker}: failures that open it (override or code)
``jobs_breaker_window_seconds`` / ``jobs_breaker_recovery_seconds``   gauges {breaker}
=================================  =========================================================

Access needs ``Authorization: Bearer <JOBS['METRICS_TOKEN']>`` or a client address in
``JOBS['METRICS_ALLOWED_IPS']`` (addresses or networks; ``REMOTE_ADDR`` only, so behind
a proxy use the token): 401 without credentials, 403 with wrong ones.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.utils import floatToGoString

from jobs import conf
from jobs.engine import broker
from jobs.engine.flow import breakers
from jobs.engine.flow import reads as flow_reads
from jobs.engine.worker_registry import alive_count, list_workers
from jobs.models import Alert, TaskStats
from jobs.monitoring import figures
from jobs.monitoring.counters import BUCKETS

QUEUE_GAUGES = (
    ("jobs_queue_depth", "Jobs waiting in the queue.", "depth"),
    ("jobs_running", "Jobs running now.", "running"),
    ("jobs_scheduled", "Jobs waiting for their time or their dependencies.", "scheduled"),
    ("jobs_failed", "Jobs that failed for good and are kept.", "failed"),
)


def _histogram_buckets(counts: list[int]) -> list[tuple[str, float]]:
    cumulative, total = [], 0
    for bound, count in zip(BUCKETS, list(counts) + [0] * (len(BUCKETS) - len(counts)), strict=False):
        total += count
        cumulative.append((floatToGoString(bound), total))
    return cumulative


class JobsCollector:
    """Reads the figures at scrape time (a few queries, one Redis scan of workers)."""

    def collect(self) -> Iterator[Metric]:
        yield from self._task_metrics()
        yield from self._queue_metrics()
        alerts = GaugeMetricFamily("jobs_alerts_active", "Alert incidents open now.")
        alerts.add_metric([], Alert.objects.filter(resolved_at__isnull=True).count())
        yield alerts
        yield from _flow_metrics()

    def _task_metrics(self) -> Iterator[Metric]:
        processed = CounterMetricFamily(
            "jobs_processed", "Finished attempts by outcome.", labels=["queue", "task", "status"]
        )
        run = HistogramMetricFamily("jobs_run_seconds", "Run time of attempts.", labels=["queue", "task"])
        wait = HistogramMetricFamily(
            "jobs_wait_seconds", "Time from queued to started.", labels=["queue", "task"]
        )
        for row in TaskStats.objects.all():
            labels = [row.queue, row.task]
            for status in ("succeeded", "failed", "retried"):
                processed.add_metric([*labels, status], getattr(row, status))
            run.add_metric(labels, _histogram_buckets(row.run_buckets), row.runtime_total_ms / 1000)
            wait.add_metric(labels, _histogram_buckets(row.wait_buckets), row.wait_total_ms / 1000)
        yield from (processed, run, wait)

    def _queue_metrics(self) -> Iterator[Metric]:
        rows = figures.queue_metrics(timezone.now())
        for name, documentation, key in QUEUE_GAUGES:
            gauge = GaugeMetricFamily(name, documentation, labels=["queue"])
            for row in rows:
                gauge.add_metric([row["queue"]], row[key])
            yield gauge
        oldest = GaugeMetricFamily(
            "jobs_oldest_waiting_seconds", "Age of the oldest waiting job.", labels=["queue"]
        )
        paused = GaugeMetricFamily("jobs_queue_paused", "1 when the queue is paused.", labels=["queue"])
        for row in rows:
            oldest.add_metric([row["queue"]], row["oldest_waiting_age"] or 0)
            paused.add_metric([row["queue"]], int(row["paused"]))
        yield from (oldest, paused)
        redis_up = GaugeMetricFamily("jobs_redis_up", "1 when Redis answered this scrape.")
        try:
            workers = list_workers()
        except broker.RedisError:
            redis_up.add_metric([], 0)
            yield redis_up
            return
        redis_up.add_metric([], 1)
        alive = GaugeMetricFamily(
            "jobs_workers_alive", "Workers heart-beating that listen on the queue.", labels=["queue"]
        )
        for row in rows:
            alive.add_metric([row["queue"]], alive_count(workers, row["queue"]))
        yield from (redis_up, alive)


def _client_allowed(address: str | None, allowed: tuple[str, ...]) -> bool:
    if not address or not allowed:
        return False
    try:
        networks = [ipaddress.ip_network(entry, strict=False) for entry in allowed]
    except ValueError as exc:
        raise ImproperlyConfigured(f"JOBS['METRICS_ALLOWED_IPS']: {exc}") from exc
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in network for network in networks)


def _refusal(request: HttpRequest) -> HttpResponse | None:
    settings = conf.get()
    header = request.headers.get("Authorization", "")
    if settings.METRICS_TOKEN and header.startswith("Bearer "):
        if hmac.compare_digest(
            header.removeprefix("Bearer ").strip().encode(), settings.METRICS_TOKEN.encode()
        ):
            return None
        return HttpResponse("Wrong metrics token.\n", status=403, content_type="text/plain")
    if _client_allowed(request.META.get("REMOTE_ADDR"), tuple(settings.METRICS_ALLOWED_IPS)):
        return None
    if settings.METRICS_TOKEN:
        response = HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(
        "Metrics are not open to this address; set JOBS['METRICS_TOKEN'] or JOBS['METRICS_ALLOWED_IPS'].\n",
        status=403,
        content_type="text/plain",
    )


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text exposition of every Jobdesk figure (token or IP allow-list)."""
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    registry = CollectorRegistry(auto_describe=False)
    registry.register(JobsCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


BREAKER_STATES = {"closed": 0, "half_open": 1, "open": 2}


def _flow_metrics() -> Iterator[Metric]:
    """Flow control (issue 15): each limited scope's usage and each breaker's state."""
    in_use = GaugeMetricFamily("jobs_concurrency_in_use", "Concurrency slots taken.", labels=["scope"])
    limit = GaugeMetricFamily("jobs_concurrency_limit", "The scope's concurrency limit.", labels=["scope"])
    held = GaugeMetricFamily("jobs_flow_waiting", "Jobs held by the scope's limits now.", labels=["scope"])
    limited = CounterMetricFamily("jobs_rate_limited", "Starts a rate limit held back.", labels=["scope"])
    breaker = GaugeMetricFamily(
        "jobs_breaker_state", "Circuit breaker: 0 closed, 1 half-open, 2 open.", labels=["breaker"]
    )
    try:
        overview = flow_reads.overview()
    except broker.RedisError:
        return
    yield from _breaker_settings(overview.breakers)
    for usage in overview.scopes:
        if usage.concurrency:
            in_use.add_metric([usage.scope], usage.in_use)
            limit.add_metric([usage.scope], usage.concurrency)
        held.add_metric([usage.scope], usage.waiting)
        if usage.rate:
            limited.add_metric([usage.scope], usage.rate_limited_total)
    for state in overview.breakers:
        breaker.add_metric([state.name], BREAKER_STATES.get(state.state, 0))
    yield from (in_use, limit, held, limited, breaker)


def _breaker_settings(states: list[breakers.BreakerState]) -> Iterator[Metric]:
    """Each breaker's failures now and the settings in force (an operator's override wins)."""
    gauges = {
        "failures": GaugeMetricFamily(
            "jobs_breaker_failures", "Counted failures within the window.", labels=["breaker"]
        ),
        "threshold": GaugeMetricFamily(
            "jobs_breaker_threshold", "Failures that open it.", labels=["breaker"]
        ),
        "window": GaugeMetricFamily("jobs_breaker_window_seconds", "Its failure window.", labels=["breaker"]),
        "recovery": GaugeMetricFamily(
            "jobs_breaker_recovery_seconds", "Open before a probe.", labels=["breaker"]
        ),
    }
    for state in states:
        spec = breakers.spec(state.name)
        values = {
            "failures": state.failures,
            "threshold": spec.threshold,
            "window": spec.window,
            "recovery": spec.recovery,
        }
        for field, gauge in gauges.items():
            gauge.add_metric([state.name], values[field])
    yield from gauges.values()
