"""How much one GraphQL request may ask for, from ``settings.JOBS_GRAPHQL``.

- ``MAX_DEPTH`` (default 8): deepest nesting of fields.
- ``MAX_FIRST`` (default 500): largest page a ``jobs(first:)`` may ask for.
- ``MAX_COST`` (default 20,000): estimated objects returned — each list field multiplies
  what is under it by its ``first``/``last`` (or a per-field default).
- ``GRAPHIQL`` and ``INTROSPECTION``: default to ``DEBUG``.
- ``INTROSPECTION_MAX_DEPTH`` (default 20): when introspection is on, its fields
  (``__schema``, ``__type``) don't count against ``MAX_DEPTH`` and ``MAX_COST``, which
  GraphiQL's own introspection query (depth 13) would exceed; this looser bound on their
  nesting alone keeps a hand-made ``fields { type { fields { … } } }`` query from
  growing without end.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from graphql import GraphQLError, ValidationRule
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, IntValueNode, VariableNode

DEFAULTS = {"MAX_DEPTH": 8, "MAX_FIRST": 500, "MAX_COST": 20_000, "INTROSPECTION_MAX_DEPTH": 20}
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
LIST_FIELDS = {
    "jobs": 20,
    "logs": 100,
    "edges": 1,
    "recurringJobs": 100,
    "queues": 3,
    "workers": 50,
    "tasks": 50,
    "alertRules": 100,
    "alerts": 100,
    "refused": 100,
    "deletedIds": 100,
    "events": 50,
    "eventTriggers": 500,
    "workflows": 50,
    "nodes": 100,
    "batches": 50,
}


def setting(name: str) -> Any:
    values = getattr(settings, "JOBS_GRAPHQL", {})
    if name in ("GRAPHIQL", "INTROSPECTION"):
        return values.get(name, settings.DEBUG)
    return values.get(name, DEFAULTS[name])


def check_first(first: int) -> None:
    """A ``first`` passed through a variable is only known at execution time."""
    if first < 0 or first > setting("MAX_FIRST"):
        raise GraphQLError(
            f"first must be between 0 and {setting('MAX_FIRST')}.", extensions={"code": "limit_exceeded"}
        )


class CostLimitRule(ValidationRule):
    """Refuses, before running anything, a query too deep or estimated too large."""

    def enter_operation_definition(self, node: Any, *_: Any) -> None:
        depth, cost = self._measure(node.selection_set, 1, 1, set())
        if depth > setting("MAX_DEPTH"):
            self.report_error(
                GraphQLError(f"Query depth {depth} exceeds the limit of {setting('MAX_DEPTH')}.", node)
            )
        if cost > setting("MAX_COST"):
            self.report_error(
                GraphQLError(f"Query cost {cost} exceeds the limit of {setting('MAX_COST')}.", node)
            )

    def _measure(self, selection_set: Any, depth: int, multiplier: int, seen: set[str]) -> tuple[int, int]:
        deepest, cost = depth - 1, 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.context.get_fragment(selection.name.value)
                if fragment is None or selection.name.value in seen:
                    continue
                inner = self._measure(
                    fragment.selection_set, depth, multiplier, seen | {selection.name.value}
                )
            elif isinstance(selection, InlineFragmentNode):
                inner = self._measure(selection.selection_set, depth, multiplier, seen)
            elif isinstance(selection, FieldNode):
                inner = self._field(selection, depth, multiplier, seen)
            else:
                continue
            deepest, cost = max(deepest, inner[0]), cost + inner[1]
        return deepest, cost

    def _field(self, field: FieldNode, depth: int, multiplier: int, seen: set[str]) -> tuple[int, int]:
        name = field.name.value
        if name in INTROSPECTION_FIELDS and setting("INTROSPECTION"):
            self._check_introspection(field, depth, seen)
            return depth, 0
        if name in LIST_FIELDS:
            multiplier *= self._size(field, LIST_FIELDS[name])
        if not field.selection_set:
            return depth, 0
        deepest, cost = self._measure(field.selection_set, depth + 1, multiplier, seen)
        return deepest, multiplier + cost

    def _check_introspection(self, field: FieldNode, depth: int, seen: set[str]) -> None:
        deepest = self._measure(field.selection_set, depth + 1, 1, seen)[0] - depth + 1
        if deepest > setting("INTROSPECTION_MAX_DEPTH"):
            self.report_error(
                GraphQLError(
                    f"Introspection depth {deepest} exceeds the limit of "
                    f"{setting('INTROSPECTION_MAX_DEPTH')}.",
                    field,
                )
            )

    def _size(self, field: FieldNode, default: int) -> int:
        for argument in field.arguments or ():
            if argument.name.value in ("first", "last"):
                if isinstance(argument.value, IntValueNode):
                    return max(int(argument.value.value), 1)
                if isinstance(argument.value, VariableNode):
                    return setting("MAX_FIRST")
        return default
