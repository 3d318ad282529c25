"""Every monitoring test sees only the alert rules it creates, and can sign webhooks."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def monitoring_settings(alert_settings):
    return alert_settings
