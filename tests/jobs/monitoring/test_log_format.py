"""Lifecycle log lines carry job id, task, queue, attempt and duration, as key=value or JSON."""

import json
import logging

import pytest

from jobs.engine.execution import run_job
from jobs.monitoring.log_format import JobsFormatter, parse_pairs
from jobs.services import schedule_job

pytestmark = pytest.mark.django_db(transaction=True)


def test_json_lines_carry_the_job_fields(caplog):
    job = schedule_job("tests.add", args=[1, 2])
    with caplog.at_level(logging.INFO, logger="jobs.execution"):
        run_job(str(job.pk))
    lines = [json.loads(JobsFormatter(log_format="json").format(r)) for r in caplog.records]
    finished = next(line for line in lines if line.get("event") == "succeeded")
    assert finished["job_id"] == str(job.pk)
    assert (finished["task"], finished["queue"], finished["attempt"]) == ("tests.add", "normal", 1)
    assert isinstance(finished["duration"], float) and finished["duration"] >= 0
    assert finished["level"] == "INFO" and finished["logger"] == "jobs.execution"


def test_a_failure_reason_with_spaces_and_quotes_survives_as_one_field(caplog):
    job = schedule_job("tests.fail", args=["it's <broken> now"])
    with caplog.at_level(logging.INFO, logger="jobs.execution"), pytest.raises(RuntimeError):
        run_job(str(job.pk))
    record = next(r for r in caplog.records if "event=failed" in r.getMessage())
    line = json.loads(JobsFormatter(log_format="json").format(record))
    assert line["reason"] == "RuntimeError: it's <broken> now"
    assert line["event"] == "failed" and line["attempt"] == 1


def test_key_value_lines_stay_readable_and_gain_extra_fields():
    record = logging.LogRecord("jobs.x", logging.INFO, __file__, 1, "event=custom note", None, None)
    record.job_id, record.queue = "abc", "high"
    line = JobsFormatter(log_format="kv").format(record)
    assert line.endswith("event=custom note job_id=abc queue=high")
    assert "INFO jobs.x" in line


def test_the_setting_chooses_the_format(settings):
    record = logging.LogRecord("jobs.x", logging.INFO, __file__, 1, "job_id=%s attempt=%s", ("j1", 2), None)
    settings.JOBS = {**settings.JOBS, "LOG_FORMAT": "json"}
    assert json.loads(JobsFormatter().format(record))["attempt"] == 2
    settings.JOBS = {**settings.JOBS, "LOG_FORMAT": "kv"}
    assert JobsFormatter().format(record).endswith("job_id=j1 attempt=2")


def test_pairs_parse_numbers_and_quotes():
    assert parse_pairs("a=1 b=2.5 c='x y' d=\"q\" e=word") == {
        "a": 1,
        "b": 2.5,
        "c": "x y",
        "d": "q",
        "e": "word",
    }
