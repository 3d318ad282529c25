"""``JSON``: any JSON value, sent and returned as itself — never JSON encoded inside a string.

A job's ``args: [1, "push"]``, its ``kwargs`` and ``result``, a recurring job's
``schedule``: clients write them as GraphQL literals or variables and read them back as
values. Anything JSON can't hold (an enum literal, NaN or an infinity, an object key
that isn't a string) is refused with GraphQL's own "invalid value" error, before a
resolver runs; what the value must look like (args a list…) is the services' rule.
"""

from __future__ import annotations

import math
from typing import Any

import graphene
from graphql import GraphQLError
from graphql.language import (
    BooleanValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    print_ast,
)


def check_json(value: Any) -> Any:
    """``value`` itself if JSON can hold it (walked without recursion, so any depth is safe).

    Raises:
        GraphQLError naming what JSON can't hold.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if not all(isinstance(key, str) for key in item):
                raise GraphQLError("JSON object keys must be strings.")
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise GraphQLError(f"{item} is not a JSON number.")
        elif item is not None and not isinstance(item, str | int | float | bool):
            raise GraphQLError(f"A {type(item).__name__} is not a JSON value.")
    return value


def literal_value(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
    """The Python value of a GraphQL literal written as JSON (variables inside it allowed).

    Raises:
        GraphQLError for an enum literal or anything else JSON has no spelling for.
    """
    if isinstance(node, NullValueNode):
        return None
    if isinstance(node, StringValueNode | BooleanValueNode):
        return node.value
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, FloatValueNode):
        return check_json(float(node.value))
    if isinstance(node, ListValueNode):
        return [literal_value(item, variables) for item in node.values]
    if isinstance(node, ObjectValueNode):
        return {field.name.value: literal_value(field.value, variables) for field in node.fields}
    if isinstance(node, VariableNode):
        return check_json((variables or {}).get(node.name.value))
    raise GraphQLError(f"{print_ast(node)} is not a JSON value; quote strings.", node)


class JSON(graphene.Scalar):
    """Any JSON value: an object, an array, a string, a number, a boolean or null."""

    @staticmethod
    def serialize(value: Any) -> Any:
        return value

    @staticmethod
    def parse_value(value: Any) -> Any:
        return check_json(value)

    @staticmethod
    def parse_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> Any:
        return literal_value(node, _variables)
