"""Advancing workflows from the database, once per node, whatever Redis forgets.

When a member job ends (:func:`job_finished`, hooked to the job signals by
:func:`connect`), its node *settles*: a compare-and-set on ``settled`` inside a
transaction that first takes the workflow's row lock (an ``UPDATE``, which locks the row
on PostgreSQL and the database on SQLite), so two workers finishing members at once
advance the workflow one after the other. Settling counts the node off its
successors' ``waiting``; a successor whose count reaches zero is started (its Job is
created and, on commit, enqueued) or skipped by its ``run_on`` and the policy, and a
skipped node settles in turn. A node's Job is attached with a conditional update, so
a callback is created once even when a worker dies mid-chord and the sweep
(:func:`settle_stragglers`, a housekeeping duty) settles what a dead process left.

Nothing waits in Redis for a node that has no job yet, so a Redis flush loses nothing
reconcile can't put back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jobs import signals
from jobs.core.states import TERMINAL, JobStatus
from jobs.core.workflows import PASS_NONE, PASS_ONE, Node
from jobs.engine import batches, housekeeping
from jobs.engine.creation import create_job
from jobs.exceptions import InvalidTransition, JobsError
from jobs.models import Job, Workflow, WorkflowNode
from jobs.models.workflows import NodeOutcome, WorkflowStatus

logger = logging.getLogger("jobs.workflows")
S = JobStatus
N = NodeOutcome
W = WorkflowStatus


def create_workflow(
    nodes: list[Node], *, name: str = "", policy: str, user: Any = None, via: str = "code"
) -> Workflow:
    """Save a compiled workflow and start the nodes that wait for nothing."""
    created_by = user if getattr(user, "is_authenticated", False) else None
    successors: dict[int, list[int]] = {node.key: [] for node in nodes}
    for node in nodes:
        for before in node.after:
            successors[before].append(node.key)
    with transaction.atomic():
        workflow = Workflow.objects.create(
            name=name, policy=policy, unsettled=len(nodes), created_by=created_by, source=via
        )
        WorkflowNode.objects.bulk_create(
            WorkflowNode(
                workflow=workflow,
                key=node.key,
                label=node.label[:200],
                task=node.task,
                args=node.args,
                kwargs=node.kwargs,
                queue=node.queue or "",
                max_attempts=node.max_attempts,
                predecessors=node.after,
                successors=successors[node.key],
                run_on=node.run_on,
                pass_result=node.pass_result,
                waiting=len(node.after),
            )
            for node in nodes
        )
        _advance(
            workflow, _rows(workflow, [node.key for node in nodes if not node.after]), user=user, via=via
        )
    return workflow


def _rows(workflow: Workflow, keys: Iterable[int]) -> list[WorkflowNode]:
    return list(WorkflowNode.objects.filter(workflow=workflow, key__in=list(keys)).order_by("key"))


def lock(workflow_id: Any) -> Workflow:
    """Take the workflow's row lock for the rest of the transaction and read it."""
    Workflow.objects.filter(pk=workflow_id).update(unsettled=F("unsettled"))
    return Workflow.objects.get(pk=workflow_id)


def job_finished(job: Job) -> None:
    """Settle the node of a workflow member that reached a terminal state."""
    if job.workflow_id is None:
        return
    with transaction.atomic():
        workflow = lock(job.workflow_id)
        node = WorkflowNode.objects.filter(job_id=job.pk, settled=False).first()
        status = Job.objects.filter(pk=job.pk).values_list("status", flat=True).first()
        if node is None or status not in TERMINAL:
            return
        _advance(workflow, [], settle=[(node, N.SUCCEEDED if status == S.SUCCEEDED else N.FAILED)])


def _advance(
    workflow: Workflow,
    ready: list[WorkflowNode],
    *,
    settle: list[tuple[WorkflowNode, str]] = (),
    user: Any = None,
    via: str = "code",
) -> None:
    """Start or skip ``ready`` nodes and settle ``settle`` ones until nothing more moves."""
    pending = list(settle)
    for node in ready:
        pending += _start_or_skip(workflow, node, user, via)
    while pending:
        node, outcome = pending.pop()
        for successor in _settle(workflow, node, outcome):
            pending += _start_or_skip(workflow, successor, user, via)
    _finish_if_done(workflow)


def _settle(workflow: Workflow, node: WorkflowNode, outcome: str) -> list[WorkflowNode]:
    """Mark the node settled (once) and count it off its successors; return the ready ones."""
    if not WorkflowNode.objects.filter(pk=node.pk, settled=False).update(settled=True, outcome=outcome):
        return []
    bad = outcome == N.SKIPPED or (outcome == N.FAILED and workflow.policy != "ignore")
    if outcome == N.FAILED and workflow.policy == "fail_rest" and not workflow.failing:
        workflow.failing = True
        Workflow.objects.filter(pk=workflow.pk).update(failing=True)
    Workflow.objects.filter(pk=workflow.pk).update(unsettled=F("unsettled") - 1)
    successors = WorkflowNode.objects.filter(workflow=workflow, key__in=node.successors)
    successors.update(waiting=F("waiting") - 1, failed_before=F("failed_before") + int(bad))
    return list(successors.filter(waiting=0, settled=False, job__isnull=True).order_by("key"))


