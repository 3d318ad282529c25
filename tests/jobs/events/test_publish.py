"""publish_event: one job per matching trigger, once per event id, nothing on rollback."""

from __future__ import annotations

import pytest
from django.db import transaction

from jobs.core.states import JobStatus
from jobs.exceptions import InvalidArguments, PayloadTooLarge, UnknownEvent, UnknownTask
from jobs.models import Event, EventDelivery, Job
from jobs.services.events import create_event_trigger, publish_event, why_job_ran

S = JobStatus
pytestmark = pytest.mark.django_db(transaction=True)
TRANSACTION = {"transaction_id": 1, "amount": 9.5, "description": "Farmers market"}


def test_a_code_trigger_runs_its_task_with_the_payload(burst_worker):
    event = publish_event("tests.transaction.created", TRANSACTION, event_id="tx-1")
    assert event.created
    burst_worker()
    (delivery,) = EventDelivery.objects.filter(event=event)
    job = Job.objects.get(pk=delivery.job_id)
    assert (job.task, job.status, job.result, job.source) == (
        "tests.events.categorise",
        S.SUCCEEDED,
        "groceries",
        "event",
    )
    assert job.kwargs == TRANSACTION
    assert why_job_ran(job)["event"] == event


def test_publishing_an_id_twice_creates_nothing_new():
    first = publish_event("tests.transaction.created", TRANSACTION, event_id="tx-2")
    again = publish_event("tests.transaction.created", {**TRANSACTION, "amount": 1}, event_id="tx-2")
    assert (again.pk, again.created, again.payload["amount"]) == (first.pk, False, 9.5)
    assert Event.objects.count() == 1 and Job.objects.count() == 1


def test_a_rolled_back_publish_leaves_nothing(burst_worker, redis):
    with pytest.raises(RuntimeError), transaction.atomic():
        publish_event("tests.transaction.created", TRANSACTION)
        assert Job.objects.count() == 1
        raise RuntimeError("roll back")
    assert (Event.objects.count(), Job.objects.count(), EventDelivery.objects.count()) == (0, 0, 0)
    burst_worker()
    assert not redis.keys("rq:job:*")


def test_each_matching_trigger_row_makes_one_job_mapped_onto_the_signature(burst_worker):
    create_event_trigger(
        {
            "event_name": "tests.order.placed",
            "task": "tests.events.ship",
            "mapping": {"order": "order.id", "express": "order.express"},
            "filter": {"order.country": "BR"},
        }
    )
    create_event_trigger(
        {"event_name": "tests.order.placed", "task": "tests.events.ship", "mapping": {"order": "order.id"}}
    )
    matching = publish_event("tests.order.placed", {"order": {"id": 4, "express": True, "country": "BR"}})
    elsewhere = publish_event("tests.order.placed", {"order": {"id": 5, "express": False, "country": "PT"}})
    burst_worker()
    assert sorted(d.job.result["express"] for d in matching.deliveries.select_related("job")) == [False, True]
    assert [d.job.result for d in elsewhere.deliveries.select_related("job")] == [
        {"order": 5, "express": False}
    ]


def test_a_payload_a_trigger_cant_use_refuses_the_whole_publish():
    create_event_trigger(
        {"event_name": "tests.order.placed", "task": "tests.events.ship", "mapping": {"order": "order.id"}}
    )
    with pytest.raises(InvalidArguments, match=r"no 'order\.id'"):
        publish_event("tests.order.placed", {"parcel": 1})
    with pytest.raises(InvalidArguments, match="categorise"):
        publish_event("tests.transaction.created", {"amount": 1})  # transaction_id missing
    assert (Event.objects.count(), Job.objects.count()) == (0, 0)


def test_bad_events_are_refused_and_change_nothing():
    with pytest.raises(UnknownEvent):
        publish_event("tests.nobody.listens", {})
    with pytest.raises(PayloadTooLarge):
        publish_event("tests.transaction.created", {**TRANSACTION, "description": "x" * 70_000})
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"event_name": "tests.nothing", "task": "tests.events.ship"}, UnknownEvent),
        ({"event_name": "tests.order.placed", "task": "nope.task"}, UnknownTask),
        (
            {"event_name": "tests.order.placed", "task": "tests.events.ship", "mapping": {"parcel": "id"}},
            InvalidArguments,
        ),
    ],
)
def test_bad_triggers_are_refused(fields, error):
    with pytest.raises(error):
        create_event_trigger(fields)


def test_event_published_is_sent_once_per_stored_event(burst_worker):
    from jobs import signals

    heard = []

    def listen(sender, event, jobs, **kwargs):
        heard.append((event.event_id, [job.task for job in jobs]))

    signals.event_published.connect(listen)
    try:
        publish_event("tests.transaction.created", TRANSACTION, event_id="sig-1")
        publish_event("tests.transaction.created", TRANSACTION, event_id="sig-1")
    finally:
        signals.event_published.disconnect(listen)
    assert heard == [("sig-1", ["tests.events.categorise"])]
