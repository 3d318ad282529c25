"""The task registry: defaults, back-off arithmetic, the allow-list."""

import random

import pytest

from jobs import Backoff, task
from jobs.core.registry import get_task, task_names
from jobs.exceptions import InvalidArguments, TaskConfigurationError, UnknownTask


@pytest.mark.parametrize(
    ("backoff", "delays"),
    [
        (Backoff("fixed", initial=60), [60, 60, 60, 60]),
        (Backoff("linear", initial=5, max_delay=30), [5, 10, 15, 20, 25, 30, 30]),
        (Backoff("exponential", initial=0.5, max_delay=5), [0.5, 1, 2, 4, 5, 5]),
    ],
)
def test_backoff_strategies(backoff, delays):
    assert [backoff.delay(attempt) for attempt in range(1, len(delays) + 1)] == delays


def test_jitter_stays_within_its_fraction():
    backoff = Backoff("fixed", initial=10, jitter=0.2)
    rng = random.Random(7)
    samples = [backoff.delay(1, rng=rng) for _ in range(200)]
    assert min(samples) >= 8 and max(samples) <= 12
    assert len(set(samples)) > 100


@pytest.mark.parametrize(
    "options",
    [
        {"max_attempts": 0},
        {"timeout": 0},
        {"backoff": None, "name": "bad.strategy", "_strategy": "quadratic"},
        {"backoff": None, "name": "bad.jitter", "_jitter": 2},
    ],
)
def test_impossible_task_options_are_refused_at_import(options):
    options = dict(options)
    strategy = options.pop("_strategy", None)
    jitter = options.pop("_jitter", None)
    with pytest.raises(TaskConfigurationError):
        if strategy:
            Backoff(strategy)
        elif jitter:
            Backoff(jitter=jitter)
        else:
            task(name="bad.options", **options)(lambda: None)


def test_a_name_belongs_to_one_function():
    with pytest.raises(TaskConfigurationError, match="already taken"):
        task(name="tests.add")(lambda a, b: a - b)


def test_unknown_names_are_not_tasks():
    assert "tests.add" in task_names()
    with pytest.raises(UnknownTask, match=r"os\.system"):
        get_task("os.system")


def test_arguments_are_checked_against_the_signature():
    add = get_task("tests.add")
    add.bind([1, 2], {})
    with pytest.raises(InvalidArguments, match="missing a required argument"):
        add.bind([1], {})
    with pytest.raises(InvalidArguments):
        add.bind([1, 2], {"c": 3})


def test_context_parameter_is_hidden_from_callers():
    sleep = get_task("tests.sleep")
    assert str(sleep.signature) == "(seconds: float) -> float"
    assert sleep.describe()["parameters"][0]["name"] == "seconds"