def _should_run(workflow: Workflow, node: WorkflowNode) -> bool:
    if workflow.status == W.CANCELLED:
        return False
    if node.run_on == "always":
        return True
    if node.run_on == "failure":
        return node.failed_before > 0
    return node.failed_before == 0 and not workflow.failing


def _start_or_skip(
    workflow: Workflow, node: WorkflowNode, user: Any, via: str
) -> list[tuple[WorkflowNode, str]]:
    """Create the node's job, or say it settles as skipped (or failed, if it can't be made)."""
    if not _should_run(workflow, node):
        return [(node, N.SKIPPED)]
    try:
        job = create_job(
            node.task,
            args=[*_passed(node), *node.args],
            kwargs=node.kwargs,
            queue=node.queue or None,
            max_attempts=node.max_attempts,
            user=user,
            via=via,
            source="workflow",
        )
    except JobsError as exc:
        logger.warning("workflow_id=%s node=%s could not start: %s", workflow.pk, node.key, exc.message)
        return [(node, N.FAILED)]
    Job.objects.filter(pk=job.pk).update(workflow=workflow)
    if not WorkflowNode.objects.filter(pk=node.pk, job__isnull=True).update(job=job):
        raise InvalidTransition(f"Node {node.key} of workflow {workflow.pk} already has its job.")
    return []


def _passed(node: WorkflowNode) -> list[Any]:
    """The predecessors' results the node receives as its first argument, if any."""
    if node.pass_result == PASS_NONE or not node.predecessors:
        return []
    found = dict(
        WorkflowNode.objects.filter(workflow_id=node.workflow_id, key__in=node.predecessors).values_list(
            "key", "job__result"
        )
    )
    results = [found.get(key) for key in node.predecessors]
    return [results[0]] if node.pass_result == PASS_ONE else [results]


def _finish_if_done(workflow: Workflow, now: datetime | None = None) -> None:
    current = Workflow.objects.get(pk=workflow.pk)
    if current.unsettled > 0 or current.finished_at is not None:
        return
    if current.status == W.CANCELLED:
        if Workflow.objects.filter(pk=workflow.pk, finished_at__isnull=True).update(
            finished_at=now or timezone.now()
        ):
            _announce(current, W.CANCELLED)
        return
    failed = workflow.policy != "ignore" and current.nodes.filter(outcome=N.FAILED).exists()
    status = W.FAILED if failed else W.SUCCEEDED
    if Workflow.objects.filter(pk=workflow.pk, status=W.RUNNING, unsettled=0).update(
        status=status, finished_at=now or timezone.now()
    ):
        logger.info("workflow_id=%s event=%s", workflow.pk, status)
        _announce(current, status)


def _announce(workflow: Workflow, status: str) -> None:
    transaction.on_commit(lambda: signals.send(signals.workflow_finished, workflow=workflow, status=status))


def add_child(parent_job_id: Any, node: Node, *, via: str = "code") -> WorkflowNode:
    """A running member adds a node to its own workflow: it starts now, and whatever
    waits for the member waits for it too (a chord's callback included, rq#1419).

    Raises:
        InvalidTransition: the job isn't a running, unsettled member of a workflow.
    """
    parent_job = Job.objects.filter(pk=parent_job_id).first()
    if parent_job is None or parent_job.workflow_id is None:
        raise InvalidTransition(f"Job {str(parent_job_id)[:64]} is not a member of a workflow.")
    with transaction.atomic():
        workflow = lock(parent_job.workflow_id)
        parent = WorkflowNode.objects.filter(job_id=parent_job.pk, settled=False).first()
        if parent is None or workflow.status != W.RUNNING:
            raise InvalidTransition("Only a member that hasn't finished can add to its running workflow.")
        key = (workflow.nodes.order_by("-key").values_list("key", flat=True).first() or 0) + 1
        child = WorkflowNode.objects.create(
            workflow=workflow,
            key=key,
            label=node.label[:200],
            task=node.task,
            args=node.args,
            kwargs=node.kwargs,
            queue=node.queue or "",
            max_attempts=node.max_attempts,
            successors=list(parent.successors),
            added_by=parent.key,
        )
        for successor in workflow.nodes.filter(key__in=parent.successors):
            successor.predecessors = [*successor.predecessors, key]
            successor.waiting += 1
            successor.save(update_fields=["predecessors", "waiting"])
        Workflow.objects.filter(pk=workflow.pk).update(unsettled=F("unsettled") + 1)
        _advance(workflow, [child], via=via)
    child.refresh_from_db()
    return child


