"""The pool supervisor: a host's share of the worker pools, kept at the right size.

``manage.py jobs_workers`` runs one :class:`Supervisor` per host. Every tick it

1. reaps processes that ended (a recycled worker exits 0: max jobs, max memory) and
   kills one that outlived its shutdown deadline;
2. runs each pool's health check: a worker whose heartbeat is missing or too old
   ``failure_threshold`` times in a row is marked unhealthy and replaced;
3. lets each pool's backlog move its size (:mod:`jobs.engine.fleet.scaling`), or an
   operator's resize pin it (:mod:`jobs.engine.fleet.control`);
4. starts or gracefully retires processes until each pool has its size.

SIGTERM or SIGINT stops the fleet the way a deploy wants: every worker is sent SIGTERM
(each finishes its job within the pool's shutdown timeout, :mod:`jobs.engine.shutdown`),
the supervisor waits for them and exits 0; a second signal is passed on, and the
workers stop at once, putting their jobs back in their queues.
"""

from __future__ import annotations

import logging
import signal
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

from redis import Redis

from jobs import conf
from jobs.engine import broker
from jobs.engine.fleet import control, observe, records
from jobs.engine.fleet.pools import Pool
from jobs.engine.fleet.process import Member, spawn
from jobs.engine.fleet.scaling import ScaleState, decide
from jobs.engine.outage import CONNECTION_ERRORS, Outage

logger = logging.getLogger("jobs.fleet")

STARTUP_GRACE = 60.0
"""Seconds a new process may take to register before a missing heartbeat counts."""


@dataclass
class PoolRun:
    pool: Pool
    target: int
    members: list[Member] = field(default_factory=list)
    scale: ScaleState = field(default_factory=ScaleState)
    next_reason: str = "start"

    @property
    def active(self) -> list[Member]:
        return [m for m in self.members if not m.retiring]


