"""Publishing events, and the triggers that turn them into jobs.

:func:`publish_event` stores the event and, in the same transaction, one job per
matching trigger (code triggers first, by task name, then trigger rows by id): the
jobs reach Redis on commit, so a publish inside a transaction that rolls back leaves
nothing. The event's id is a unique key: publishing it again returns the stored event
and creates nothing (``event.created`` says which happened). A trigger whose job can't
be built from the payload (a missing path, arguments that don't fit) refuses the whole
publish, which then changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from jobs import signals
from jobs.core import events as rules
from jobs.core.rules import is_storable_text
from jobs.engine.creation import create_job
from jobs.exceptions import InvalidEvent, JobsError
from jobs.models import Event, EventDelivery, EventTrigger
from jobs.models.events import get_event, get_trigger

TRIGGER_FIELDS = ("event_name", "task", "filter", "mapping", "queue", "enabled", "description")


@dataclass(frozen=True)
class _Plan:
    key: str
    task: str
    kwargs: dict
    queue: str | None
    trigger: EventTrigger | None


def publish_event(
    name: str,
    payload: Mapping[str, Any] | None = None,
    *,
    event_id: str | None = None,
    user: Any = None,
    via: str = "code",
) -> Event:
    """Store an event and create one job per matching trigger, on commit; once per id.

    Raises:
        InvalidEvent, UnknownEvent, PayloadTooLarge, InvalidArguments (a trigger's job
        doesn't fit the payload), UnknownTask, UnknownQueue.
    """
    rules.check_known(name)
    payload = rules.check_payload({} if payload is None else payload)
    event_id = _check_event_id(event_id)
    created_by = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = Event.objects.create(
                    name=name,
                    payload=payload,
                    created_by=created_by,
                    source=via,
                    **({"event_id": event_id} if event_id else {}),
                )
        except IntegrityError:
            existing = get_event(event_id)
            existing.created = False
            return existing
        made = [_deliver(event, plan, user, via) for plan in _plans(name, payload)]
        transaction.on_commit(lambda: signals.send(signals.event_published, event=event, jobs=made))
    event.created = True
    return event


def _check_event_id(event_id: Any) -> str | None:
    if event_id is None or event_id == "":
        return None
    if not isinstance(event_id, str) or len(event_id) > 200 or not is_storable_text(event_id):
        raise InvalidEvent("An event id is text of at most 200 characters.", fields={"event_id": "invalid"})
    return event_id


def _plans(name: str, payload: dict[str, Any]) -> list[_Plan]:
    plans = [
        _Plan(f"task:{task.name}", task.name, rules.arguments(payload, None), None, None)
        for task in rules.code_triggers(name)
    ]
    for trigger in EventTrigger.objects.filter(event_name=name, enabled=True).order_by("id"):
        if rules.matches(payload, trigger.filter):
            plans.append(
                _Plan(
                    trigger.key,
                    trigger.task,
                    rules.arguments(payload, trigger.mapping),
                    trigger.queue or None,
                    trigger,
                )
            )
    return plans


def _deliver(event: Event, plan: _Plan, user: Any, via: str) -> Any:
    try:
        job = create_job(
            plan.task,
            kwargs=plan.kwargs,
            queue=plan.queue,
            user=user,
            via=via,
            source="event",
            correlation_id=event.event_id,
        )
    except JobsError as exc:
        exc.message = f"Trigger {plan.key} ({plan.task}): {exc.message}"
        exc.args = (exc.message,)
        raise
    EventDelivery.objects.create(event=event, trigger_key=plan.key, trigger=plan.trigger, job=job)
    return job


def events(name: str | None = None) -> QuerySet[Event]:
    """Events, newest first, optionally of one name."""
    queryset = Event.objects.select_related("created_by")
    return queryset.filter(name=name) if name else queryset


def event_jobs(event: Event) -> list[Any]:
    """The jobs an event created, with the trigger each came from."""
    return list(event.deliveries.select_related("job", "trigger").order_by("id"))


def why_job_ran(job: Any) -> dict[str, Any]:
    """The event, workflow node and batch behind a job (each None when there is none)."""
    delivery = EventDelivery.objects.filter(job_id=job.pk).select_related("event").first()
    node = getattr(job, "workflow_node", None) if job.workflow_id else None
    return {
        "event": delivery.event if delivery else None,
        "delivery": delivery,
        "node": node,
        "batch": job.batch if job.batch_id else None,
    }


def create_event_trigger(fields: Mapping[str, Any], *, user: Any = None) -> EventTrigger:
    """Raises: InvalidEvent, UnknownEvent, UnknownTask, InvalidArguments, UnknownQueue."""
    trigger = EventTrigger(**_trigger_fields(fields))
    _validate(trigger)
    trigger.save()
    return trigger


def update_event_trigger(trigger_id: Any, fields: Mapping[str, Any], *, user: Any = None) -> EventTrigger:
    """Raises: EventTriggerNotFound and :func:`create_event_trigger`'s refusals."""
    trigger = get_trigger(trigger_id)
    for name, value in _trigger_fields(fields).items():
        setattr(trigger, name, value)
    _validate(trigger)
    trigger.save()
    return trigger


def delete_event_trigger(trigger_id: Any, *, user: Any = None, via: str = "code") -> EventTrigger:
    """Raises: EventTriggerNotFound."""
    trigger = get_trigger(trigger_id)
    trigger.delete()
    return trigger


def _trigger_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(TRIGGER_FIELDS)
    if unknown:
        raise InvalidEvent(
            f"Unknown trigger fields: {', '.join(sorted(unknown))}.", fields={n: "unknown" for n in unknown}
        )
    values = dict(fields)
    for text in ("queue", "description"):
        if values.get(text) is None and text in values:
            values[text] = ""
    return values


def _validate(trigger: EventTrigger) -> None:
    """The rules of :meth:`EventTrigger.clean`, raised as the services' refusals."""
    trigger.task, trigger.filter, trigger.mapping = rules.check_trigger(
        trigger.event_name, trigger.task, trigger.filter, trigger.mapping, trigger.queue
    )
    if not isinstance(trigger.enabled, bool):
        raise InvalidEvent("enabled is true or false.", fields={"enabled": "not a boolean"})
