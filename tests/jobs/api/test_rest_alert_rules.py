"""REST /api/alert-rules/ and /api/alerts/: the alert services behind the REST shape and refusals."""

from __future__ import annotations

import json

import pytest

from jobs.models import Alert, AlertRule
from tests.factories import token_client
from tests.jobs.api.assertions import assert_error

pytestmark = pytest.mark.django_db

RATE = {"name": "failures", "kind": "failure_rate", "threshold": 20, "window_minutes": 15, "min_jobs": 5}


def test_alert_rule_lifecycle(api, open_alert):
    created = api.post("/api/alert-rules/", RATE, format="json")
    assert created.status_code == 201, created.content
    rule = created.json()
    assert AlertRule.objects.get(pk=rule["id"]).window_minutes == 15 and rule["kind"] == "failure_rate"
    assert [r["name"] for r in api.get("/api/alert-rules/").json()["results"]] == ["backlog", "failures"]
    assert api.get(f"/api/alert-rules/{rule['id']}/").json()["threshold"] == 20
    patched = api.patch(f"/api/alert-rules/{rule['id']}/", {"threshold": 35, "enabled": False}, format="json")
    assert patched.status_code == 200 and patched.json()["threshold"] == 35
    assert not AlertRule.objects.get(pk=rule["id"]).enabled
    assert api.delete(f"/api/alert-rules/{rule['id']}/").status_code == 204
    assert list(AlertRule.objects.values_list("name", flat=True)) == ["backlog"]
    assert_error(api.get(f"/api/alert-rules/{rule['id']}/"), 404, "not_found")


def test_deleting_a_rule_takes_its_alerts(api, open_alert):
    assert api.delete(f"/api/alert-rules/{open_alert.rule_id}/").status_code == 204
    assert not Alert.objects.exists()


def test_alerts_lists_the_open_ones_only(api, open_alert):
    resolved = Alert.objects.create(
        rule=open_alert.rule,
        subject="queue:low",
        message="fine now",
        started_at=open_alert.started_at,
        last_notified_at=open_alert.started_at,
        resolved_at=open_alert.started_at,
    )
    results = api.get("/api/alerts/").json()["results"]
    assert [(a["id"], a["rule_name"], a["subject"]) for a in results] == [
        (open_alert.pk, "backlog", "queue:high")
    ]
    assert resolved.pk not in {a["id"] for a in results}


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"kind": "nonsense"}, "invalid", "kind"),
        ({"threshold": 150}, "invalid_alert_rule", "threshold"),
        ({"threshold": "NaN"}, "invalid", "threshold"),
        ({"queue": "nope"}, "invalid_alert_rule", "queue"),
        ({"task": "no.such"}, "invalid_alert_rule", "task"),
        ({"window_minutes": 0}, "invalid_alert_rule", "window_minutes"),
        ({"window_minutes": 10**20}, "invalid_alert_rule", "window_minutes"),
        ({"min_jobs": 10**20}, "invalid", "min_jobs"),
        ({"repeat_minutes": 10**20}, "invalid", "repeat_minutes"),
        ({"webhook_url": "https://example.com/hook"}, "invalid_alert_rule", "webhook_url"),
        ({"email_recipients": "not an address"}, "invalid_alert_rule", "email_recipients"),
        ({"name": "x" * 201}, "invalid", "name"),
        ({"name": "a\u0000"}, "invalid", "name"),
        ({"description": "\ud800"}, "invalid", "description"),
        ({"severity": "high"}, "invalid", "severity"),
        ({"threshold": None}, "invalid", "threshold"),
    ],
)
def test_bad_alert_rules_are_400_and_write_nothing(api, changes, code, field):
    body = json.dumps({**RATE, **changes})
    error = assert_error(api.post("/api/alert-rules/", body, content_type="application/json"), 400, code)
    assert field in error["fields"], error
    assert not AlertRule.objects.exists()


def test_a_taken_name_is_400(api, alert_rule):
    error = assert_error(api.post("/api/alert-rules/", {**RATE, "name": "backlog"}, format="json"), 400)
    assert error["code"] == "invalid_alert_rule" and "name" in error["fields"]
    assert AlertRule.objects.count() == 1


def test_a_bad_patch_changes_nothing(api, alert_rule):
    url = f"/api/alert-rules/{alert_rule.pk}/"
    assert_error(api.patch(url, {"threshold": -1}, format="json"), 400, "invalid_alert_rule")
    assert_error(api.patch(url, {"kind": "nope", "threshold": 5}, format="json"), 400, "invalid")
    assert_error(api.patch(url, {"bogus": 1}, format="json"), 400, "invalid")
    assert_error(api.patch("/api/alert-rules/abc/", {"threshold": 5}, format="json"), 404, "not_found")
    assert_error(api.patch("/api/alert-rules/999999/", {"threshold": 5}, format="json"), 404, "not_found")
    assert_error(api.delete("/api/alert-rules/999999/"), 404, "not_found")
    assert api.put(url, {**RATE}, format="json").status_code == 405
    rule = AlertRule.objects.get()
    assert (rule.kind, rule.threshold, rule.queue) == ("backlog", 100, "high")


@pytest.mark.parametrize(
    ("method", "suffix", "perm"),
    [
        ("post", "", "add_alertrule"),
        ("patch", "{id}/", "change_alertrule"),
        ("delete", "{id}/", "delete_alertrule"),
    ],
)
def test_alert_rule_actions_need_their_permission(make_user, alert_rule, method, suffix, perm):
    url = "/api/alert-rules/" + suffix.format(id=alert_rule.pk)
    body = RATE if suffix == "" else {"threshold": 7}
    viewer = token_client(make_user("view_alertrule", username="viewer"))
    assert viewer.get("/api/alert-rules/").status_code == 200
    assert_error(getattr(viewer, method)(url, body, format="json"), 403, "permission_denied")
    rule = AlertRule.objects.get()
    assert (AlertRule.objects.count(), rule.threshold) == (1, 100)
    allowed = token_client(make_user(perm, username="allowed"))
    assert getattr(allowed, method)(url, body, format="json").status_code < 300


def test_reading_rules_and_alerts_needs_view_alertrule(reader, open_alert):
    for url in ("/api/alert-rules/", f"/api/alert-rules/{open_alert.rule_id}/", "/api/alerts/"):
        assert_error(reader.get(url), 403, "permission_denied")
