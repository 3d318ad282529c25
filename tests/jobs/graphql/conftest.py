"""GraphQL test fixtures: token clients whose users hold exactly the actions a case needs.

Permissions are named by action (``"retry_job"``) and looked up in
:mod:`jobs.services.actions`, the table the schema itself reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jobs.services import actions


@pytest.fixture
def client_for(django_user_model) -> Callable[..., APIClient]:
    """``client_for("retry_job", username=…)``: a token client allowed those actions only."""

    def make(*action_names: str, username: str = "graphql-user") -> APIClient:
        codenames = {actions.permission(name).split(".", 1)[1] for name in action_names}
        user = django_user_model.objects.create_user(username=username, password="pw")
        user.user_permissions.set(
            Permission.objects.filter(content_type__app_label="jobs", codename__in=codenames)
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return client

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
