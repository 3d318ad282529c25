"""JSON arguments checked against a task's simple type hints, before anything is written.

What is checked, parameter by parameter (``*args`` and ``**kwargs`` item by item):

- ``int`` (a whole JSON number, never ``true``/``false``), ``float`` (any number),
  ``str``, ``bool``, ``None``;
- ``list`` / ``list[X]`` (and ``tuple`` / ``tuple[X, ...]``, which arrive as JSON lists),
  ``dict`` / ``dict[str, X]``, each item against ``X``;
- ``Optional[X]``, ``X | Y``, ``Literal[...]`` (value and type: ``1`` is not ``True``),
  ``Annotated[X, ...]`` as ``X``.

Anything else — ``Any``, a class of your own, a dataclass, a hint left as a string that
can't be resolved — is not checked: JSON can't carry those objects, and the task gets
what was sent. Python would accept ``demo.add("a", "b")`` and return ``"ab"``; a job is
refused instead, with the parameter named.
"""

from __future__ import annotations

import inspect
import json
import types
import typing
from typing import Any

from jobs.exceptions import InvalidArguments

_SIMPLE: dict[Any, str] = {
    int: "a whole number",
    float: "a number",
    str: "a string",
    bool: "true or false",
    type(None): "null",
    list: "a list",
    tuple: "a list",
    dict: "an object",
}


def check_argument_types(signature: inspect.Signature, args: list, kwargs: dict, unknown: int = 0) -> None:
    """Raises InvalidArguments naming the first parameter whose value doesn't fit its hint.

    The first ``unknown`` positional values are stand-ins for what only the run will
    know (a workflow step's passed result): their shape is bound, their type isn't checked.
    """
    bound = signature.bind(*args, **kwargs)
    for position, (name, value) in enumerate(bound.arguments.items()):
        if position < unknown:
            continue
        parameter = signature.parameters[name]
        field = "args" if position < len(args) and parameter.kind != parameter.KEYWORD_ONLY else "kwargs"
        if parameter.kind == parameter.VAR_POSITIONAL:
            items = [(f"{name}[{index}]", item) for index, item in enumerate(value)]
            field = "args"
        elif parameter.kind == parameter.VAR_KEYWORD:
            items = [(key, item) for key, item in value.items()]
            field = "kwargs"
        else:
            items = [(name, value)]
        for label, item in items:
            expected = mismatch(parameter.annotation, item)
            if expected:
                problem = f"{label} must be {expected}, not {_describe(item)}"
                raise InvalidArguments(f"Arguments don't fit the task: {problem}.", fields={field: problem})


def mismatch(hint: Any, value: Any) -> str | None:
    """What ``value`` should have been for ``hint``, or None when it fits (or isn't checked)."""
    if hint is inspect.Parameter.empty or hint is Any or isinstance(hint, str):
        return None
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return mismatch(typing.get_args(hint)[0], value)
    if origin is typing.Union or origin is types.UnionType:
        expected = [mismatch(arm, value) for arm in typing.get_args(hint)]
        return None if None in expected else " or ".join(dict.fromkeys(expected))
    if origin is typing.Literal:
        choices = typing.get_args(hint)
        if any(value == choice and type(value) is type(choice) for choice in choices):
            return None
        return "one of " + ", ".join(repr(choice) for choice in choices)
    if origin in (list, tuple, dict):
        return _container(origin, typing.get_args(hint), value)
    if hint in _SIMPLE:
        return None if _is(hint, value) else _SIMPLE[hint]
    return None


def _is(kind: Any, value: Any) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is tuple:
        return isinstance(value, list | tuple)
    if kind is type(None):
        return value is None
    return isinstance(value, kind)


def _container(origin: Any, parameters: tuple[Any, ...], value: Any) -> str | None:
    if not _is(origin, value):
        return _SIMPLE[origin]
    if origin is dict:
        item_hint = parameters[1] if len(parameters) == 2 else Any
        items = list(value.values())
    else:
        homogeneous = origin is list or (len(parameters) == 2 and parameters[1] is Ellipsis)
        if parameters and not homogeneous:
            return None  # fixed-shape tuples are not checked
        item_hint = parameters[0] if parameters else Any
        items = list(value)
    for item in items:
        expected = mismatch(item_hint, item)
        if expected:
            return f"{_SIMPLE[origin]} of items that are each {expected}"
    return None


def _describe(value: Any) -> str:
    """The value as the caller wrote it in JSON (short), or its kind for a list or object."""
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return json.dumps(value)[:60]


def input_kind(hint: Any) -> dict[str, Any]:
    """How a form asks for a value of this hint: one input of a kind, else JSON.

    ``{"input": "integer" | "number" | "string" | "boolean" | "json"}``, or
    ``{"input": "choice", "choices": [...]}`` for a ``Literal``; ``Optional[X]`` asks for
    an ``X`` (left empty, the parameter keeps its default).
    """
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return input_kind(typing.get_args(hint)[0])
    if origin is typing.Union or origin is types.UnionType:
        arms = [arm for arm in typing.get_args(hint) if arm is not type(None)]
        return input_kind(arms[0]) if len(arms) == 1 else {"input": "json"}
    if origin is typing.Literal:
        return {"input": "choice", "choices": list(typing.get_args(hint))}
    simple = {int: "integer", float: "number", str: "string", bool: "boolean"}
    return {"input": simple.get(hint, "json")}
