"""Workflows against real worker processes: a Redis flush mid-workflow, a worker killed mid-chord."""

from __future__ import annotations

import psutil

from jobs.core.states import JobStatus
from jobs.core.workflows import chain, chord, group, step
from jobs.engine.workflows import settle_stragglers
from jobs.models import Job, Workflow
from jobs.services.workflows import schedule_workflow, workflow_nodes
from tests.conftest import wait_for

S = JobStatus


def _status(workflow) -> str:
    return Workflow.objects.values_list("status", flat=True).get(pk=workflow.pk)


def _node_status(workflow, key) -> str | None:
    node = workflow_nodes(workflow)[key]
    return node.job.status if node.job else None


def test_a_redis_flush_mid_workflow_loses_nothing(processes, redis):
    workflow = schedule_workflow(
        chain(
            step("tests.wf.nap", 1.5, 1),
            step("tests.wf.double"),
            group(step("tests.wf.double"), step("tests.wf.double")),
            step("tests.wf.collect"),
            pass_results=True,
        )
    )
    redis.flushdb()  # the first node's queued copy is gone before any worker saw it
    processes.start("jobs_reconcile", "--grace", "0", name="reconcile").wait(timeout=60)
    processes.worker("normal")
    wait_for(lambda: _node_status(workflow, 0) == S.STARTED, timeout=30, message="first node running")
    redis.flushdb()  # and again while it runs: the rest of the workflow lives in the database
    wait_for(
        lambda: _status(workflow) != "running", timeout=60, message=f"workflow ended\n{processes.logs()}"
    )
    nodes = workflow_nodes(workflow)
    assert _status(workflow) == "succeeded"
    assert [node.job.result for node in nodes] == [1, 2, 4, 4, [4, 4]]


def test_a_worker_killed_mid_chord_still_runs_the_callback_exactly_once(processes, redis):
    quick = {"JOBS_WORKER_LOST_AFTER": "3", "JOBS_JOB_MONITORING_INTERVAL": "1"}
    workflow = schedule_workflow(
        chord(
            group(
                step("tests.wf.slow_retried", 4, 1),
                step("tests.wf.slow_retried", 4, 2),
                step("tests.add", 1, 2),
            ),
            step("tests.wf.collect"),
            pass_results=True,
        )
    )
    first = processes.worker("normal", name="doomed", **quick)
    wait_for(
        lambda: _node_status(workflow, 0) == S.STARTED or _node_status(workflow, 1) == S.STARTED,
        timeout=30,
        message="a chord member running",
    )
    # The claim comes before the fork: wait for the work-horse, so the kill catches it mid-task.
    wait_for(lambda: psutil.Process(first.pid).children(recursive=True), timeout=30, message="a work-horse")
    processes.kill_horses(first)
    processes.kill_group(first)
    processes.scheduler(**quick)  # its housekeeper records the lost attempt, which is retried
    processes.worker("normal", name="second", **quick)
    processes.worker("normal", name="third", **quick)
    wait_for(
        lambda: _status(workflow) != "running", timeout=90, message=f"workflow ended\n{processes.logs()}"
    )
    assert _status(workflow) == "succeeded"
    callbacks = Job.objects.filter(task="tests.wf.collect")
    assert callbacks.count() == 1
    assert callbacks.get().result == [1, 2, 3]
    members = list(
        Job.objects.filter(workflow=workflow).values_list("task", "attempts", "status", "worker_name")
    )
    assert Job.objects.filter(workflow=workflow, task="tests.wf.slow_retried", attempts__gte=2).exists(), (
        members
    )


def test_the_sweep_settles_a_member_whose_end_nobody_heard(transactional_db):
    """The window a worker can die in: the member's row is final, its workflow not told."""
    workflow = schedule_workflow(
        chord(group(step("tests.add", 1, 1)), step("tests.wf.collect"), pass_results=True)
    )
    member = workflow_nodes(workflow)[0].job
    Job.objects.filter(pk=member.pk).update(status=S.SUCCEEDED, result=2)
    assert (settle_stragglers(), settle_stragglers()) == (1, 0)
    assert Job.objects.filter(task="tests.wf.collect", args=[[2]]).count() == 1


def test_the_sweep_counts_a_deleted_member_as_failed(transactional_db):
    from jobs.services import delete_job

    workflow = schedule_workflow(
        chain(step("tests.add", 1, 1), step("tests.wf.mark", "never")), policy="continue"
    )
    delete_job(workflow_nodes(workflow)[0].job_id)
    assert settle_stragglers() == 1
    assert [node.outcome for node in workflow_nodes(workflow)] == ["failed", "skipped"]
    assert _status(workflow) == "failed"
