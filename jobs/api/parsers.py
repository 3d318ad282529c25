"""DRF's JSON parser, except that JSON nested too deep is a 400, not a 500.

Python's JSON decoder raises ``RecursionError`` a few thousand levels down (``[[[[…``),
which DRF's parser doesn't catch.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class JSONBodyParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deep.") from exc
