"""GraphQL test fixtures: token clients whose users hold exactly the actions a case needs.

Permissions are named by action (``"retry_job"``) and looked up in
:mod:`jobs.services.actions`, the table the schema itself reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from jobs.services import actions
from tests.factories import token_client, user_with


@pytest.fixture
def client_for(django_user_model) -> Callable[..., APIClient]:
    """``client_for("retry_job", username=…)``: a token client allowed those actions only."""

    def make(*action_names: str, username: str = "graphql-user") -> APIClient:
        return token_client(user_with(*action_names, username=username, is_staff=False))

    return make


@pytest.fixture
def admin(client_for) -> APIClient:
    """A token client allowed every action in the table."""
    return client_for(*actions.ACTIONS, username="graphql-admin")


@pytest.fixture
def viewer(client_for) -> APIClient:
    """A token client that may read everything and change nothing."""
    return client_for("view_job", "view_queue", "view_recurring_job", "view_alert_rule", username="viewer")


def codes(payload: dict[str, Any]) -> list[str]:
    """The codes of a mutation payload's ``errors``."""
    return [error["code"] for error in payload["errors"]]
