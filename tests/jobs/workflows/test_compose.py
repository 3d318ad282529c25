"""Composition into nodes (jobs.core.workflows): shapes, result passing, bad input."""

from __future__ import annotations

import pytest

from jobs.core.workflows import (
    Graph,
    chain,
    check_callback,
    check_policy,
    chord,
    compile_workflow,
    group,
    step,
)
from jobs.exceptions import InvalidArguments, InvalidWorkflow, UnknownTask


def shape(nodes):
    return [(n.key, n.task, n.after, n.run_on, n.pass_result) for n in nodes]


def test_chain_links_each_to_the_previous_and_passes_one_result():
    nodes = compile_workflow(chain(step("tests.add", 1, 2), step("tests.wf.double"), pass_results=True))
    assert shape(nodes) == [
        (0, "tests.add", [], "success", "none"),
        (1, "tests.wf.double", [0], "success", "one"),
    ]


def test_a_group_inside_a_chain_inside_a_group():
    nodes = compile_workflow(
        group(
            chain(
                step("tests.add", 1, 2),
                group(step("tests.wf.double"), step("tests.wf.double")),
                step("tests.wf.collect"),
                pass_results=True,
            ),
            step("tests.wf.mark", "d"),
        )
    )
    assert [n.after for n in nodes] == [[], [0], [0], [1, 2], []]
    assert [n.pass_result for n in nodes] == ["none", "one", "one", "all", "none"]


def test_chord_callback_waits_for_every_member_and_runs_on_its_condition():
    nodes = compile_workflow(
        chord(
            group(step("tests.add", 1, 1), step("tests.add", 2, 2)),
            step("tests.wf.total"),
            on="always",
            pass_results=True,
        )
    )
    assert nodes[2].after == [0, 1] and nodes[2].run_on == "always" and nodes[2].pass_result == "all"


def test_json_form_is_the_same_as_the_python_one():
    as_json = {
        "chord": {
            "header": [{"task": "tests.add", "args": [1, 2]}],
            "callback": {"task": "tests.wf.collect"},
            "pass_results": True,
        }
    }
    assert shape(compile_workflow(as_json)) == shape(
        compile_workflow(chord(group(step("tests.add", 1, 2)), step("tests.wf.collect"), pass_results=True))
    )


def test_a_graph_with_a_cycle_is_refused():
    graph = {
        "graph": {
            "a": {"task": "tests.noop", "after": ["c"]},
            "b": {"task": "tests.noop", "after": ["a"]},
            "c": {"task": "tests.noop", "after": ["b"]},
        }
    }
    with pytest.raises(InvalidWorkflow, match="cycle"):
        compile_workflow(graph)
    with pytest.raises(InvalidWorkflow, match="cycle"):
        compile_workflow(Graph({"a": step("tests.noop")}, {"a": ["a"]}))


def test_a_graph_naming_an_unknown_step_is_refused():
    with pytest.raises(InvalidWorkflow, match="no step 'z'"):
        compile_workflow({"graph": {"a": {"task": "tests.noop", "after": ["z"]}}})


def test_unregistered_callback_and_bad_arguments_are_refused():
    with pytest.raises(UnknownTask, match=r"nope\.callback"):
        compile_workflow(chord(group(step("tests.noop")), step("nope.callback")))
    with pytest.raises(InvalidArguments, match=r"tests\.add"):
        compile_workflow(chain(step("tests.add", 1)))
    # with the result passed in front, double(value) takes nothing more
    with pytest.raises(InvalidArguments):
        compile_workflow(chain(step("tests.add", 1, 2), step("tests.wf.double", 3), pass_results=True))


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"chain": []},
        {"group": "x"},
        {"chord": {"header": []}},
        [1],
        {"task": 3},
        {"chord": {"header": [], "callback": "tests.noop"}},
    ],
)
def test_malformed_definitions_are_refused(bad):
    with pytest.raises(InvalidWorkflow):
        compile_workflow(bad)


def test_policy_and_chord_condition_are_checked():
    with pytest.raises(InvalidWorkflow, match="policy"):
        check_policy("retry_forever")
    with pytest.raises(InvalidWorkflow, match="callback on"):
        compile_workflow(chord(group(step("tests.noop")), step("tests.noop"), on="sometimes"))


def test_batch_callback_takes_the_summary_first():
    assert check_callback("tests.wf.collect") == {"task": "tests.wf.collect", "args": [], "kwargs": {}}
    with pytest.raises(InvalidArguments):
        check_callback({"task": "tests.noop"})
    with pytest.raises(UnknownTask):
        check_callback({"task": "nope"})


def test_a_passed_result_is_typed_only_when_scheduling_knows_it():
    """One result passed along could be anything; a batch summary is an object."""
    assert compile_workflow(chain(step("tests.add", 1, 2), step("tests.wf.double"), pass_results=True))
    with pytest.raises(InvalidArguments, match="value must be a number, not an object"):
        check_callback("tests.wf.double")
