"""Staff users holding exactly the permissions a test names, logged in on the test client."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests import factories


@pytest.fixture
def staff(client: Client) -> Callable[..., User]:
    """``staff("view_job", "delete_job")``: log in a staff user with those jobs permissions."""

    def login(*names: str) -> User:
        return factories.staff(client, *names)

    return login


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]
