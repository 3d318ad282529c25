"""One JSON shape for every 4xx: ``{"error": {"code", "message", "fields"}}``.

Clients branch on ``code`` alone, whichever layer refused them: a service's
:class:`JobsError`, DRF's parser, authentication, permissions or a throttle.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from jobs.exceptions import Conflict, Forbidden, Invalid, JobsError, NotFound

JOBS_ERROR_STATUS: tuple[tuple[type[JobsError], int], ...] = (
    (NotFound, status.HTTP_404_NOT_FOUND),
    (Invalid, status.HTTP_400_BAD_REQUEST),
    (Conflict, status.HTTP_409_CONFLICT),
    (Forbidden, status.HTTP_403_FORBIDDEN),
)
"""The HTTP status of each kind of refusal, by class: a new subclass needs no entry here."""


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def jobs_status(exc: JobsError) -> int:
    """The status for a refusal of this class; a bare :class:`JobsError` is a 400."""
    return next(
        (code for kind, code in JOBS_ERROR_STATUS if isinstance(exc, kind)), status.HTTP_400_BAD_REQUEST
    )


def jobs_error_response(exc: JobsError) -> Response:
    """The answer to a service's refusal; the body's ``code`` is the refusal's own."""
    return Response(error_body(exc.code, exc.message, exc.fields), status=jobs_status(exc))


def _flatten(detail: Any) -> dict[str, str]:
    """DRF's nested validation detail as ``{"field": "first message"}``."""
    if not isinstance(detail, dict):
        return {}
    fields = {}
    for name, value in detail.items():
        while isinstance(value, list | dict) and value:
            value = value[0] if isinstance(value, list) else next(iter(value.values()))
        fields[str(name)] = str(value)
    return fields


def _message(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict):
        return "Invalid input: " + "; ".join(f"{k}: {v}" for k, v in _flatten(detail).items())
    if isinstance(detail, list):
        return "; ".join(str(item) for item in detail)
    return str(detail)


def handle_exception(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: keeps DRF's status codes and headers, rewrites the body."""
    if isinstance(exc, JobsError):
        return jobs_error_response(exc)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "invalid"
    fields = _flatten(exc.detail) if isinstance(exc, exceptions.ValidationError) else {}
    response.data = error_body(code, _message(exc), fields)
    return response
