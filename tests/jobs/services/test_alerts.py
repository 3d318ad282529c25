"""The alert-rule services: every bad field refused with a message, the configured rules created once."""

import pytest

from jobs.exceptions import InvalidAlertRule
from jobs.models import AlertRule
from jobs.services.alerts import create_alert_rule, ensure_configured_rules

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("alert_settings")]

K = AlertRule.Kind


def test_reference_rules_are_created_from_settings_defaults(settings):
    settings.JOBS = {**settings.JOBS, "ALERT_RULES": None}
    ensure_configured_rules()
    thresholds = dict(AlertRule.objects.values_list("kind", "threshold"))
    assert thresholds[K.BACKLOG] == 500
    assert thresholds[K.FAILURE_RATE] == 20
    assert thresholds[K.STUCK] == 30 * 60
    assert thresholds[K.WORKERS] == 2
    AlertRule.objects.filter(kind=K.BACKLOG).update(threshold=50)
    ensure_configured_rules()
    assert AlertRule.objects.get(kind=K.BACKLOG).threshold == 50, "an admin's edit sticks"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": K.FAILURE_RATE, "threshold": 150}, "threshold"),
        ({"kind": K.FAILURE_RATE, "threshold": -1}, "threshold"),
        ({"kind": K.BACKLOG, "threshold": 2.5}, "threshold"),
        ({"kind": K.WORKERS, "threshold": 0}, "threshold"),
        ({"kind": K.STUCK, "threshold": 0}, "threshold"),
        ({"kind": K.STUCK, "threshold": "soon"}, "threshold"),
        ({"kind": K.STUCK, "threshold": float("nan")}, "threshold"),
        ({"kind": "nonsense", "threshold": 1}, "kind"),
        ({"kind": K.SLA, "threshold": 10}, "task"),
        ({"kind": K.BACKLOG, "threshold": 1, "queue": "nope"}, "queue"),
        ({"kind": K.BACKLOG, "threshold": 1, "task": "os.system"}, "task"),
        ({"kind": K.FAILURE_RATE, "threshold": 5, "window_minutes": 0}, "window_minutes"),
        ({"kind": K.FAILURE_RATE, "threshold": 5, "window_minutes": 8 * 24 * 60}, "window_minutes"),
        ({"kind": K.BACKLOG, "threshold": 1, "repeat_minutes": 0}, "repeat_minutes"),
        ({"kind": K.BACKLOG, "threshold": 1, "webhook_url": "ftp://example.com/x"}, "webhook_url"),
        ({"kind": K.BACKLOG, "threshold": 1, "webhook_url": "http://"}, "webhook_url"),
        ({"kind": K.BACKLOG, "threshold": 1, "webhook_url": "example.com/hook"}, "webhook_url"),
        ({"kind": K.BACKLOG, "threshold": 1, "webhook_url": "javascript:alert(1)"}, "webhook_url"),
        ({"kind": K.BACKLOG, "threshold": 1, "email_recipients": "ops@example.com, not-an-address"},
         "email_recipients"),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_with_a_clear_message_and_nothing_saved(fields, field):
    with pytest.raises(InvalidAlertRule) as refused:
        create_alert_rule(name="bad", **fields)
    assert field in refused.value.fields
    assert refused.value.message
    assert not AlertRule.objects.exists()


def test_the_admin_form_path_refuses_alike():
    rule = AlertRule(name="bad", kind=K.BACKLOG, threshold=1, webhook_url="gopher://x")
    with pytest.raises(Exception, match="http:// or https://"):
        rule.full_clean()


def test_a_webhook_needs_a_signing_secret(settings):
    settings.JOBS = {**settings.JOBS, "ALERT_WEBHOOK_SECRET": ""}
    with pytest.raises(InvalidAlertRule, match="ALERT_WEBHOOK_SECRET"):
        create_alert_rule(name="hook", kind=K.BACKLOG, threshold=1, webhook_url="https://hooks.example.com/x")
