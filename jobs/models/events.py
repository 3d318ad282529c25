"""Events, the triggers that subscribe tasks to them, and which job each trigger made.

An :class:`Event` is stored once per ``event_id`` (a unique key: publishing the same id
again creates nothing). Each trigger that matched it made one job, recorded as an
:class:`EventDelivery` whose ``(event, trigger_key)`` is unique, so even two processes
publishing the same event at once make one job per trigger.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.core import events as rules
from jobs.exceptions import EventNotFound, EventTriggerNotFound, JobsError


def new_event_id() -> str:
    return uuid.uuid4().hex


class Event(models.Model):
    event_id = models.CharField(_("event id"), max_length=200, unique=True, default=new_event_id)
    name = models.CharField(max_length=rules.MAX_NAME)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=50, default="code")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at"], name="event_created"),
            models.Index(fields=["name", "-created_at"], name="event_name_created"),
        ]
        permissions = [("publish_event", _("Can publish events"))]

    def __str__(self) -> str:
        return f"{self.name} ({self.event_id})"


class EventTrigger(models.Model):
    """An admin-editable subscription: events of ``event_name`` matching ``filter`` run ``task``."""

    event_name = models.CharField(_("event name"), max_length=rules.MAX_NAME)
    task = models.CharField(max_length=200)
    filter = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Payload path → value; every one must match. Empty: every event."),
    )
    mapping = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            "Parameter → payload path (dotted; empty path = the whole payload). Empty: the payload's keys."
        ),
    )
    queue = models.CharField(max_length=100, blank=True, help_text=_("Empty: the task's queue."))
    enabled = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event_name", "id"]
        indexes = [models.Index(fields=["event_name", "enabled"], name="eventtrigger_name")]

    def __str__(self) -> str:
        return f"{self.event_name} → {self.task}"

    @property
    def key(self) -> str:
        return f"trigger:{self.pk}"

    def clean(self) -> None:
        """The event must be known, the task registered, the mapping bind to its signature."""
        try:
            self.task, self.filter, self.mapping = rules.check_trigger(
                self.event_name, self.task, self.filter, self.mapping, self.queue
            )
        except JobsError as exc:
            fields = {_FORM_FIELDS.get(name, name): exc.message for name in exc.fields or {}}
            raise ValidationError(fields or exc.message) from exc


_FORM_FIELDS = {"name": "event_name", "args": "mapping"}


class EventDelivery(models.Model):
    """One trigger's job for one event: at most one per (event, trigger)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    trigger_key = models.CharField(
        max_length=250, help_text=_("task:<name> for code triggers, trigger:<id> for rows.")
    )
    trigger = models.ForeignKey(
        EventTrigger, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.OneToOneField(
        "Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="event_delivery"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "trigger_key"], name="eventdelivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.trigger_key}"


def get_event(event_id: object) -> Event:
    """By its ``event_id`` (or its numeric pk). Raises: EventNotFound."""
    text = str(event_id)[:200]
    found = Event.objects.filter(event_id=text).first()
    if found is None and text.isdigit():
        found = Event.objects.filter(pk=int(text)).first()
    if found is None:
        raise EventNotFound(f"No event with id {text[:64]!r}.")
    return found


def get_trigger(trigger_id: object) -> EventTrigger:
    """Raises: EventTriggerNotFound."""
    try:
        return EventTrigger.objects.get(pk=int(str(trigger_id)))
    except (ValueError, EventTrigger.DoesNotExist):
        raise EventTriggerNotFound(f"No event trigger with id {str(trigger_id)[:64]!r}.") from None
