"""OpenAPI helpers: every operation documents the error shape for the statuses it can answer."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

from jobs.api.serializers import ErrorSerializer

REASONS = {
    400: "Invalid input (error.code names the problem, error.fields the fields at fault).",
    401: "No credentials.",
    403: "Missing permission.",
    404: "Unknown id or name, or a page cursor this API did not issue.",
    409: "The object's state doesn't allow this (e.g. retrying a running job).",
    429: "Too many actions; retry after the Retry-After header's seconds.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Responses for ``codes`` plus 401 and 403, which every endpoint can answer."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=REASONS[code])
        for code in sorted({401, 403, *codes})
    }
