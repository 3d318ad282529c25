"""The schema as its clients expect: shared shapes, ID ids, JSON values, bounds from the rules.

No database: these read the built schema and the sources.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLList, GraphQLNonNull, get_named_type

from jobs.core import rules
from jobs.core.alert_rules import EDITABLE
from jobs.graphql.schema import schema
from jobs.services import actions, shapes

SCHEMA = schema.graphql_schema
GRAPHQL_SOURCES = Path(__file__).resolve().parents[3] / "jobs" / "graphql"


def type_of(type_name: str, field: str):
    return SCHEMA.get_type(type_name).fields[field].type


def named(type_name: str, field: str) -> str:
    return get_named_type(type_of(type_name, field)).name


@pytest.mark.parametrize(
    ("type_name", "shape"),
    [
        ("JobType", shapes.JOB_FIELDS),
        ("JobLogType", shapes.JOB_LOG_FIELDS),
        ("QueueType", shapes.QUEUE_FIELDS),
        ("RecurringJobType", shapes.RECURRING_JOB_FIELDS),
        ("AlertRuleType", shapes.ALERT_RULE_FIELDS),
    ],
)
def test_every_field_of_the_shared_shape_is_in_the_graphql_type(type_name, shape):
    fields = set(SCHEMA.get_type(type_name).fields)
    assert {to_camel_case(name) for name in shape} <= fields


def test_graphql_adds_relations_on_top_of_the_job_shape():
    assert named("JobType", "logs") == "JobLogType" and named("JobType", "recurringJob") == "RecurringJobType"


@pytest.mark.parametrize(
    ("type_name", "field"),
    [
        ("JobType", "id"),
        ("JobType", "parent"),
        ("JobType", "dependsOn"),
        ("JobLogType", "id"),
        ("RecurringJobType", "id"),
        ("AlertRuleType", "id"),
        ("AlertType", "id"),
        ("WorkerType", "currentJobId"),
        ("RefusedJobType", "id"),
        ("DeleteJob", "deletedId"),
        ("DeleteJobs", "deletedIds"),
    ],
)
def test_every_object_id_is_an_id(type_name, field):
    assert named(type_name, field) == "ID"


def test_depends_on_is_a_list_of_ids():
    depends_on = type_of("JobType", "dependsOn")
    assert isinstance(depends_on, GraphQLNonNull) and isinstance(depends_on.of_type, GraphQLList)


def every_argument():
    for root in (SCHEMA.query_type, SCHEMA.mutation_type):
        for name, field in root.fields.items():
            for argument, spec in field.args.items():
                yield name, argument, spec


def test_every_argument_naming_an_object_by_id_is_an_id():
    by_id = [
        (name, arg, spec) for name, arg, spec in every_argument() if arg in ("id", "ids", "recurringJob")
    ]
    assert len(by_id) >= 15
    assert all(get_named_type(spec.type).name == "ID" for _, _, spec in by_id), by_id


def test_json_values_are_the_json_scalar_and_nothing_is_a_json_string():
    for type_name, field in [
        ("JobType", "args"),
        ("JobType", "kwargs"),
        ("JobType", "result"),
        ("RecurringJobType", "args"),
        ("RecurringJobType", "schedule"),
        ("TaskType", "parameters"),
        ("TaskType", "backoff"),
    ]:
        assert named(type_name, field) == "JSON", (type_name, field)
    inputs = SCHEMA.get_type("ScheduleJobInput").fields
    assert get_named_type(inputs["args"].type).name == get_named_type(inputs["kwargs"].type).name == "JSON"
    assert SCHEMA.get_type("CreateRecurringJobInput").fields["schedule"].type.of_type.name == "JSON"
    assert "JSONString" not in SCHEMA.type_map


def test_alert_rule_inputs_are_the_editable_fields():
    editable = {to_camel_case(name) for name in EDITABLE}
    assert set(SCHEMA.get_type("CreateAlertRuleInput").fields) == editable
    assert set(SCHEMA.get_type("UpdateAlertRuleInput").fields) == editable


def test_input_bounds_are_described_from_the_rules_and_the_actions_table():
    inputs = SCHEMA.get_type("ScheduleJobInput").fields
    assert f"1 to {rules.MAX_ATTEMPTS}" in inputs["maxAttempts"].description
    assert str(rules.MAX_DELAY_SECONDS) in inputs["delaySeconds"].description
    recurring = SCHEMA.get_type("CreateRecurringJobInput").fields
    assert f"1 to {rules.MAX_CONCURRENT_RUNS}" in recurring["maxConcurrentRuns"].description
    bulk = SCHEMA.mutation_type.fields["scheduleJobs"].args["jobs"]
    assert str(actions.bulk_limit("schedule_job")) in bulk.description


def test_graphql_spells_no_permission_codename():
    """Which permission an action needs is jobs.services.actions' answer alone."""
    codename = re.compile(r"""["']jobs\.[a-z]+_[a-z_]+["']""")
    sources = list(GRAPHQL_SOURCES.rglob("*.py"))
    assert len(sources) >= 10
    assert not [path.name for path in sources if codename.search(path.read_text())]
