"""Alert rules and the open alerts they raised."""

from __future__ import annotations

from rest_framework import serializers

from jobs.api.serializers.base import StrictSerializer, storable, text
from jobs.core.alert_rules import MAX_REPEAT_MINUTES
from jobs.core.rules import MAX_COUNT
from jobs.core.states import AlertKind
from jobs.models import Alert, AlertRule
from jobs.services.shapes import ALERT_RULE_FIELDS

ALERT_FIELDS = (
    "id", "rule", "rule_name", "subject", "message", "value", "started_at", "last_notified_at",
)  # fmt: skip
"""An open alert: REST alone shows these, so the list lives here rather than in the shapes."""


class AlertRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertRule
        fields = ALERT_RULE_FIELDS
        read_only_fields = ALERT_RULE_FIELDS


class AlertRuleWriteSerializer(StrictSerializer):
    """Create (name, kind and threshold required) or PATCH (partial=True: only what was sent).

    Bounds that depend on the kind or the settings (a threshold's range, the window's
    length) are the service's to check: :mod:`jobs.core.alert_rules`.
    """

    name = text(AlertRule, "name")
    kind = serializers.ChoiceField(choices=AlertKind.choices)
    queue = text(AlertRule, "queue", required=False, allow_blank=True, help_text="Empty: every queue.")
    task = text(AlertRule, "task", required=False, allow_blank=True, help_text="Empty: every task.")
    threshold = serializers.FloatField()
    window_minutes = serializers.IntegerField(required=False)
    min_jobs = serializers.IntegerField(required=False, max_value=MAX_COUNT)
    repeat_minutes = serializers.IntegerField(required=False, max_value=MAX_REPEAT_MINUTES)
    enabled = serializers.BooleanField(required=False)
    webhook_url = text(AlertRule, "webhook_url", required=False, allow_blank=True)
    email_recipients = serializers.CharField(
        required=False, allow_blank=True, validators=[storable], help_text="Comma-separated addresses."
    )
    description = serializers.CharField(required=False, allow_blank=True, validators=[storable])


class AlertSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)

    class Meta:
        model = Alert
        fields = ALERT_FIELDS
        read_only_fields = ALERT_FIELDS
