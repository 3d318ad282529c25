"""A tiny GraphQL client over DRF's test client, for the GraphQL tests."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient


def gql(client: APIClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    """POST a query as JSON and return the response (status and body are the test's business)."""
    return client.post("/graphql/", {"query": query, "variables": variables or {}}, format="json")


def data(client: APIClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``data`` of a query that must succeed without GraphQL errors."""
    response = gql(client, query, variables)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]
