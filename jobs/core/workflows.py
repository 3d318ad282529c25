"""Workflows as data: steps composed with ``chain``, ``group`` and ``chord``, or a graph.

Composition reads like the problem, in Celery's words::

    chain(step("reports.collect", day), group(step("reports.render", "pdf"),
          step("reports.render", "csv")), step("reports.mail"), pass_results=True)
    chord(group(*(step("images.resize", i) for i in ids)), step("albums.publish"), on="always")

Any of them nests in any other. :func:`compile_workflow` turns a composition into a flat
list of :class:`Node` specs, each naming the nodes it waits for (``after``), when it
runs (``run_on``: once every node it waits for has *succeeded*, once one has *failed*,
or *always*) and whether it receives their results as its first argument
(``pass_result``: none, the one predecessor's result, or the list of all of them).
Compositions can't make a cycle; an explicit :class:`Graph` can, and is refused.

Every task is checked against the registry and every step's arguments against its
signature (with the passed result in front) before anything is written.

Failure policies, chosen per workflow (``policy=``):

* ``fail_rest`` (default) — the first failure fails the workflow: nodes not started yet
  are skipped and queued ones cancelled, except callbacks that run on failure or always;
  what is running finishes.
* ``continue`` — only what waits on the failed node (on success) is skipped; every
  other branch runs to its end; the workflow ends failed.
* ``ignore`` — a failure counts as a success for what waits on it (it receives
  ``None`` as that result); the workflow ends succeeded.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jobs.core import validation
from jobs.exceptions import InvalidWorkflow, JobsError

RUN_ON = ("success", "failure", "always")
POLICIES = ("fail_rest", "continue", "ignore")
PASS_NONE, PASS_ONE, PASS_ALL = "none", "one", "all"
MAX_NODES = 10_000
"""Most nodes one workflow may have (a batch of more is :func:`schedule_batch`'s job)."""


@dataclass(frozen=True)
class Step:
    """One task to run, with its arguments."""

    task: str
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    queue: str | None = None
    max_attempts: int | None = None


@dataclass(frozen=True)
class Chain:
    items: tuple
    pass_results: bool = False


@dataclass(frozen=True)
class Group:
    items: tuple


@dataclass(frozen=True)
class Chord:
    header: Any
    callback: Any
    on: str = "success"
    pass_results: bool = False


@dataclass(frozen=True)
class Graph:
    """Named steps and, per name, the names it waits for: the one form that can cycle."""

    steps: Mapping[str, Step]
    after: Mapping[str, Sequence[str]] = field(default_factory=dict)
    run_on: Mapping[str, str] = field(default_factory=dict)


Composition = Step | Chain | Group | Chord | Graph


def step(
    task: str, *args: Any, queue: str | None = None, max_attempts: int | None = None, **kwargs: Any
) -> Step:
    """A step: ``step("demo.add", 1, 2)``."""
    return Step(task, tuple(args), dict(kwargs), queue, max_attempts)


def chain(*items: Any, pass_results: bool = False) -> Chain:
    """Each item after the previous one has finished; with ``pass_results`` each gets
    the previous item's result (a list of results after a group) as its first argument."""
    return Chain(tuple(items), pass_results)


def group(*items: Any) -> Group:
    """Items that run side by side."""
    return Group(tuple(items))


def chord(header: Any, callback: Any, *, on: str = "success", pass_results: bool = False) -> Chord:
    """``callback`` once every item of ``header`` is done, on success, failure or always;
    with ``pass_results`` it gets the list of their results first."""
    return Chord(header, callback, on, pass_results)


@dataclass
class Node:
    """One node of a compiled workflow; ``key`` is its position, ``after`` are keys."""

    key: int
    task: str
    args: list
    kwargs: dict
    label: str = ""
    queue: str | None = None
    max_attempts: int | None = None
    after: list[int] = field(default_factory=list)
    run_on: str = "success"
    pass_result: str = PASS_NONE


class _Builder:
    def __init__(self) -> None:
        self.nodes: list[Node] = []

    def add(self, item: Any, depth: int = 0) -> tuple[list[int], list[int]]:
        """Add ``item``'s nodes; return its entry keys and its exit keys."""
        if depth > 50:
            raise InvalidWorkflow("The workflow nests deeper than 50 levels.")
        if isinstance(item, str):
            item = Step(item)
        if isinstance(item, Step):
            return self._step(item, item.task)
        if isinstance(item, Group):
            return self._group(item, depth)
        if isinstance(item, Chain):
            return self._chain(item.items, item.pass_results, depth)
        if isinstance(item, Chord):
            return self._chord(item, depth)
        if isinstance(item, Graph):
            return self._graph(item)
        raise InvalidWorkflow(f"{type(item).__name__} is not a step, chain, group, chord or graph.")

    def _step(self, item: Step, label: str) -> tuple[list[int], list[int]]:
        if len(self.nodes) >= MAX_NODES:
            raise InvalidWorkflow(f"A workflow has at most {MAX_NODES} nodes.")
        node = Node(
            len(self.nodes),
            item.task,
            list(item.args),
            dict(item.kwargs),
            label,
            item.queue,
            item.max_attempts,
        )
        self.nodes.append(node)
        return [node.key], [node.key]

    def _group(self, item: Group, depth: int) -> tuple[list[int], list[int]]:
        if not item.items:
            raise InvalidWorkflow("A group needs at least one item.")
        entries: list[int] = []
        exits: list[int] = []
        for member in item.items:
            first, last = self.add(member, depth + 1)
            entries += first
            exits += last
        return entries, exits

    def _chain(self, items: Sequence[Any], pass_results: bool, depth: int) -> tuple[list[int], list[int]]:
        if not items:
            raise InvalidWorkflow("A chain needs at least one item.")
        entries, exits = self.add(items[0], depth + 1)
        for previous, item in itertools.pairwise(items):
            first, last = self.add(item, depth + 1)
            single = len(exits) == 1 and not isinstance(previous, Group)
            self._link(exits, first, (PASS_ONE if single else PASS_ALL) if pass_results else PASS_NONE)
            exits = last
        return entries, exits

    def _chord(self, item: Chord, depth: int) -> tuple[list[int], list[int]]:
        if item.on not in RUN_ON:
            raise InvalidWorkflow(f"A chord runs its callback on {', '.join(RUN_ON)}, not {item.on!r}.")
        entries, exits = self.add(item.header, depth + 1)
        first, last = self.add(item.callback, depth + 1)
        self._link(exits, first, PASS_ALL if item.pass_results else PASS_NONE)
        for key in first:
            self.nodes[key].run_on = item.on
        return entries, last

    def _link(self, before: list[int], after: list[int], mode: str) -> None:
        for key in after:
            self.nodes[key].after += before
            if mode != PASS_NONE:
                self.nodes[key].pass_result = mode

    def _graph(self, item: Graph) -> tuple[list[int], list[int]]:
        if not item.steps:
            raise InvalidWorkflow("A graph needs at least one step.")
        keys = {name: self._step(spec, name)[0][0] for name, spec in item.steps.items()}
        for name, before in item.after.items():
            for other in [name, *before]:
                if other not in keys:
                    raise InvalidWorkflow(f"The graph has no step {other!r}.", fields={"after": other})
            self.nodes[keys[name]].after += [keys[other] for other in before]
        for name, run_on in item.run_on.items():
            if name not in keys or run_on not in RUN_ON:
                raise InvalidWorkflow(f"Step {name!r} can't run on {run_on!r}.", fields={"run_on": name})
            self.nodes[keys[name]].run_on = run_on
        check_acyclic(self.nodes)
        waited_for = {key for node in self.nodes for key in node.after}
        mine = sorted(keys.values())
        return [k for k in mine if not self.nodes[k].after], [k for k in mine if k not in waited_for]


def check_acyclic(nodes: Sequence[Node]) -> None:
    """Raises: InvalidWorkflow naming a node on a cycle (Kahn's algorithm)."""
    waiting = {node.key: len(set(node.after)) for node in nodes}
    successors: dict[int, list[int]] = {node.key: [] for node in nodes}
    for node in nodes:
        for before in set(node.after):
            successors[before].append(node.key)
    ready = [key for key, count in waiting.items() if count == 0]
    while ready:
        for successor in successors[ready.pop()]:
            waiting[successor] -= 1
            if waiting[successor] == 0:
                ready.append(successor)
    stuck = [key for key, count in waiting.items() if count > 0]
    if stuck:
        label = nodes[stuck[0]].label or nodes[stuck[0]].task
        raise InvalidWorkflow(f"The workflow has a cycle through {label!r}.", fields={"after": "cycle"})


def compile_workflow(definition: Any) -> list[Node]:
    """The nodes of a composition (or its JSON form), checked against the registry.

    Raises:
        InvalidWorkflow (shape, cycle, size), UnknownTask, InvalidArguments, PayloadTooLarge.
    """
    if isinstance(definition, Mapping):
        definition = from_json(definition)
    builder = _Builder()
    builder.add(definition)
    for node in builder.nodes:
        node.after = sorted(set(node.after))
        _check_node(node)
    return builder.nodes


def _passed_stand_in(node: Node, summary: bool) -> tuple[list, int]:
    """What the run passes in front of a step's arguments, as far as scheduling knows it:
    a batch summary is an object and a group's results a list; one result could be anything."""
    if node.pass_result == PASS_NONE:
        return [], 0
    if summary:
        return [{}], 0
    if node.pass_result == PASS_ALL:
        return [[]], 0
    return [None], 1


def _check_node(node: Node, summary: bool = False) -> None:
    try:
        task = validation.resolve_task(node.task)
        passed, unknown = _passed_stand_in(node, summary)
        args, node.kwargs = validation.check_arguments(
            task, [*passed, *node.args], node.kwargs, unknown=unknown
        )
        node.args = args[len(passed) :]
        node.task = task.name
    except JobsError as exc:
        exc.message = f"Step {node.label or node.task!r}: {exc.message}"
        exc.args = (exc.message,)
        raise


def check_policy(policy: Any) -> str:
    """Raises: InvalidWorkflow for a failure policy not in :data:`POLICIES`."""
    if policy not in POLICIES:
        raise InvalidWorkflow(
            f"Unknown failure policy {policy!r}; use one of {', '.join(POLICIES)}.",
            fields={"policy": "unknown"},
        )
    return policy


def from_json(data: Any) -> Composition:
    """A composition from JSON: ``{"task": …, "args": […], "kwargs": {…}}``,
    ``{"chain": […], "pass_results": bool}``, ``{"group": […]}``,
    ``{"chord": {"header": …, "callback": …, "on": …, "pass_results": bool}}`` or
    ``{"graph": {name: {"task": …, "after": [names], "on": …}}}``.

    Raises:
        InvalidWorkflow: for any other shape.
    """
    if isinstance(data, str):
        return Step(data)
    if not isinstance(data, Mapping):
        raise InvalidWorkflow("Each item of a workflow is an object (task, chain, group, chord or graph).")
    if "task" in data:
        return _step_from_json(data)
    if "chain" in data:
        return Chain(tuple(from_json(item) for item in _items(data, "chain")), bool(data.get("pass_results")))
    if "group" in data:
        return Group(tuple(from_json(item) for item in _items(data, "group")))
    if "chord" in data and isinstance(data["chord"], Mapping):
        spec = data["chord"]
        if "header" not in spec or "callback" not in spec:
            raise InvalidWorkflow("A chord has a header and a callback.")
        header = (
            Group(tuple(from_json(i) for i in spec["header"]))
            if isinstance(spec["header"], list)
            else from_json(spec["header"])
        )
        return Chord(
            header,
            from_json(spec["callback"]),
            str(spec.get("on", "success")),
            bool(spec.get("pass_results")),
        )
    if "graph" in data and isinstance(data["graph"], Mapping):
        nodes = data["graph"]
        steps = {str(name): _step_from_json(spec) for name, spec in nodes.items()}
        after = {
            str(name): [str(n) for n in _list(spec.get("after", []), "after")] for name, spec in nodes.items()
        }
        run_on = {str(name): str(spec["on"]) for name, spec in nodes.items() if "on" in spec}
        return Graph(steps, after, run_on)
    raise InvalidWorkflow("Each item of a workflow has one of task, chain, group, chord or graph.")


def _items(data: Mapping[str, Any], key: str) -> list:
    return _list(data[key], key)


def _list(value: Any, key: str) -> list:
    if not isinstance(value, list):
        raise InvalidWorkflow(f"{key} takes a list.", fields={key: "not a list"})
    return value


def _step_from_json(data: Any) -> Step:
    if not isinstance(data, Mapping) or not isinstance(data.get("task"), str):
        raise InvalidWorkflow("A step is an object with a task name.", fields={"task": "missing"})
    args = data.get("args") or []
    if not isinstance(args, list):
        raise InvalidWorkflow("A step's args is a list.", fields={"args": "not a list"})
    kwargs = data.get("kwargs") or {}
    return Step(data["task"], tuple(args), kwargs, data.get("queue"), data.get("max_attempts"))


def check_callback(spec: Any) -> dict[str, Any] | None:
    """A batch callback (a step, a task name or its JSON) checked with the batch summary
    passed in front of its arguments; returned as JSON for the Batch row.

    Raises:
        InvalidWorkflow, UnknownTask, InvalidArguments.
    """
    if spec is None:
        return None
    item = from_json(spec) if isinstance(spec, Mapping | str) else spec
    if not isinstance(item, Step):
        raise InvalidWorkflow(
            "A batch callback is one step (a task with arguments).", fields={"callback": "not a step"}
        )
    node = Node(0, item.task, list(item.args), dict(item.kwargs), item.task, pass_result=PASS_ONE)
    _check_node(node, summary=True)
    return {"task": node.task, "args": node.args, "kwargs": node.kwargs}


def layout(predecessors: Mapping[int, Sequence[int]]) -> dict[int, tuple[int, int]]:
    """A column (longest path from a root) and a row for each node, to draw the graph.

    Raises: InvalidWorkflow for a cycle (a stored workflow never has one).
    """
    columns: dict[int, int] = {}
    for key in sorted(predecessors):
        stack = [key]
        while stack:
            current = stack[-1]
            pending = [p for p in predecessors.get(current, ()) if p not in columns]
            if len(stack) > len(predecessors) + 1:
                raise InvalidWorkflow("The workflow has a cycle.")
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            columns[current] = 1 + max((columns[p] for p in predecessors.get(current, ())), default=-1)
    rows: dict[int, int] = {}
    positions = {}
    for key in sorted(predecessors):
        column = columns[key]
        positions[key] = (column, rows.get(column, 0))
        rows[column] = rows.get(column, 0) + 1
    return positions
