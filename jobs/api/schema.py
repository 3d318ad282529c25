"""OpenAPI helpers: every operation documents the error shape for the statuses it can answer."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from drf_spectacular import utils
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from jobs.api.serializers import ErrorSerializer

REASONS = {
    400: "Invalid input, or a page cursor this API did not issue (error.code names the problem, "
    "error.fields the fields or parameters at fault).",
    401: "No credentials.",
    403: "Missing permission.",
    404: "Unknown id or name.",
    409: "The object's state doesn't allow this (e.g. retrying a running job).",
    429: "Too many actions; retry after the Retry-After header's seconds.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Responses for ``codes`` plus 401 and 403, which every endpoint can answer."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=REASONS[code])
        for code in sorted({401, 403, *codes})
    }


def extend_schema(**kwargs: Any) -> Callable[[Any], Any]:
    """drf-spectacular's ``extend_schema``, built on drf-spectacular's schema class.

    Its own decorator builds on ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` when the
    method has no schema yet; a host that never set it (DRF's default is DRF's own
    schema class) would get operations drf-spectacular can't read. Presetting the
    method's schema makes Jobdesk's API independent of that setting.
    """

    def decorator(view: Any) -> Any:
        if inspect.isfunction(view):
            view.kwargs = {"schema": AutoSchema, **getattr(view, "kwargs", {})}
        return utils.extend_schema(**kwargs)(view)

    return decorator
