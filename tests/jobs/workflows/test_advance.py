"""Workflows advanced from the database as members end (in-process worker, real Redis)."""

from __future__ import annotations

import pytest

from jobs.core.states import JobStatus
from jobs.core.workflows import chain, chord, group, step
from jobs.exceptions import InvalidTransition
from jobs.models import Job, Workflow
from jobs.services.workflows import (
    cancel_workflow,
    cancel_workflow_node,
    node_state,
    retry_workflow,
    retry_workflow_node,
    schedule_workflow,
    workflow_nodes,
)

S = JobStatus
pytestmark = pytest.mark.django_db(transaction=True)


def states(workflow):
    return [node_state(node) for node in workflow_nodes(workflow)]


def results(workflow):
    return [node.job.result if node.job else None for node in workflow_nodes(workflow)]


def test_a_chain_passes_results_along(burst_worker):
    workflow = schedule_workflow(
        chain(step("tests.add", 1, 2), step("tests.wf.double"), step("tests.wf.double"), pass_results=True)
    )
    assert states(workflow) == ["queued", "pending", "pending"]
    burst_worker()
    workflow.refresh_from_db()
    assert (workflow.status, results(workflow)) == ("succeeded", [3, 6, 12])


def test_a_chord_callback_runs_once_after_every_member(burst_worker):
    workflow = schedule_workflow(
        chord(
            group(*(step("tests.add", n, n) for n in range(4))), step("tests.wf.collect"), pass_results=True
        )
    )
    burst_worker()
    nodes = workflow_nodes(workflow)
    callback = nodes[-1].job
    assert callback.result == [0, 2, 4, 6]
    assert all(node.job.finished_at <= callback.started_at for node in nodes[:-1])
    assert Job.objects.filter(task="tests.wf.collect").count() == 1


def test_composition_nests(burst_worker):
    workflow = schedule_workflow(
        group(
            chain(
                step("tests.add", 1, 1),
                group(step("tests.wf.double"), step("tests.wf.double")),
                step("tests.wf.total"),
                pass_results=True,
            ),
            step("tests.wf.mark", "side"),
        )
    )
    burst_worker()
    workflow.refresh_from_db()
    assert workflow.status == "succeeded" and results(workflow) == [2, 4, 4, 8, "side"]


def test_a_member_adds_children_and_the_callback_waits_for_them(burst_worker):
    workflow = schedule_workflow(
        chord(
            group(step("tests.wf.spawn", 3), step("tests.add", 1, 1)),
            step("tests.wf.collect"),
            pass_results=True,
        )
    )
    burst_worker()
    nodes = workflow_nodes(workflow)
    children = [n for n in nodes if n.added_by == 0]
    assert len(children) == 3 and all(n.job.status == S.SUCCEEDED for n in children)
    callback = next(n for n in nodes if n.task == "tests.wf.collect")
    assert callback.job.result == [3, 2, 0, 1, 2]
    assert all(child.job.finished_at <= callback.job.started_at for child in children)


def failing_chord(on="success"):
    return chord(
        group(
            step("tests.fail", "boom"),
            chain(step("tests.add", 1, 1), step("tests.wf.double"), pass_results=True),
        ),
        step("tests.wf.total"),
        on=on,
        pass_results=True,
    )


def test_fail_rest_skips_what_has_not_started(burst_worker):
    workflow = schedule_workflow(
        chain(step("tests.fail", "boom"), step("tests.wf.mark", "never")), policy="fail_rest"
    )
    burst_worker()
    workflow.refresh_from_db()
    assert (workflow.status, states(workflow)) == ("failed", ["failed", "skipped"])


def test_continue_runs_the_other_branches_and_skips_the_dependants(burst_worker):
    workflow = schedule_workflow(
        group(
            chain(step("tests.fail", "x"), step("tests.wf.mark", "after")),
            chain(step("tests.wf.mark", "a"), step("tests.wf.mark", "b")),
        ),
        policy="continue",
    )
    burst_worker()
    workflow.refresh_from_db()
    assert (workflow.status, states(workflow)) == ("failed", ["failed", "skipped", "succeeded", "succeeded"])


