"""The monitoring settings for tests/monitoring/test_admin_alerts.py, until it moves to tests/jobs/."""

from tests.jobs.monitoring.conftest import monitoring_settings  # noqa: F401 - an autouse fixture
