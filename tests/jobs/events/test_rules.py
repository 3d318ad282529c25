"""Event names, filters and payload mappings (jobs.core.events): pure rules, no database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs.core import events as rules
from jobs.core.registry import get_task
from jobs.exceptions import InvalidArguments, InvalidEvent, PayloadTooLarge, UnknownEvent


@pytest.mark.parametrize("name", ["", "Transaction.Created", "a..b", ".a", "a b", "x" * 101, None, 3])
def test_bad_names_are_refused(name):
    with pytest.raises(InvalidEvent):
        rules.check_name(name)


def test_code_triggers_and_declarations_make_names_known():
    known = rules.known_events()
    assert "tests.transaction.created" in known
    assert "tests.order.placed" in known
    assert [t.name for t in rules.code_triggers("tests.transaction.created")] == ["tests.events.categorise"]


def test_an_undeclared_name_is_unknown():
    with pytest.raises(UnknownEvent, match=r"tests\.transaction\.crated"):
        rules.check_known("tests.transaction.crated")


def test_filter_needs_every_path_equal():
    payload = {"account": {"id": 7, "kind": "card"}, "amount": 10}
    assert rules.matches(payload, {"account.kind": "card", "amount": 10})
    assert not rules.matches(payload, {"account.kind": "cash"})
    assert not rules.matches(payload, {"account.missing": None})
    assert rules.matches(payload, {})


def test_mapping_binds_to_the_signature():
    ship = get_task("tests.events.ship")
    assert rules.check_mapping(ship, {"order": "order.id"}) == {"order": "order.id"}
    with pytest.raises(InvalidArguments, match="doesn't bind"):
        rules.check_mapping(ship, {"parcel": "order.id"})
    with pytest.raises(InvalidArguments, match="doesn't bind"):
        rules.check_mapping(ship, {"express": "fast"})  # order is required
    with pytest.raises(InvalidArguments, match="parameter name"):
        rules.check_mapping(ship, {"order": 3})


def test_arguments_follow_the_mapping_or_take_the_payload():
    payload = {"order": {"id": 5, "fast": True}}
    assert rules.arguments(payload, {"order": "order.id", "express": "order.fast"}) == {
        "order": 5,
        "express": True,
    }
    assert rules.arguments({"order": 1}, {}) == {"order": 1}
    assert rules.arguments(payload, {"order": ""}) == {"order": payload}
    with pytest.raises(InvalidArguments, match=r"no 'order\.missing'"):
        rules.arguments(payload, {"order": "order.missing"})


def test_payload_must_be_an_object_under_the_limit(settings):
    with pytest.raises(InvalidEvent):
        rules.check_payload([1, 2])
    with pytest.raises(InvalidEvent):
        rules.check_payload({"x": float("nan")})
    with pytest.raises(PayloadTooLarge):
        rules.check_payload({"blob": "x" * 70_000})


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=5))
def test_a_payload_always_matches_its_own_items(payload):
    flat = {key: value for key, value in payload.items() if key and "." not in key}
    assert rules.matches(payload, flat)


def test_a_code_trigger_with_positional_only_parameters_is_a_check_error():
    from jobs.checks import check_event_triggers
    from jobs.core import registry

    def handler(order, /):
        return order

    registry.task(handler, name="tests.events.positional", on_event="tests.order.placed")
    try:
        errors = check_event_triggers()
    finally:
        registry._registry.pop("tests.events.positional")
    assert [(e.id, e.obj) for e in errors] == [("jobs.E030", "tests.events.positional")]
    assert check_event_triggers() == []
