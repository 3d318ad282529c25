"""rq-scheduler's ``crontab`` and django-celery-beat's ``python-crontab`` in one process."""

import subprocess
import sys

import pytest
from django.core.exceptions import ValidationError
from django_celery_beat.models import CrontabSchedule
from rq_scheduler.utils import get_next_scheduled_time

from tests.conftest import ROOT


def test_celery_beat_validates_crontabs_and_rq_scheduler_parses_cron():
    with pytest.raises(ValidationError):
        CrontabSchedule(minute="61", hour="*").full_clean()
    CrontabSchedule(minute="0", hour="6", timezone="America/Sao_Paulo").full_clean(exclude=["id"])
    assert get_next_scheduled_time("*/5 * * * *").minute % 5 == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    "first",
    ["import rq_scheduler.utils", "import crontab", "import django_rq"],
)
def test_both_work_whatever_was_imported_first(first):
    script = f"""
{first}
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
django.setup()
from django_celery_beat.validators import crontab_validator
crontab_validator("0 6 * * 1")
from rq_scheduler.utils import get_next_scheduled_time

from tests.conftest import ROOT
print(get_next_scheduled_time("0 6 * * *").hour)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().isdigit()
