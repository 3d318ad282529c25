"""What every REST refusal looks like, checked one way by every API test."""

from __future__ import annotations

from typing import Any


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Every 4xx has one shape: {"error": {"code", "message", "fields"}}."""
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if code:
        assert error["code"] == code, error
    return error
