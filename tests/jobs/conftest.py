"""API test fixtures: users with exactly the permissions a case needs, and clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from jobs.services.actions import ACTIONS
from tests.factories import token_client, user_with

ALL_PERMS = sorted({action.permission.split(".", 1)[1] for action in ACTIONS.values()})
"""Every permission an action of :mod:`jobs.services.actions` needs."""


@pytest.fixture
def make_user(django_user_model) -> Callable[..., Any]:
    """``make_user("view_job", username=…)``: an API user (not staff) with those permissions."""

    def make(*names: str, username: str = "alice") -> Any:
        return user_with(*names, username=username, is_staff=False)

    return make


@pytest.fixture
def api(make_user) -> APIClient:
    """A token client whose user holds every jobs permission."""
    return token_client(make_user(*ALL_PERMS, username="admin-api"))


@pytest.fixture
def reader(make_user) -> APIClient:
    """A token client that may read everything and do nothing."""
    return token_client(make_user("view_job", "view_queuestats", "view_recurringjob", username="reader"))
