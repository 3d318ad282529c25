"""Forcing a breaker from the dashboard and the admin: confirmation, permission, audit,
and the same timeline lines, signals and alert as a breaker that opens by itself."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jobs import signals
from jobs.engine import execution
from jobs.engine.flow import breakers
from jobs.models import Alert, FlowChange, JobLog
from jobs.monitoring.alerts.evaluate import evaluate
from jobs.services import schedule_job
from tests.factories import make_alert_rule, staff

pytestmark = pytest.mark.django_db(transaction=True)

DASHBOARD = "/dashboard/breakers/tests-bank/{}/"
ADMIN = "/admin/jobs/flowchange/breakers/tests-bank/{}/"


@pytest.fixture
def heard():
    reasons = []

    def opened(**kwargs):
        reasons.append(("opened", kwargs["name"], kwargs["reason"]))

    def closed(**kwargs):
        reasons.append(("closed", kwargs["name"], kwargs["reason"]))

    signals.breaker_opened.connect(opened, weak=False)
    signals.breaker_closed.connect(closed, weak=False)
    yield reasons
    signals.breaker_opened.disconnect(opened)
    signals.breaker_closed.disconnect(closed)


def state() -> breakers.BreakerState:
    return breakers.state("tests-bank")


@pytest.mark.parametrize(("url", "via"), [(DASHBOARD, "dashboard"), (ADMIN, "admin")])
def test_forcing_asks_first_then_opens_holds_and_closes_like_a_natural_breaker(redis, heard, url, via):
    client = Client()
    staff(client, "view_flow", "force_breaker", "view_flowchange")
    make_alert_rule("bank breaker", kind="breaker_open", threshold=1)
    asked = client.post(url.format("open"))
    assert asked.status_code == 200 and b"tests-bank" in asked.content
    assert b'name="confirmed"' in asked.content
    assert state().state == "closed" and not FlowChange.objects.exists(), "asking changes nothing"

    assert client.post(url.format("open"), {"confirmed": "yes"}).status_code == 302
    assert state().state == "open" and state().forced
    assert heard == [("opened", "tests-bank", f"by hand by operator via {via}")]
    change = FlowChange.objects.get()
    assert (change.target, change.change, change.interface) == ("breaker:tests-bank", "forced open", via)
    evaluate(now=timezone.now() + timedelta(seconds=2))
    assert Alert.objects.get(subject="breaker:tests-bank").resolved_at is None

    held = schedule_job("tests.flow.bank", args=["ok"])
    assert execution.claim(str(held.pk), "w") is None
    assert held.logs.filter(message="Waiting: tests-bank breaker forced open.").exists()

    assert client.post(url.format("close"), {"confirmed": "yes"}).status_code == 302
    assert state().state == "closed"
    assert heard[-1] == ("closed", "tests-bank", f"closed by hand by operator via {via}")
    woken = f"Breaker tests-bank closed: closed by hand by operator via {via}."
    assert held.logs.filter(event=JobLog.Event.LOG, message=woken).exists()
    evaluate(now=timezone.now() + timedelta(seconds=2))
    assert Alert.objects.get(subject="breaker:tests-bank").resolved_at is not None
    assert execution.claim(str(held.pk), "w") is not None


@pytest.mark.parametrize("url", [DASHBOARD, ADMIN])
def test_forcing_needs_the_breakers_own_permission(redis, url):
    client = Client()
    staff(client, "view_flow", "view_flowchange", "override_limits")
    assert client.post(url.format("open"), {"confirmed": "yes"}).status_code == 403
    assert state().state == "closed" and not FlowChange.objects.exists()


@pytest.mark.parametrize(
    "url", ["/dashboard/breakers/no-such/open/", "/admin/jobs/flowchange/breakers/no-such/open/"]
)
def test_an_unknown_breaker_is_refused_with_a_message_and_changes_nothing(redis, url):
    client = Client()
    staff(client, "view_flow", "force_breaker", "view_flowchange")
    answer = client.post(url, {"confirmed": "yes"}, follow=True)
    assert answer.status_code == 200 and b"Unknown breaker" in answer.content
    assert not FlowChange.objects.exists()


def test_the_pages_list_the_breakers_with_their_buttons_only_for_who_may_force(redis):
    viewer, forcer = Client(), Client()
    staff(viewer, "view_flow", "view_flowchange", username="viewer")
    staff(forcer, "view_flow", "force_breaker", "view_flowchange", username="forcer")
    for page in ("/dashboard/breakers/", "/admin/jobs/flowchange/"):
        seen = viewer.get(page).content.decode()
        assert "tests-bank" in seen and "Force open" not in seen, page
        assert "Force open" in forcer.get(page).content.decode(), page
