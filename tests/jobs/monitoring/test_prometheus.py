"""``/metrics`` parses as Prometheus text and says what really ran; only for the token or allowed IPs."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from jobs.engine import housekeeping
from jobs.services import pause_queue, schedule_job
from tests.conftest import closed_port

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "scrape-me"


@pytest.fixture
def token(settings):
    settings.JOBS = {**settings.JOBS, "METRICS_TOKEN": TOKEN}


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples[(name, tuple(sorted(labels.items())))]


def test_metrics_match_what_ran(client, token, burst_worker, run_scheduler):
    schedule_job("tests.add", args=[1, 2])
    schedule_job("tests.add", args=[3, 4])
    schedule_job("tests.fail", args=["boom"])
    schedule_job("tests.flaky", args=[1])
    burst_worker("normal")
    run_scheduler()
    burst_worker("normal")
    schedule_job("tests.add", args=[5, 6], queue="low")
    pause_queue("high")
    housekeeping.housekeep()

    samples = scrape(client)
    add = {"queue": "normal", "task": "tests.add"}
    assert value(samples, "jobs_processed_total", status="succeeded", **add) == 2
    assert value(samples, "jobs_processed_total", status="failed", **add) == 0
    assert value(samples, "jobs_processed_total", status="failed", queue="normal", task="tests.fail") == 1
    assert value(samples, "jobs_processed_total", status="retried", queue="normal", task="tests.flaky") == 1
    assert value(samples, "jobs_processed_total", status="succeeded", queue="normal", task="tests.flaky") == 1
    assert value(samples, "jobs_run_seconds_count", **add) == 2
    assert value(samples, "jobs_run_seconds_bucket", le="+Inf", **add) == 2
    assert 0 < value(samples, "jobs_run_seconds_sum", **add) < 5
    buckets = [v for (name, labels), v in samples.items() if name == "jobs_run_seconds_bucket" and
               dict(labels)["task"] == "tests.add"]  # fmt: skip
    assert buckets == sorted(buckets), "buckets are cumulative"
    assert value(samples, "jobs_wait_seconds_count", **add) == 2
    assert value(samples, "jobs_queue_depth", queue="low") == 1
    assert value(samples, "jobs_queue_depth", queue="normal") == 0
    assert value(samples, "jobs_oldest_waiting_seconds", queue="low") >= 0
    assert value(samples, "jobs_queue_paused", queue="high") == 1
    assert value(samples, "jobs_queue_paused", queue="low") == 0
    assert value(samples, "jobs_workers_alive", queue="normal") == 0
    assert value(samples, "jobs_redis_up") == 1
    assert value(samples, "jobs_failed", queue="normal") == 1
    assert value(samples, "jobs_alerts_active") >= 0


def test_without_credentials_the_answer_is_401(client, token):
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"jobs_" not in response.content


def test_a_wrong_token_is_refused(client, token):
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 403


def test_nothing_configured_means_closed(client):
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything")
    assert response.status_code == 403
    assert b"METRICS_TOKEN" in response.content


@pytest.mark.parametrize(
    ("allowed", "status"), [(["127.0.0.1"], 200), (["127.0.0.0/8"], 200), (["10.0.0.0/8"], 403)]
)
def test_ip_allow_list(client, settings, allowed, status):
    settings.JOBS = {**settings.JOBS, "METRICS_ALLOWED_IPS": allowed}
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == status


def test_only_get(client, token):
    assert client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


def test_redis_down_is_reported_not_a_500(client, token, settings):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.RQ_QUEUES = {name: {**config, "URL": url} for name, config in settings.RQ_QUEUES.items()}
    samples = scrape(client)
    assert value(samples, "jobs_redis_up") == 0
    assert ("jobs_workers_alive", (("queue", "normal"),)) not in samples