def test_ignore_treats_a_failure_as_a_success(burst_worker):
    workflow = schedule_workflow(failing_chord(), policy="ignore")
    burst_worker()
    workflow.refresh_from_db()
    assert workflow.status == "succeeded"
    assert results(workflow)[-1] == 4  # total of [None, 4]


def test_a_failure_callback_runs_only_when_something_failed(burst_worker):
    failed = schedule_workflow(failing_chord(on="failure"), policy="continue")
    clean = schedule_workflow(
        chord(group(step("tests.add", 1, 1)), step("tests.wf.total"), on="failure", pass_results=True)
    )
    burst_worker()
    assert states(failed)[-1] == "succeeded" and states(clean)[-1] == "skipped"
    always = schedule_workflow(failing_chord(on="always"), policy="fail_rest")
    burst_worker()
    assert states(always)[-1] == "succeeded"


def test_retrying_a_failed_member_resumes_the_workflow(burst_worker):
    workflow = schedule_workflow(
        chain(step("tests.flaky", 1), step("tests.wf.mark", "then"), pass_results=False)
    )
    first = workflow_nodes(workflow)[0].job
    Job.objects.filter(pk=first.pk).update(max_attempts=1)
    burst_worker()
    workflow.refresh_from_db()
    assert (workflow.status, states(workflow)) == ("failed", ["failed", "skipped"])
    with pytest.raises(InvalidTransition):
        retry_workflow_node(workflow.pk, 1)
    retry_workflow_node(workflow.pk, 0)
    assert Workflow.objects.get(pk=workflow.pk).status == "running"
    burst_worker()
    workflow.refresh_from_db()
    assert (workflow.status, results(workflow)) == ("succeeded", [2, "then"])


def test_retry_workflow_retries_every_failed_member(burst_worker):
    workflow = schedule_workflow(
        chord(group(step("tests.flaky", 1), step("tests.flaky", 1)), step("tests.wf.mark", "end")),
        policy="continue",
    )
    Job.objects.filter(workflow=workflow).update(max_attempts=1)
    burst_worker()
    assert states(workflow) == ["failed", "failed", "skipped"]
    retry_workflow(workflow.pk)
    burst_worker()
    workflow.refresh_from_db()
    assert (workflow.status, states(workflow)) == ("succeeded", ["succeeded"] * 3)


def test_cancelling_a_workflow_cancels_what_has_not_finished(burst_worker):
    workflow = schedule_workflow(
        chain(group(step("tests.add", 1, 1), step("tests.add", 2, 2)), step("tests.wf.mark", "x"))
    )
    cancel_workflow(workflow.pk)
    workflow.refresh_from_db()
    assert (workflow.status, states(workflow)) == ("cancelled", ["cancelled", "cancelled", "skipped"])
    assert workflow.finished_at is not None
    burst_worker()
    assert states(workflow) == ["cancelled", "cancelled", "skipped"]
    with pytest.raises(InvalidTransition):
        cancel_workflow(workflow.pk)


def test_cancelling_a_pending_node_skips_it_and_what_waits_on_it(burst_worker):
    workflow = schedule_workflow(
        group(
            chain(step("tests.add", 1, 1), step("tests.wf.mark", "x"), step("tests.wf.mark", "y")),
            step("tests.noop"),
        )
    )
    cancel_workflow_node(workflow.pk, 1)
    burst_worker()
    workflow.refresh_from_db()
    assert (workflow.status, states(workflow)) == (
        "failed",
        ["succeeded", "cancelled", "skipped", "succeeded"],
    )


def test_workflow_finished_is_sent_once(burst_worker):
    from jobs import signals

    heard = []

    def listen(sender, workflow, status, **kwargs):
        heard.append(status)

    signals.workflow_finished.connect(listen)
    try:
        schedule_workflow(chain(step("tests.add", 1, 2), step("tests.noop")))
        burst_worker()
    finally:
        signals.workflow_finished.disconnect(listen)
    assert heard == ["succeeded"]
