"""The state machine as data: every transition and every refused one."""

import pytest

from jobs.core.states import (
    CANCELLABLE,
    RETRYABLE,
    STARTABLE,
    TERMINAL,
    TRANSITIONS,
    JobStatus,
    can_transition,
)

S = JobStatus

ALLOWED = {
    (S.SCHEDULED, S.QUEUED),
    (S.SCHEDULED, S.STARTED),
    (S.SCHEDULED, S.CANCELLED),
    (S.DEFERRED, S.QUEUED),
    (S.DEFERRED, S.STARTED),
    (S.DEFERRED, S.FAILED),
    (S.DEFERRED, S.CANCELLED),
    (S.QUEUED, S.STARTED),
    (S.QUEUED, S.CANCELLED),
    (S.STARTED, S.SUCCEEDED),
    (S.STARTED, S.FAILED),
    (S.STARTED, S.SCHEDULED),
    (S.STARTED, S.CANCELLED),
    (S.FAILED, S.QUEUED),
    (S.FAILED, S.DEFERRED),
    (S.CANCELLED, S.QUEUED),
    (S.CANCELLED, S.DEFERRED),
}


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_pair_is_allowed_or_refused_as_documented(source, target):
    assert can_transition(source, target) is ((source, target) in ALLOWED)


def test_every_state_has_an_entry():
    assert set(TRANSITIONS) == set(S)


def test_terminal_states_leave_only_by_a_retry():
    assert {S.SUCCEEDED, S.FAILED, S.CANCELLED} == TERMINAL
    assert TRANSITIONS[S.SUCCEEDED] == frozenset()
    assert {S.FAILED, S.CANCELLED} == RETRYABLE


def test_derived_sets():
    assert {S.SCHEDULED, S.DEFERRED, S.QUEUED} == STARTABLE
    assert {S.SCHEDULED, S.DEFERRED, S.QUEUED, S.STARTED} == CANCELLABLE
