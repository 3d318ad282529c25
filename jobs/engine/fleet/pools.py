"""Worker pools as written in ``JOBS["WORKER_POOLS"]``, read into frozen dataclasses.

A pool is a named set of worker processes on one host that share queues, a worker
class and limits, and whose size follows its backlog. The keys follow the reference
systems' vocabulary (``concurrency``, ``max_memory_mb``, ``health_check``, ``scaling``
with ``min_workers`` … ``scale_down_cooldown_seconds``), so their pools are written
here as they were there::

    {"name": "ai_processing", "queues": ["ai"], "concurrency": 10, "max_memory_mb": 1024,
     "max_job_time": 60, "health_check": {"interval_seconds": 30, "failure_threshold": 3},
     "scaling": {"min_workers": 2, "max_workers": 20, "scale_up_threshold": 80,
                 "scale_down_threshold": 20, "scale_up_cooldown_seconds": 300,
                 "scale_down_cooldown_seconds": 600}}

A *worker* is a unit of ``concurrency`` job slots. With the forking class (one job per
process) a unit is ``concurrency`` processes; a class that runs several jobs in one
process gets one process told its concurrency (``JOBDESK_WORKER_CONCURRENCY``).
``min_workers`` and ``max_workers`` count units on the host that runs the command.

The thresholds are percentages of the pool's slots asked for: ``(waiting + running)
/ slots × 100`` over the pool's queues. At or over ``scale_up_threshold`` the pool
grows by one unit, at or under ``scale_down_threshold`` it shrinks by one, each no
sooner than its cooldown after the last change.

:func:`problems` lists every mistake at once, for the system checks; :func:`pools`
raises on the first, for the command.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from jobs import conf

DEFAULT_WORKER_CLASS = "jobs.engine.worker.Worker"
FORKING_CLASSES = frozenset({DEFAULT_WORKER_CLASS})
"""Worker classes that run one job per process: ``concurrency`` N means N processes."""


@dataclass(frozen=True)
class HealthCheck:
    enabled: bool = True
    interval_seconds: float = 30.0
    timeout_seconds: float = 5.0
    failure_threshold: int = 3


@dataclass(frozen=True)
class Scaling:
    min_workers: int = 1
    max_workers: int = 1
    scale_up_threshold: float = 80.0
    scale_down_threshold: float = 20.0
    scale_up_cooldown_seconds: float = 300.0
    scale_down_cooldown_seconds: float = 600.0


@dataclass(frozen=True)
class Pool:
    name: str
    queues: tuple[str, ...]
    worker_class: str = DEFAULT_WORKER_CLASS
    concurrency: int = 1
    max_memory_mb: int | None = None
    max_job_time: int | None = None
    max_jobs: int | None = None
    shutdown_timeout: float = 30.0
    health_check: HealthCheck = field(default_factory=HealthCheck)
    scaling: Scaling = field(default_factory=Scaling)

    @property
    def forking(self) -> bool:
        return self.worker_class in FORKING_CLASSES

    @property
    def processes_per_worker(self) -> int:
        """How many processes one unit of ``concurrency`` slots takes."""
        return self.concurrency if self.forking else 1

    @property
    def slots_per_process(self) -> int:
        return 1 if self.forking else self.concurrency


def pools(settings: conf.JobsSettings | None = None) -> tuple[Pool, ...]:
    """The configured pools.

    Raises:
        ImproperlyConfigured: on the first mistake :func:`problems` would list.
    """
    settings = settings or conf.get()
    errors = problems(settings)
    if errors:
        raise ImproperlyConfigured(errors[0])
    return tuple(_build(raw) for raw in settings.WORKER_POOLS)


def _build(raw: dict[str, Any]) -> Pool:
    values = dict(raw)
    values["queues"] = tuple(values["queues"])
    values["health_check"] = HealthCheck(**values.get("health_check", {}))
    values["scaling"] = Scaling(**values.get("scaling", {}))
    return Pool(**values)


def problems(settings: conf.JobsSettings | None = None) -> list[str]:
    """Every mistake in ``JOBS["WORKER_POOLS"]``, each a sentence naming the pool."""
    settings = settings or conf.get()
    errors: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(settings.WORKER_POOLS):
        if not isinstance(raw, dict):
            errors.append(f"JOBS['WORKER_POOLS'][{index}] must be a dict, not {type(raw).__name__}.")
            continue
        name = raw.get("name")
        where = f"Worker pool {name!r}" if name else f"JOBS['WORKER_POOLS'][{index}]"
        if not isinstance(name, str) or not name.isidentifier():
            errors.append(f"{where} needs a 'name' made of letters, digits and underscores.")
        elif name in seen:
            errors.append(f"{where} is defined twice.")
        seen.add(name if isinstance(name, str) else "")
        errors += [f"{where}: {problem}" for problem in _pool_problems(raw, settings.QUEUES)]
    return errors


def _unknown_keys(raw: dict[str, Any], cls: type, where: str) -> list[str]:
    unknown = set(raw) - {f.name for f in fields(cls)}
    return [f"unknown key(s) {', '.join(sorted(map(str, unknown)))}{where}."] if unknown else []


def _pool_problems(raw: dict[str, Any], queues: tuple[str, ...]) -> list[str]:
    errors = _unknown_keys(raw, Pool, "")
    names = raw.get("queues")
    if not isinstance(names, list | tuple) or not names or not all(isinstance(q, str) for q in names):
        errors.append("'queues' must be a non-empty list of queue names.")
    else:
        errors += [
            f"queue {q!r} is not in JOBS['QUEUES'] ({', '.join(queues)})." for q in names if q not in queues
        ]
    if not isinstance(raw.get("worker_class", DEFAULT_WORKER_CLASS), str):
        errors.append("'worker_class' must be a dotted path.")
    errors += _whole(raw, "concurrency", 1, 1000, default=1)
    for key in ("max_memory_mb", "max_job_time", "max_jobs"):
        errors += _whole(raw, key, 1, None, default=None)
    errors += _number(raw, "shutdown_timeout", 0, 24 * 3600, default=30.0)
    errors += _health_problems(raw.get("health_check", {}))
    errors += _scaling_problems(raw.get("scaling", {}))
    return errors


def _health_problems(raw: Any) -> list[str]:
    if not isinstance(raw, dict):
        return ["'health_check' must be a dict."]
    errors = _unknown_keys(raw, HealthCheck, " in 'health_check'")
    if not isinstance(raw.get("enabled", True), bool):
        errors.append("'health_check.enabled' must be True or False.")
    errors += _number(raw, "interval_seconds", 0.1, 3600, default=30.0, prefix="health_check.")
    errors += _number(raw, "timeout_seconds", 0, 3600, default=5.0, prefix="health_check.")
    errors += _whole(raw, "failure_threshold", 1, 1000, default=3, prefix="health_check.")
    return errors


def _scaling_problems(raw: Any) -> list[str]:
    if not isinstance(raw, dict):
        return ["'scaling' must be a dict."]
    errors = _unknown_keys(raw, Scaling, " in 'scaling'")
    errors += _whole(raw, "min_workers", 0, 10_000, default=1, prefix="scaling.")
    errors += _whole(raw, "max_workers", 1, 10_000, default=1, prefix="scaling.")
    for key in ("scale_up_threshold", "scale_down_threshold"):
        errors += _number(raw, key, 0, 100, default=50, prefix="scaling.")
    for key in ("scale_up_cooldown_seconds", "scale_down_cooldown_seconds"):
        errors += _number(raw, key, 0, 24 * 3600, default=0, prefix="scaling.")
    if errors:
        return errors
    low, high = raw.get("min_workers", 1), raw.get("max_workers", 1)
    if low > high:
        errors.append(f"scaling.min_workers ({low}) is more than scaling.max_workers ({high}).")
    down, up = raw.get("scale_down_threshold", 20.0), raw.get("scale_up_threshold", 80.0)
    if down >= up:
        errors.append(f"scaling.scale_down_threshold ({down}) must be below scale_up_threshold ({up}).")
    return errors


def _whole(raw: dict, key: str, low: int, high: int | None, *, default: Any, prefix: str = "") -> list[str]:
    value = raw.get(key, default)
    if value is None and default is None:
        return []
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (high and value > high):
        upper = f" and {high}" if high else " or more"
        between = f"between {low}{upper}" if high else f"{low}{upper}"
        return [f"'{prefix}{key}' must be a whole number {between}, not {value!r}."]
    return []


def _number(raw: dict, key: str, low: float, high: float, *, default: Any, prefix: str = "") -> list[str]:
    value = raw.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
        return [f"'{prefix}{key}' must be a number between {low:g} and {high:g}, not {value!r}."]
    return []
