"""Alert rules leave the admin through ``delete_alert_rule``: its log line, its cascade, its permission."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from jobs.models import Alert, AlertEvent, AlertRule
from jobs.monitoring.alerts.evaluate import evaluate
from jobs.services import schedule_job
from jobs.services.alerts import create_alert_rule

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = reverse("admin:jobs_alertrule_changelist")


def firing_rule(name: str = "backlog") -> AlertRule:
    """A rule that fires as soon as one job waits (a backlog over zero)."""
    return create_alert_rule(name=name, kind="backlog", threshold=0)


def raise_alerts() -> None:
    """One waiting job and an evaluation: each backlog rule opens an alert with its event."""
    schedule_job("tests.add", args=[1, 1])
    evaluate()


def deletions(caplog) -> list[str]:
    lines = [record.getMessage() for record in caplog.records if record.name == "jobs.alerts"]
    return [line for line in lines if "event=deleted" in line]


def test_the_delete_page_deletes_through_the_service_with_its_alerts(admin_client, caplog):
    rule = firing_rule()
    raise_alerts()
    assert Alert.objects.filter(rule=rule).exists() and AlertEvent.objects.exists()
    page = admin_client.get(reverse("admin:jobs_alertrule_delete", args=[rule.pk]))
    assert page.status_code == 200 and "alert" in page.content.decode().lower()
    with caplog.at_level(logging.INFO, logger="jobs.alerts"):
        response = admin_client.post(reverse("admin:jobs_alertrule_delete", args=[rule.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert deletions(caplog) == ["alert_rule='backlog' event=deleted by=admin via admin"]
    assert not AlertRule.objects.exists()
    assert not Alert.objects.exists() and not AlertEvent.objects.exists()


def test_delete_selected_calls_the_service_once_per_rule(admin_client, caplog):
    rules = [firing_rule("first"), firing_rule("second")]
    keep = firing_rule("kept")
    raise_alerts()
    data = {"action": "delete_selected", "_selected_action": [str(r.pk) for r in rules], "post": "yes"}
    with caplog.at_level(logging.INFO, logger="jobs.alerts"):
        response = admin_client.post(CHANGELIST, data)
    assert response.status_code == 302
    assert sorted(deletions(caplog)) == [
        "alert_rule='first' event=deleted by=admin via admin",
        "alert_rule='second' event=deleted by=admin via admin",
    ]
    assert list(AlertRule.objects.values_list("name", flat=True)) == ["kept"]
    assert set(Alert.objects.values_list("rule_id", flat=True)) == {keep.pk}


def test_without_the_delete_permission_nothing_is_deleted(client, staff, caplog):
    staff("view_alertrule", "change_alertrule")
    rule = firing_rule()
    url = reverse("admin:jobs_alertrule_delete", args=[rule.pk])
    with caplog.at_level(logging.INFO, logger="jobs.alerts"):
        assert client.get(url).status_code == 403
        assert client.post(url, {"post": "yes"}).status_code == 403
        listing = client.get(CHANGELIST)
        assert "delete_selected" not in listing.content.decode()
        client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [rule.pk], "post": "yes"})
    assert AlertRule.objects.filter(pk=rule.pk).exists()
    assert deletions(caplog) == []


def test_editing_needs_the_change_permission_from_the_table(client, staff):
    staff("view_alertrule")
    rule = firing_rule()
    response = client.post(reverse("admin:jobs_alertrule_change", args=[rule.pk]), {"name": "renamed"})
    assert response.status_code == 403
    assert client.get(reverse("admin:jobs_alertrule_add")).status_code == 403
    assert AlertRule.objects.get(pk=rule.pk).name == "backlog"
