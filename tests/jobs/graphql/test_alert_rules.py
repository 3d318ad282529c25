"""GraphQL alert rules: the queries and the create/update/delete mutations over jobs.services.alerts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jobs.models import Alert, AlertRule
from jobs.services import actions, create_alert_rule
from tests.jobs.graphql.client import data, gql
from tests.jobs.graphql.conftest import codes

pytestmark = pytest.mark.django_db(transaction=True)

RULE_FIELDS = "alertRule { id name kind queue threshold enabled } errors { code message field }"
CREATE = f"mutation($input: CreateAlertRuleInput!) {{ createAlertRule(input: $input) {{ {RULE_FIELDS} }} }}"
UPDATE = (
    "mutation($id: ID!, $input: UpdateAlertRuleInput!) "
    f"{{ updateAlertRule(id: $id, input: $input) {{ {RULE_FIELDS} }} }}"
)
DELETE = "mutation($id: ID!) { deleteAlertRule(id: $id) { deletedId errors { code message } } }"
BACKLOG = {"name": "High backlog", "kind": "backlog", "threshold": 100, "queue": "high"}


def rule(**fields) -> AlertRule:
    return create_alert_rule(**{**BACKLOG, **fields})


def test_create_update_and_delete_a_rule(admin):
    created = data(admin, CREATE, {"input": BACKLOG})["createAlertRule"]
    assert created["errors"] == [] and created["alertRule"]["kind"] == "backlog"
    rule_id = created["alertRule"]["id"]
    assert AlertRule.objects.get(pk=rule_id).queue == "high"
    changed = data(admin, UPDATE, {"id": rule_id, "input": {"threshold": 250, "enabled": False}})
    assert changed["updateAlertRule"]["alertRule"]["threshold"] == 250
    assert not AlertRule.objects.get(pk=rule_id).enabled
    assert data(admin, DELETE, {"id": rule_id})["deleteAlertRule"] == {"deletedId": rule_id, "errors": []}
    assert not AlertRule.objects.exists()
    assert codes(data(admin, DELETE, {"id": rule_id})["deleteAlertRule"]) == ["not_found"]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"kind": "bogus"}, "kind"),
        ({"kind": "failure_rate", "threshold": 150}, "threshold"),
        ({"queue": "nope"}, "queue"),
        ({"minJobs": 0, "kind": "failure_rate", "threshold": 5}, "min_jobs"),
        ({"emailRecipients": "not an address"}, "email_recipients"),
    ],
)
def test_a_bad_rule_is_refused_by_field_and_nothing_is_saved(admin, given, field):
    result = data(admin, CREATE, {"input": {**BACKLOG, **given}})["createAlertRule"]
    assert result["alertRule"] is None and codes(result)[0] == "invalid_alert_rule"
    assert field in {error["field"] for error in result["errors"]} and not AlertRule.objects.exists()


def test_a_taken_name_and_a_bad_update_change_nothing(admin):
    existing = rule()
    taken = data(admin, CREATE, {"input": BACKLOG})["createAlertRule"]
    assert codes(taken) == ["invalid_alert_rule"] and taken["errors"][0]["field"] == "name"
    bad = data(admin, UPDATE, {"id": existing.pk, "input": {"kind": "workers", "threshold": 0.5}})
    assert codes(bad["updateAlertRule"]) == ["invalid_alert_rule"]
    assert AlertRule.objects.get().kind == "backlog" and AlertRule.objects.get().threshold == 100
    unknown = data(admin, UPDATE, {"id": "999999", "input": {"threshold": 1}})["updateAlertRule"]
    assert codes(unknown) == ["not_found"]


def test_wrong_types_are_graphql_errors_and_save_nothing(admin):
    for given in ({**BACKLOG, "threshold": "lots"}, {**BACKLOG, "windowMinutes": 2**40}, {"name": "no kind"}):
        response = gql(admin, CREATE, {"input": given})
        assert response.status_code == 400 and response.json()["errors"][0]["message"]
    assert not AlertRule.objects.exists()


def test_alert_rules_alert_rule_and_open_alerts(viewer):
    backlog = rule()
    now = timezone.now()
    Alert.objects.create(
        rule=backlog, subject="queue high", message="600 waiting", started_at=now, last_notified_at=now
    )
    Alert.objects.create(
        rule=backlog,
        subject="queue low",
        message="old",
        started_at=now,
        last_notified_at=now,
        resolved_at=now,
    )
    body = data(
        viewer,
        "query($id: ID!) { alertRules { name } alertRule(id: $id) { id kind threshold } "
        "alerts { subject message rule { name } } }",
        {"id": backlog.pk},
    )
    assert body["alertRules"] == [{"name": "High backlog"}]
    assert body["alertRule"] == {"id": str(backlog.pk), "kind": "backlog", "threshold": 100.0}
    assert body["alerts"] == [
        {"subject": "queue high", "message": "600 waiting", "rule": {"name": "High backlog"}}
    ]


def test_an_unknown_rule_is_not_found(viewer):
    body = gql(viewer, '{ alertRule(id: "nope") { id } }').json()
    assert body["data"]["alertRule"] is None and body["errors"][0]["extensions"]["code"] == "not_found"


def test_reading_rules_needs_the_view_action(client_for):
    reader = client_for("view_job", username="jobs-only")
    for query in ("{ alertRules { id } }", "{ alerts { id } }"):
        body = gql(reader, query).json()
        assert body["errors"][0]["extensions"]["code"] == "permission_denied", query


@pytest.mark.parametrize(
    ("action", "query", "variables"),
    [
        ("create_alert_rule", CREATE, lambda existing: {"input": {**BACKLOG, "name": "another"}}),
        ("update_alert_rule", UPDATE, lambda existing: {"id": existing.pk, "input": {"threshold": 7}}),
        ("delete_alert_rule", DELETE, lambda existing: {"id": existing.pk}),
    ],
)
def test_each_rule_mutation_needs_its_action(client_for, viewer, action, query, variables):
    existing = rule()
    refused = next(iter(data(viewer, query, variables(existing)).values()))
    assert codes(refused) == ["permission_denied"]
    assert actions.permission(action) in refused["errors"][0]["message"]
    assert list(AlertRule.objects.values_list("name", "threshold")) == [("High backlog", 100)]
    allowed = client_for(action, username="allowed")
    assert next(iter(data(allowed, query, variables(existing)).values()))["errors"] == []
