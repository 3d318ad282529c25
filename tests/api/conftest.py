"""API test fixtures: users with exactly the permissions a case needs, and clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jobs.services.actions import ACTIONS

ALL_PERMS = sorted({action.permission.split(".", 1)[1] for action in ACTIONS.values()})
"""Every permission an action of :mod:`jobs.services.actions` needs."""


@pytest.fixture
def make_user(django_user_model) -> Callable[..., Any]:
    def make(*codenames: str, username: str = "alice") -> Any:
        user = django_user_model.objects.create_user(username=username, password="pw")
        user.user_permissions.set(
            Permission.objects.filter(content_type__app_label="jobs", codename__in=codenames)
        )
        return django_user_model.objects.get(pk=user.pk)

    return make


def token_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def api(make_user) -> APIClient:
    """A token client whose user holds every jobs permission."""
    return token_client(make_user(*ALL_PERMS, username="admin-api"))


@pytest.fixture
def reader(make_user) -> APIClient:
    """A token client that may read everything and do nothing."""
    return token_client(make_user("view_job", "view_queuestats", "view_recurringjob", username="reader"))


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Every 4xx has one shape: {"error": {"code", "message", "fields"}}."""
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if code:
        assert error["code"] == code, error
    return error
