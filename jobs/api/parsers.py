"""DRF's parsers, except that a body too deep or too big is a 400 in the API's shape, not a 500.

Python's JSON decoder raises ``RecursionError`` a few thousand levels down (``[[[[…``),
which DRF's parser doesn't catch. A form with more fields than
``DATA_UPLOAD_MAX_NUMBER_FIELDS`` (a bulk action's ``ids`` sent as form fields) makes
Django raise ``TooManyFieldsSent``, which DRF lets through to Django's HTML error page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

TOO_BIG = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


class JSONBodyParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deep.") from exc


class FormBodyParser(FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except TOO_BIG as exc:
            raise ParseError(f"Form parse error - {exc}") from exc


class MultiPartBodyParser(MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except TOO_BIG as exc:
            raise ParseError(f"Multipart form parse error - {exc}") from exc
