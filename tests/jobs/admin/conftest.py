"""Staff users holding exactly the permissions a test names, logged in on the test client."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client


@pytest.fixture
def staff(client: Client) -> Callable[..., User]:
    """``staff("view_job", "delete_job")``: log in a staff user with those jobs permissions."""

    def login(*codenames: str) -> User:
        user = User.objects.create_user("operator", password="pw", is_staff=True)
        user.user_permissions.set(
            Permission.objects.filter(content_type__app_label="jobs", codename__in=codenames)
        )
        client.force_login(user)
        return user

    return login


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]
