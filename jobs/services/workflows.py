"""Workflows: schedule one, add to it from a running member, retry and cancel it or a node.

``schedule_workflow(chain(step("a"), group(step("b"), step("c")), step("d")))`` or the
same as JSON (see :func:`jobs.core.workflows.from_json`). The database holds the graph
and advances it as members end (:mod:`jobs.engine.workflows`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from jobs.core import workflows as rules
from jobs.core.states import TERMINAL
from jobs.engine import workflows as engine
from jobs.exceptions import InvalidTransition, InvalidWorkflow
from jobs.models import Workflow, WorkflowNode
from jobs.models.workflows import NodeOutcome, get_workflow
from jobs.services.jobs import cancel_job, retry_job


def schedule_workflow(
    definition: Any, *, name: str = "", policy: str = "fail_rest", user: Any = None, via: str = "code"
) -> Workflow:
    """Check a composition and start it: the nodes that wait for nothing run on commit.

    Raises:
        InvalidWorkflow (shape, cycle, size, policy), UnknownTask (a step or callback
        not registered), InvalidArguments, PayloadTooLarge, UnknownQueue.
    """
    rules.check_policy(policy)
    if not isinstance(name, str) or len(name) > 200:
        raise InvalidWorkflow(
            "A workflow's name is text of at most 200 characters.", fields={"name": "invalid"}
        )
    nodes = rules.compile_workflow(definition)
    return engine.create_workflow(nodes, name=name, policy=policy, user=user, via=via)


def add_to_workflow(context: Any, task: str, *args: Any, **kwargs: Any) -> WorkflowNode:
    """From inside a running member (its ``context``): run one more step in its workflow,
    now; whatever waits for this member waits for the new step too.

    Raises:
        InvalidTransition (not a running member), UnknownTask, InvalidArguments.
    """
    job_id = getattr(context, "job_id", context)
    node = rules.compile_workflow(rules.step(task, *args, **kwargs))[0]
    return engine.add_child(job_id, node)


def workflows(status: str | None = None) -> QuerySet[Workflow]:
    queryset = Workflow.objects.all()
    return queryset.filter(status=status) if status else queryset


def workflow_nodes(workflow: Workflow) -> list[WorkflowNode]:
    """The nodes in key order, each with its job (one query)."""
    return list(workflow.nodes.select_related("job").order_by("key"))


def cancel_workflow(workflow_id: Any, *, user: Any = None, via: str = "code") -> Workflow:
    """Cancel a running workflow: no node starts any more, every unfinished member is cancelled.

    Raises: WorkflowNotFound, InvalidTransition (already ended).
    """
    workflow = get_workflow(workflow_id)
    with transaction.atomic():
        for job in engine.cancel(workflow):
            cancel_job(job.pk, user=user, via=via)
    workflow.refresh_from_db()
    return workflow


def cancel_workflow_node(workflow_id: Any, key: Any, *, user: Any = None, via: str = "code") -> Workflow:
    """Cancel one node: its running or waiting job, or (not started yet) the node itself.

    Raises: WorkflowNotFound, InvalidTransition (the node has finished), InvalidWorkflow (no such node).
    """
    workflow = get_workflow(workflow_id)
    node = _node(workflow, key)
    if node.job_id is not None:
        cancel_job(node.job_id, user=user, via=via)
    else:
        engine.skip_node(workflow, node.key)
    workflow.refresh_from_db()
    return workflow


def retry_workflow_node(workflow_id: Any, key: Any, *, user: Any = None, via: str = "code") -> Workflow:
    """Retry a failed node's job; the workflow resumes from there.

    Raises: WorkflowNotFound, InvalidWorkflow (no such node), InvalidTransition (not failed).
    """
    workflow = get_workflow(workflow_id)
    return _retry(workflow, [_node(workflow, key)], user, via)


def retry_workflow(workflow_id: Any, *, user: Any = None, via: str = "code") -> Workflow:
    """Retry every failed or cancelled member; skipped nodes get their chance again.

    Raises: WorkflowNotFound, InvalidTransition (nothing failed).
    """
    workflow = get_workflow(workflow_id)
    failed = [node for node in workflow_nodes(workflow) if _retryable(node)]
    if not failed:
        raise InvalidTransition(f"Workflow {workflow.pk} has no failed or cancelled member to retry.")
    return _retry(workflow, failed, user, via)


def _retryable(node: WorkflowNode) -> bool:
    return node.outcome == NodeOutcome.FAILED and node.job is not None and node.job.status in TERMINAL


def _retry(workflow: Workflow, nodes: Sequence[WorkflowNode], user: Any, via: str) -> Workflow:
    for node in nodes:
        if not _retryable(node):
            raise InvalidTransition(
                f"Node {node.key} ({node.label or node.task}) has not failed; nothing to retry."
            )
    with transaction.atomic():
        engine.reopen(workflow, [node.key for node in nodes])
        for node in nodes:
            retry_job(node.job_id, user=user, via=via)
    workflow.refresh_from_db()
    return workflow


def _node(workflow: Workflow, key: Any) -> WorkflowNode:
    try:
        return workflow.nodes.select_related("job").get(key=int(str(key)))
    except (ValueError, WorkflowNode.DoesNotExist):
        raise InvalidWorkflow(
            f"Workflow {workflow.pk} has no node {str(key)[:20]!r}.", fields={"node": "unknown"}
        ) from None


def describe(workflow: Workflow) -> Mapping[str, Any]:
    """Counts of the nodes per state, for lists and pages."""
    counts: dict[str, int] = {}
    for node in workflow_nodes(workflow):
        state = node_state(node)
        counts[state] = counts.get(state, 0) + 1
    return counts


def node_state(node: WorkflowNode) -> str:
    """What a person sees for a node: its job's status; without one pending, skipped, or
    cancelled (a person cancelled it before it started)."""
    if node.job is not None:
        return node.job.status
    if node.job_id is not None:
        return "deleted"
    if node.outcome == NodeOutcome.FAILED:
        return "cancelled"
    return "skipped" if node.outcome == NodeOutcome.SKIPPED else "pending"
