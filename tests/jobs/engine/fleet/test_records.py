"""Every fleet change is a log line, a FleetWorker row and a signal, in that order."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jobs import signals
from jobs.engine.fleet import records
from jobs.engine.fleet.pools import Pool
from jobs.engine.fleet.process import Member
from jobs.models import FleetWorker

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return Member(pool=Pool(name="general", queues=("normal",)), name="general.h.1", process=process)


def heard(signal):
    events = []

    def receiver(sender, **kwargs):
        events.append((sender, kwargs))

    signal.connect(receiver, weak=False)
    return events, lambda: signal.disconnect(receiver)


def test_added_removed_and_health_changed_reach_rows_receivers_and_the_log(member, caplog):
    for signal in (signals.worker_added, signals.worker_removed, signals.worker_health_changed):
        events, done = heard(signal)
        try:
            if signal is signals.worker_added:
                records.added(member, "h", "scale up")
                row = FleetWorker.objects.get(name="general.h.1")
                assert (row.pool, row.host, row.pid, row.state) == ("general", "h", member.pid, "starting")
            elif signal is signals.worker_health_changed:
                member.healthy, member.failures = False, 3
                records.health_changed(member, "h", "3 health checks failed in a row (no heartbeat)")
                assert not FleetWorker.objects.get(name="general.h.1").healthy
            else:
                records.removed(member, "h", "scale down", 0)
                row = FleetWorker.objects.get(name="general.h.1")
                assert (row.state, row.exit_status, row.reason) == ("gone", 0, "scale down")
        finally:
            done()
        [(sender, kwargs)] = events
        assert sender == "jobs.fleet" and kwargs["pool"] == "general" and kwargs["worker"] == "general.h.1"
    assert "event=worker_added reason='scale up'" in caplog.text
    assert "event=worker_health_changed healthy=False" in caplog.text
    assert "event=worker_removed reason='scale down' exit_status=0" in caplog.text


def test_a_receiver_that_raises_never_stops_the_supervisor(member):
    def broken(sender, **kwargs):
        raise RuntimeError("receiver bug")

    signals.worker_added.connect(broken, weak=False)
    try:
        records.added(member, "h", "start")
    finally:
        signals.worker_added.disconnect(broken)
    assert FleetWorker.objects.filter(name="general.h.1").exists()
