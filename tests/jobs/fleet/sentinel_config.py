"""django-rq's Sentinel settings for the suite: importable from a settings module (no Django)."""

from __future__ import annotations

MASTER_NAME = "jobdesk"
SENTINELS_VARIABLE = "JOBDESK_TEST_SENTINELS"
"""How a worker subprocess learns the Sentinels' addresses (``tests.jobs.fleet.sentinel_settings``)."""


def rq_queues(sentinels: list[tuple[str, int]], queues: list[str]) -> dict[str, dict]:
    """django-rq's ``RQ_QUEUES`` for Jobdesk's queues, through Sentinel instead of a URL."""
    config = {
        "SENTINELS": sentinels,
        "MASTER_NAME": MASTER_NAME,
        "DB": 0,
        "SOCKET_TIMEOUT": 5,
        "SERIALIZER": "rq.serializers.JSONSerializer",
    }
    return {name: dict(config) for name in [*queues, "default"]}


def parse(addresses: str) -> list[tuple[str, int]]:
    """``host:port,host:port`` (what :attr:`SentinelSet.addresses` gives) as pairs."""
    return [(host, int(port)) for host, port in (item.rsplit(":", 1) for item in addresses.split(","))]
