"""Bad limits are refused: at registration, in settings (system checks), as values."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs import task
from jobs.checks import check_flow_settings
from jobs.core import flow
from jobs.exceptions import TaskConfigurationError


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"concurrency": 0}, "above 0"),
        ({"concurrency": -3}, "above 0"),
        ({"concurrency": 2.5}, "whole number"),
        ({"rate_limit": "0/s"}, "above 0"),
        ({"rate_limit": "10"}, "form"),
        ({"rate_limit": {"max": 10}}, "needs a duration"),
        ({"rate_limit": {"max": 10, "duration": 0}}, "above 0"),
        ({"concurrency": 2, "concurrency_key": "account"}, "not a parameter"),
        ({"unique_key": "nope"}, "not a parameter"),
        ({"unique_for": 0}, "above 0"),
        ({"concurrency_key": "a"}, "needs a concurrency"),
        ({"breaker": ""}, "1 to 100 characters"),
    ],
)
def test_bad_task_options_are_refused_at_registration(options, message):
    with pytest.raises(TaskConfigurationError, match=message):

        @task(name="tests.flow.bad", **options)
        def bad(a: int) -> None:
            """Never registered."""


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("100/m", flow.Rate(100, 60)),
        ("20/s", flow.Rate(20, 1)),
        ("5/10s", flow.Rate(5, 10)),
        ("1/h", flow.Rate(1, 3600)),
    ],
)
def test_rates_parse(text, rate):
    assert flow.parse_rate(text) == rate


@given(st.integers(max_value=0), st.floats(allow_nan=False, allow_infinity=False, max_value=0))
def test_no_rate_at_or_below_zero_is_accepted(count, duration):
    for value in ({"max": count, "duration": 1}, {"max": 1, "duration": duration}):
        with pytest.raises(TaskConfigurationError):
            flow.parse_rate(value)


def test_system_checks_name_bad_queue_limits_and_breakers(settings):
    settings.JOBS = {
        **settings.JOBS,
        "FLOW_QUEUES": {
            "nowhere": {"concurrency": 1},
            "low": {"concurrency": 0},
            "high": {"rate_limit": "5"},
        },
        "FLOW_BREAKERS": {
            "b1": {"threshold": 0},
            "b2": {"ignore": ["no.such.Error"]},
            "b3": {"ignore": ["os.path"]},
        },
    }
    messages = {(m.id, m.msg.split(":")[0]) for m in check_flow_settings()}
    assert ("jobs.E020", "JOBS['FLOW_QUEUES']['nowhere']") in messages
    assert ("jobs.E021", "JOBS['FLOW_QUEUES']['low']") in messages
    assert ("jobs.E021", "JOBS['FLOW_QUEUES']['high']") in messages
    assert ("jobs.E022", "JOBS['FLOW_BREAKERS']['b1']") in messages
    assert ("jobs.E023", "JOBS['FLOW_BREAKERS']['b2']") in messages
    assert ("jobs.E023", "JOBS['FLOW_BREAKERS']['b3']") in messages


def test_the_suites_own_flow_settings_pass_the_checks():
    assert check_flow_settings() == []
