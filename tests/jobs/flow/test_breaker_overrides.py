"""A breaker's threshold, window and recovery overridden like any limit: one rule, every
interface, audited, and in force in the workers (real Redis, real worker processes)."""

import pytest
from django.test import Client

from jobs.core.states import JobStatus
from jobs.engine import execution
from jobs.engine.flow import breakers, scopes, waiting
from jobs.exceptions import Invalid
from jobs.models import FlowChange, FlowOverride, Job
from jobs.services import flow, schedule_job
from tests.conftest import wait_for
from tests.factories import staff, user_with
from tests.jobs.graphql.client import gql
from tests.jobs.monitoring.test_prometheus import TOKEN, scrape, value

pytestmark = pytest.mark.django_db(transaction=True)

BANK = "tests-bank"
"""Its code settings (tests.settings): threshold 3, window 60 s, recovery 3 s."""


def run_down() -> Job | None:
    """Claim a bank job that fails as the bank being down, and record the failure."""
    job = execution.claim(str(schedule_job("tests.flow.bank", args=["down"]).pk), "w")
    if job is not None:
        execution.record(job, execution.perform(job))
    return job


def test_an_override_lowers_the_threshold_is_shown_everywhere_and_audited(client, settings):
    user = user_with("override_limits", username="ops")
    flow.save_override("breaker", BANK, threshold=1, recovery=600, user=user, via="admin")
    assert (breakers.spec(BANK).threshold, breakers.spec(BANK).window, breakers.spec(BANK).recovery) == (
        1,
        60,
        600,
    )
    assert breakers.spec(BANK).ignore == ("tests.flow_tasks.NotAtTheBank",), "ignored paths stay code's"
    change = FlowChange.objects.get()
    assert (change.target, change.change, change.user, change.interface) == (
        f"breaker:{BANK}",
        "as in code → threshold 1, recovery 600 s",
        user,
        "admin",
    )
    run_down()
    row = flow.breaker(BANK)
    assert (row["state"], row["threshold"], row["recovery"]) == ("open", 1, 600)

    settings.JOBS = {**settings.JOBS, "METRICS_TOKEN": TOKEN}
    samples = scrape(client)
    assert value(samples, "jobs_breaker_threshold", breaker=BANK) == 1
    assert value(samples, "jobs_breaker_recovery_seconds", breaker=BANK) == 600
    assert value(samples, "jobs_breaker_window_seconds", breaker=BANK) == 60
    viewer = Client()
    staff(viewer, "view_flow", "view_flowchange")
    assert "1 / 1" in viewer.get("/dashboard/breakers/").content.decode()
    assert "1 / 1" in viewer.get("/admin/jobs/flowchange/").content.decode()


def test_deleting_the_override_restores_the_code_settings():
    row = flow.save_override("breaker", BANK, threshold=1, window=5)
    flow.delete_override(row.pk)
    assert breakers.spec(BANK).threshold == 3 and breakers.spec(BANK).window == 60
    assert FlowChange.objects.first().change == "threshold 1, window 5 s → as in code"
    run_down()
    assert breakers.state(BANK).state == "closed", "one failure is below the code's threshold"


@pytest.mark.parametrize(
    ("kind", "name", "options", "field"),
    [
        ("breaker", "no-such-breaker", {"threshold": 1}, "name"),
        ("breaker", BANK, {"threshold": 0}, "threshold"),
        ("breaker", BANK, {"threshold": 1.5}, "threshold"),
        ("breaker", BANK, {"window": -1}, "window"),
        ("breaker", BANK, {"window": float("nan")}, "window"),
        ("breaker", BANK, {"recovery": 0}, "recovery"),
        ("breaker", BANK, {"recovery": 10**12}, "recovery"),
        ("breaker", BANK, {"threshold": 1, "concurrency": 2}, "concurrency"),
        ("breaker", BANK, {"threshold": 1, "rate_limit": "1/s"}, "rate_limit"),
        ("task", "tests.flow.bank", {"threshold": 1}, "threshold"),
        ("queue", "low", {"concurrency": 1, "recovery": 5}, "recovery"),
    ],
)
def test_bad_breaker_overrides_are_refused_and_change_nothing(kind, name, options, field):
    with pytest.raises(Invalid) as refused:
        flow.save_override(kind, name, **options)
    assert field in refused.value.fields, refused.value.fields
    assert not FlowOverride.objects.exists() and not FlowChange.objects.exists()
    assert breakers.spec(BANK).threshold == 3


