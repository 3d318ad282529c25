"""Alert rules: create, edit and delete them; the open alerts they raised.

Rules are validated by :mod:`jobs.core.alert_rules` (which ``AlertRule.clean`` calls
too); the housekeeper evaluates them (:mod:`jobs.monitoring.alerts.evaluate`).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from jobs import conf
from jobs.core.alert_rules import DEFAULT_RULES, EDITABLE, rule_errors
from jobs.exceptions import AlertRuleNotFound, InvalidAlertRule
from jobs.models import Alert, AlertRule
from jobs.models.journal import describe_actor

logger = logging.getLogger("jobs.alerts")


def _save(rule: AlertRule, fields: dict[str, Any]) -> AlertRule:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise InvalidAlertRule(f"Unknown alert rule fields: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(rule, name, value)
    errors = rule_errors(rule)
    if not rule.name:
        errors["name"] = "A rule needs a name."
    if errors:
        raise InvalidAlertRule("; ".join(errors.values()), fields=errors)
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:
        raise InvalidAlertRule(f"A rule named {rule.name!r} exists.", fields={"name": "taken"}) from exc
    return rule


def create_alert_rule(**fields: Any) -> AlertRule:
    """Create a rule. Raises: InvalidAlertRule (nothing saved) for any bad field."""
    return _save(AlertRule(), fields)


def get_alert_rule(rule_id: Any) -> AlertRule:
    """Raises: AlertRuleNotFound for an id that is not a rule's."""
    try:
        return AlertRule.objects.get(pk=int(rule_id))
    except (TypeError, ValueError, OverflowError, AlertRule.DoesNotExist):
        raise AlertRuleNotFound(f"No alert rule {str(rule_id)[:64]!r}.") from None


def update_alert_rule(rule_id: Any, **fields: Any) -> AlertRule:
    """Change a rule. Raises: AlertRuleNotFound, InvalidAlertRule (nothing saved) for any bad field."""
    return _save(get_alert_rule(rule_id), fields)


def delete_alert_rule(rule_id: Any, *, user: Any = None, via: str = "code") -> AlertRule:
    """Delete a rule with its alerts and their events (an incident log goes with its rule).

    Raises: AlertRuleNotFound.
    """
    rule = get_alert_rule(rule_id)
    with transaction.atomic():
        AlertRule.objects.filter(pk=rule.pk).delete()
    logger.info("alert_rule=%r event=deleted by=%s", rule.name, describe_actor(user, via))
    return rule


def ensure_configured_rules() -> None:
    """Create the rules ``JOBS['ALERT_RULES']`` lists that don't exist yet (by name)."""
    configured = conf.get().ALERT_RULES
    wanted = DEFAULT_RULES if configured is None else tuple(configured)
    present = set(
        AlertRule.objects.filter(name__in=[r["name"] for r in wanted]).values_list("name", flat=True)
    )
    for fields in wanted:
        if fields["name"] not in present:
            try:
                create_alert_rule(**fields)
            except InvalidAlertRule as exc:
                raise ImproperlyConfigured(f"JOBS['ALERT_RULES'] {fields['name']!r}: {exc.message}") from exc


def active_alerts() -> QuerySet[Alert]:
    """Open incidents, newest first (what the dashboard shows)."""
    return Alert.objects.filter(resolved_at__isnull=True).select_related("rule").order_by("-started_at")
