"""The alert admin: rules are edited with the services' validation, history is read-only and escaped."""

import pytest
from django.contrib.auth.models import User

from jobs.models import AlertRule
from jobs.monitoring.alerts.evaluate import evaluate
from jobs.services import schedule_job
from jobs.services.alerts import create_alert_rule

pytestmark = pytest.mark.django_db(transaction=True)

ADD = "/admin/jobs/alertrule/add/"


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def form(**fields):
    data = {"name": "backlog", "kind": "backlog", "threshold": "10", "window_minutes": "5", "min_jobs": "1",
            "repeat_minutes": "60", "enabled": "on", "webhook_url": "", "email_recipients": "", "queue": "",
            "task": "", "description": ""}  # fmt: skip
    return {**data, **fields}


def test_a_valid_rule_is_created(admin_client):
    response = admin_client.post(ADD, form())
    assert response.status_code == 302
    assert AlertRule.objects.get().threshold == 10


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"webhook_url": "ftp://hooks.example.com"}, "http:// or https://"),
        ({"kind": "failure_rate", "threshold": "120"}, "percentage"),
        ({"queue": "nope"}, "Unknown queue"),
    ],
)
def test_bad_rules_show_a_form_error_and_save_nothing(admin_client, fields, message):
    response = admin_client.post(ADD, form(**fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AlertRule.objects.exists()


def test_history_pages_list_alerts_escaped_and_offer_no_add(admin_client):
    create_alert_rule(name="<script>x</script>", kind="backlog", threshold=0)
    schedule_job("tests.add", args=[1, 1])
    evaluate()
    for url in ("/admin/jobs/alert/", "/admin/jobs/alertevent/", "/admin/jobs/alert/?state=active"):
        page = admin_client.get(url).content.decode()
        assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    assert admin_client.get("/admin/jobs/alert/add/").status_code == 403


def test_anonymous_users_are_sent_to_login(client):
    assert client.get("/admin/jobs/alertrule/").status_code == 302