def test_a_bad_edit_of_a_breaker_override_changes_nothing():
    row = flow.save_override("breaker", BANK, threshold=2)
    with pytest.raises(Invalid) as refused:
        flow.update_override(row.pk, window=0)
    assert "window" in refused.value.fields
    row.refresh_from_db()
    assert (row.threshold, row.window, FlowChange.objects.count()) == (2, None, 1)


def test_a_bad_row_written_around_the_service_is_ignored_field_by_field():
    FlowOverride.objects.create(kind="breaker", name=BANK, threshold=1, window=-5)
    scopes.forget_overrides()
    assert (breakers.spec(BANK).threshold, breakers.spec(BANK).window) == (1, 60)


OVERRIDES = "/api/flow/overrides/"


def test_rest_saves_a_breaker_override_and_refuses_a_bad_one_on_its_field(api):
    bad = api.post(OVERRIDES, {"kind": "breaker", "name": BANK, "window": 0}, format="json")
    assert bad.status_code == 400 and "window" in bad.json()["error"]["fields"], bad.json()
    foreign = api.post(OVERRIDES, {"kind": "breaker", "name": BANK, "concurrency": 2}, format="json")
    assert foreign.status_code == 400 and "concurrency" in foreign.json()["error"]["fields"], foreign.json()
    assert not FlowOverride.objects.exists() and not FlowChange.objects.exists()
    saved = api.post(OVERRIDES, {"kind": "breaker", "name": BANK, "threshold": 2}, format="json")
    assert saved.status_code == 201, saved.json()
    assert (saved.json()["threshold"], saved.json()["window"]) == (2, None)
    edited = api.patch(f"{OVERRIDES}{saved.json()['id']}/", {"recovery": 9.5}, format="json")
    assert edited.status_code == 200 and edited.json()["recovery"] == 9.5
    assert breakers.spec(BANK).recovery == 9.5
    assert FlowChange.objects.filter(interface="rest").count() == 2


SAVE = """mutation($input: FlowOverrideInput!) {
  saveFlowOverride(input: $input) { override { kind name threshold window recovery }
    errors { code field message } }
}"""


def test_graphql_saves_a_breaker_override_and_refuses_a_bad_one_as_a_field_error(api):
    bad = gql(api, SAVE, {"input": {"kind": "breaker", "name": BANK, "threshold": -2}}).json()
    answer = bad["data"]["saveFlowOverride"]
    assert answer["override"] is None and "threshold" in [error["field"] for error in answer["errors"]]
    unknown = gql(api, SAVE, {"input": {"kind": "breaker", "name": "nope", "threshold": 2}}).json()
    assert "name" in [error["field"] for error in unknown["data"]["saveFlowOverride"]["errors"]]
    assert not FlowOverride.objects.exists() and not FlowChange.objects.exists()
    saved = gql(api, SAVE, {"input": {"kind": "breaker", "name": BANK, "window": 30}}).json()
    assert saved["data"]["saveFlowOverride"]["override"] == {
        "kind": "breaker",
        "name": BANK,
        "threshold": None,
        "window": 30.0,
        "recovery": None,
    }
    assert FlowChange.objects.get().interface == "graphql"


def test_the_admin_form_shows_the_rule_and_saves_through_the_service():
    admin = Client()
    admin.force_login(user_with("override_limits", "view_flow", username="ops"))
    page = admin.post("/admin/jobs/flowoverride/add/", {"kind": "breaker", "name": BANK, "threshold": "0"})
    assert page.status_code == 200 and "above 0" in page.content.decode()
    assert not FlowOverride.objects.exists()
    saved = admin.post("/admin/jobs/flowoverride/add/", {"kind": "breaker", "name": BANK, "threshold": "1"})
    assert saved.status_code == 302
    assert FlowChange.objects.get().user.username == "ops"
    assert breakers.spec(BANK).threshold == 1


@pytest.mark.slow
def test_a_lowered_threshold_opens_the_breaker_in_a_real_worker_after_one_failure(processes):
    flow.save_override("breaker", BANK, threshold=1, recovery=600)
    processes.scheduler()
    processes.worker("normal", name="bank")
    failed = schedule_job("tests.flow.bank", args=["down"])
    wait_for(lambda: breakers.state(BANK).state == "open", 60, message=f"opened\n{processes.logs()}")
    assert breakers.state(BANK).failures == 1, "the code's threshold is 3"
    assert failed.logs.filter(message__startswith=f"Breaker {BANK} opened after 1 failures").exists()
    held = schedule_job("tests.flow.bank", args=["ok"])
    wait_for(lambda: waiting.note(str(held.pk)) is not None, 30, message=f"held\n{processes.logs()}")
    assert "breaker open until" in waiting.note(str(held.pk))["reason"]
    held.refresh_from_db()
    assert held.status == JobStatus.SCHEDULED and held.attempts == 0
