"""Arguments checked against simple type hints (jobs.core.argument_types), no database needed."""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Literal, Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs.core.argument_types import check_argument_types, input_kind, mismatch
from jobs.exceptions import InvalidArguments

FITS = [
    (int, 3),
    (float, 3),
    (float, 2.5),
    (str, "x"),
    (bool, False),
    (list, [1, "a"]),
    (list[int], [1, 2]),
    (tuple[int, ...], [1, 2]),
    (tuple[int, str], [1, 2]),  # fixed-shape tuples are not checked
    (dict, {"a": 1}),
    (dict[str, float], {"a": 1, "b": 2.5}),
    (Optional[int], None),  # noqa: UP045 - the spelling the issue names
    (int | None, 4),
    (int | str, "x"),
    (Literal["a", "b"], "b"),
    (Literal[1, 2], 2),
    (Annotated[int, "meta"], 1),
    (Any, object()),
    (object, "anything"),
    ("SomeUnresolvedName", 1),
    (inspect.Parameter.empty, 1),
]
REFUSED = [
    (int, "3", "a whole number"),
    (int, True, "a whole number"),
    (int, 2.5, "a whole number"),
    (float, "2.5", "a number"),
    (float, False, "a number"),
    (str, 1, "a string"),
    (bool, 1, "true or false"),
    (list, {"a": 1}, "a list"),
    (list[int], [1, "2"], "a list of items that are each a whole number"),
    (dict, [1], "an object"),
    (dict[str, int], {"a": "1"}, "an object of items that are each a whole number"),
    (Optional[int], "x", "a whole number or null"),  # noqa: UP045
    (Literal["a", "b"], "c", "one of 'a', 'b'"),
    (Literal[1], True, "one of 1"),
]


@pytest.mark.parametrize(("hint", "value"), FITS)
def test_values_that_fit_their_hint_pass(hint, value):
    assert mismatch(hint, value) is None


@pytest.mark.parametrize(("hint", "value", "expected"), REFUSED)
def test_values_that_dont_fit_say_what_was_expected(hint, value, expected):
    assert mismatch(hint, value) == expected


def _signature(func) -> inspect.Signature:
    return inspect.signature(func, eval_str=True)


def example(a: int, b: float = 0, *rest: str, flag: bool = False, **more: int) -> None: ...


@pytest.mark.parametrize(
    ("args", "kwargs", "field", "text"),
    [
        (["1"], {}, "args", 'a must be a whole number, not "1"'),
        ([1, "x"], {}, "args", 'b must be a number, not "x"'),
        ([], {"a": 1, "b": [2]}, "kwargs", "b must be a number, not a list"),
        ([1, 2, "ok", 3], {}, "args", "rest[1] must be a string, not 3"),
        ([1], {"flag": "yes"}, "kwargs", 'flag must be true or false, not "yes"'),
        ([1], {"extra": 1.5}, "kwargs", "extra must be a whole number, not 1.5"),
    ],
)
def test_the_refusal_names_the_field_and_the_parameter(args, kwargs, field, text):
    with pytest.raises(InvalidArguments) as refused:
        check_argument_types(_signature(example), args, kwargs)
    assert refused.value.fields == {field: text}
    assert text in refused.value.message


def test_arguments_that_fit_pass():
    check_argument_types(_signature(example), [1, 2.5, "a", "b"], {"flag": True, "extra": 3})


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=10)


@given(JSON)
def test_any_json_value_is_either_accepted_or_refused_with_a_reason(value):
    for hint in (int, float, str, bool, list[int], dict[str, float], int | None, Literal["a"]):
        expected = mismatch(hint, value)
        assert expected is None or (isinstance(expected, str) and expected)


@pytest.mark.parametrize(
    ("hint", "kind"),
    [
        (int, {"input": "integer"}),
        (float, {"input": "number"}),
        (str | None, {"input": "string"}),
        (Annotated[bool, "x"], {"input": "boolean"}),
        (Literal["a", 1], {"input": "choice", "choices": ["a", 1]}),
        (list[int], {"input": "json"}),
        (int | str, {"input": "json"}),
        (inspect.Parameter.empty, {"input": "json"}),
    ],
)
def test_a_form_asks_for_each_hint_with_one_input_or_json(hint, kind):
    assert input_kind(hint) == kind
