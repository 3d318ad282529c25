"""DRF's parsers, except that a body too deep or too big is a 400 in the API's shape, not a 500.

Python 3.11's JSON decoder raises ``RecursionError`` a few thousand levels down
(``[[[[…``), which DRF's parser doesn't catch; 3.13's decodes it, and SQLite then refuses
to store it, so a body nesting deeper than twice ``MAX_JSON_DEPTH`` is refused here.
A form with more fields than
``DATA_UPLOAD_MAX_NUMBER_FIELDS`` (a bulk action's ``ids`` sent as form fields) makes
Django raise ``TooManyFieldsSent``, which DRF lets through to Django's HTML error page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from jobs.core.rules import MAX_JSON_DEPTH, nests_deeper_than

TOO_BIG = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


class JSONBodyParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deep.") from exc
        if nests_deeper_than(data, 2 * MAX_JSON_DEPTH):
            raise ParseError(f"JSON parse error - nested more than {2 * MAX_JSON_DEPTH} levels deep.")
        return data


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