def cancel(workflow: Workflow, now: datetime | None = None) -> list[Job]:
    """Mark a running workflow cancelled and skip every node without a job yet.

    Returns the member jobs that haven't finished, for the caller to cancel.
    Raises: InvalidTransition when it has already ended.
    """
    with transaction.atomic():
        current = lock(workflow.pk)
        if not Workflow.objects.filter(pk=workflow.pk, status=W.RUNNING).update(status=W.CANCELLED):
            raise InvalidTransition(f"Workflow {workflow.pk} is {current.status} and can't be cancelled.")
        skipped = current.nodes.filter(settled=False, job__isnull=True).update(
            settled=True, outcome=N.SKIPPED
        )
        Workflow.objects.filter(pk=workflow.pk).update(unsettled=F("unsettled") - skipped)
        unfinished = list(Job.objects.filter(workflow=workflow).exclude(status__in=TERMINAL))
        if not unfinished:
            Workflow.objects.filter(pk=workflow.pk).update(finished_at=now or timezone.now())
    return unfinished


def skip_node(workflow: Workflow, node_key: int) -> None:
    """Cancel a node that has no job yet: it settles as failed (like a cancelled member
    job), and what waits on it follows the policy.

    Raises: InvalidTransition when the node has already started or settled.
    """
    with transaction.atomic():
        current = lock(workflow.pk)
        node = current.nodes.filter(key=node_key, settled=False, job__isnull=True).first()
        if node is None:
            raise InvalidTransition(f"Node {node_key} has started or finished; cancel its job instead.")
        _advance(current, [], settle=[(node, N.FAILED)])


def reopen(workflow: Workflow, keys: Iterable[int]) -> None:
    """Before retrying the jobs of ``keys``: unsettle them and every skipped node, recount,
    and start what is ready again, so the workflow resumes where it failed."""
    with transaction.atomic():
        current = lock(workflow.pk)
        nodes = {node.key: node for node in current.nodes.all()}
        for key in keys:
            nodes[key].settled, nodes[key].outcome = False, N.PENDING
        for node in nodes.values():
            if node.outcome == N.SKIPPED and node.job_id is None:
                node.settled, node.outcome = False, N.PENDING
        ready = _recount(current, nodes)
        Workflow.objects.filter(pk=current.pk).update(
            status=W.RUNNING,
            failing=False,
            finished_at=None,
            unsettled=sum(not node.settled for node in nodes.values()),
        )
        current.refresh_from_db()
        _advance(current, [node for node in ready if node.key not in set(keys)])


def _recount(workflow: Workflow, nodes: dict[int, WorkflowNode]) -> list[WorkflowNode]:
    ready = []
    for node in nodes.values():
        if node.settled:
            continue
        before = [nodes[key] for key in node.predecessors]
        node.waiting = sum(not other.settled for other in before)
        node.failed_before = sum(
            other.settled
            and (other.outcome == N.SKIPPED or (other.outcome == N.FAILED and workflow.policy != "ignore"))
            for other in before
        )
        node.save(update_fields=["settled", "outcome", "waiting", "failed_before"])
        if node.waiting == 0 and node.job_id is None:
            ready.append(node)
    return ready


def settle_stragglers(now: datetime | None = None, redis: Any = None) -> int:
    """Housekeeping: settle members that ended while nothing heard (a process died), and
    count a member whose job was deleted as failed, so its workflow doesn't wait forever."""
    stragglers = list(
        Job.objects.filter(workflow_node__settled=False, status__in=TERMINAL).only("id", "workflow_id")[:200]
    )
    for job in stragglers:
        job_finished(job)
    orphans = WorkflowNode.objects.filter(
        settled=False, waiting=0, job__isnull=True, workflow__status=W.RUNNING
    ).values_list("workflow_id", "key")[:200]
    for workflow_id, key in list(orphans):
        with transaction.atomic():
            workflow = lock(workflow_id)
            node = workflow.nodes.filter(key=key, settled=False, job__isnull=True).first()
            if node is not None:
                _advance(workflow, [], settle=[(node, N.FAILED)])
    return len(stragglers) + len(orphans)


def _on_signal(sender: Any, job: Job, **kwargs: Any) -> None:
    if job.workflow_id is not None:
        job_finished(job)
    if job.batch_id is not None:
        batches.member_finished(job.batch_id)


def connect() -> None:
    """Hear every job that ends, and sweep for what a dead process left unsettled."""
    for signal in (signals.job_succeeded, signals.job_failed, signals.job_cancelled):
        signal.connect(_on_signal, dispatch_uid=f"jobs.workflows.{id(signal)}")
    housekeeping.add_duty("workflows", settle_stragglers)
    housekeeping.add_duty("batches", batches.complete_stragglers)