class Supervisor:
    def __init__(
        self,
        pools: tuple[Pool, ...],
        *,
        manage_py: str,
        host: str | None = None,
        tick: float = 0.5,
        log_dir: Path | None = None,
        redis: Redis | None = None,
    ) -> None:
        self.host = host or socket.gethostname()
        self.runs = [PoolRun(pool, pool.scaling.min_workers) for pool in pools]
        self.manage_py = manage_py
        self.tick_seconds = tick
        self.log_dir = log_dir
        self.redis = redis or broker.connection()
        self.stop_requested = 0.0
        self._serial = count(1)
        self._prefix = f"{self.host}.{int(time.time() * 1000) % 10**8:x}"
        self.redis_outage = Outage("supervisor", logger)

    def run(self) -> int:
        """Supervise until stopped by a signal and every worker has gone; returns 0."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        logger.info(
            "host=%s event=fleet_started pools=%s", self.host, ",".join(r.pool.name for r in self.runs)
        )
        while not (self.stop_requested and not any(run.members for run in self.runs)):
            self.tick(time.monotonic())
            time.sleep(self.tick_seconds)
        logger.info("host=%s event=fleet_stopped", self.host)
        return 0

    def _on_signal(self, signum: int, frame) -> None:
        now = time.monotonic()
        if not self.stop_requested:
            self.stop_requested = now
            logger.info("host=%s event=fleet_stopping signal=%s", self.host, signal.Signals(signum).name)
            for run in self.runs:
                for member in run.members:
                    self._retire(member, "the fleet is shutting down", now)
        elif now - self.stop_requested > 1.0:  # a second stop, not the same one twice
            logger.warning("host=%s event=fleet_stopping_now", self.host)
            for run in self.runs:
                for member in run.members:
                    member.signal(signal.SIGTERM)

    def tick(self, now: float) -> None:
        """One pass; Redis being unreachable costs the measurements, never the fleet.

        While Redis is down the processes are still reaped and replaced at their size,
        but no health check runs (every heartbeat would look missing) and no size changes.
        """
        wall = datetime.now(UTC)
        for run in self.runs:
            self._reap(run, now)
        if self.stop_requested:
            return
        try:
            waiting = observe.backlogs(self.redis, {q for run in self.runs for q in run.pool.queues})
            pins = control.pins(self.redis, [run.pool.name for run in self.runs])
            beats = {
                run.pool.name: observe.beats(self.redis, [m.name for m in run.members]) for run in self.runs
            }
            stops = control.stop_requests(self.redis, self.host)
        except CONNECTION_ERRORS as exc:
            self.redis_outage.lost(exc)
            for run in self.runs:
                self._fill(run, now)
            return
        self.redis_outage.back()
        for run in self.runs:
            self._check_health(run, beats[run.pool.name], now, wall)
            self._scale(run, waiting, beats[run.pool.name], pins.get(run.pool.name), now)
            self._fill(run, now)
        for name in stops:
            self._stop_one(name, now)

    def _reap(self, run: PoolRun, now: float) -> None:
        for member in list(run.members):
            status = member.process.poll()
            if status is None:
                if member.kill_at is not None and now >= member.kill_at:
                    logger.warning(
                        "pool=%s worker=%s killed: past its shutdown deadline", run.pool.name, member.name
                    )
                    for horse in observe.children(member.pid):
                        member.signal_pid(horse, signal.SIGKILL)
                    member.kill()
                continue
            run.members.remove(member)
            reason = member.reason or (
                "recycled" if status == 0 else f"exited unexpectedly (status {status})"
            )
            records.removed(member, self.host, reason, status)

    def _check_health(self, run: PoolRun, beats: dict[str, observe.Beat], now: float, wall: datetime) -> None:
        check = run.pool.health_check
        too_old = max(check.timeout_seconds, 3.0 * conf.get().JOB_MONITORING_INTERVAL)
        for member in run.members:
            if now - member.checked < check.interval_seconds:
                continue
            member.checked = now
            beat = beats.get(member.name, observe.Beat(None, None))
            age = beat.age(wall)
            records.checked(
                member, busy=int(beat.busy), memory_mb=observe.memory_mb(member.pid), running=age is not None
            )
            if not check.enabled or member.retiring:
                continue
            if age is None and now - member.started < STARTUP_GRACE:
                continue
            if age is not None and age <= too_old:
                member.failures = 0
                continue
            member.failures += 1
            if member.failures >= check.failure_threshold and member.healthy:
                member.healthy = False
                seen = "no heartbeat" if age is None else f"last heartbeat {age:.0f} s ago"
                reason = f"{member.failures} health checks failed in a row ({seen})"
                records.health_changed(member, self.host, reason)
                self._retire(member, f"unhealthy: {reason}", now)

    def _scale(
        self,
        run: PoolRun,
        waiting: dict[str, int],
        beats: dict[str, observe.Beat],
        pin: int | None,
        now: float,
    ) -> None:
        before = run.target
        if pin is not None:
            run.target, why = pin, "resized by an operator"
        else:
            backlog = sum(waiting.get(q, 0) for q in run.pool.queues)
            busy = sum(1 for m in run.active if beats.get(m.name, observe.Beat(None, None)).busy)
            run.target += decide(run.pool, run.target, backlog, busy, run.scale, now)
            why = f"backlog {backlog}, busy {busy}"
        if run.target != before:
            direction = "up" if run.target > before else "down"
            run.next_reason = "resize" if pin is not None else f"scale {direction}"
            records.scaled(run.pool.name, self.host, before, run.target, why)

    def _fill(self, run: PoolRun, now: float) -> None:
        desired = run.target * run.pool.processes_per_worker
        while len(run.active) < desired:
            name = f"{run.pool.name}.{self._prefix}.{next(self._serial)}"
            log_path = self.log_dir / f"{name}.log" if self.log_dir else None
            member = spawn(run.pool, name, self.manage_py, log_path)
            run.members.append(member)
            records.added(member, self.host, run.next_reason)
        surplus = run.active[desired:]
        for member in reversed(surplus):
            self._retire(member, run.next_reason, now)
        run.next_reason = "replace"

    def _stop_one(self, name: str, now: float) -> None:
        for run in self.runs:
            for member in run.active:
                if member.name == name:
                    self._retire(member, "asked to shut down by an operator", now)

    def _retire(self, member: Member, reason: str, now: float) -> None:
        if not member.retiring:
            member.reason = reason
            records.stopping(member, reason)
        member.retire(now)
