"""``?ordering=``: an unknown field is a 400 naming the allowed values.

DRF's ``OrderingFilter`` drops fields it doesn't know without a word, so a typo
(``?ordering=-created``) answered in the default order and looked like it worked.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter


class CheckedOrderingFilter(OrderingFilter):
    def get_ordering(self, request: Any, queryset: Any, view: Any) -> Any:
        params = request.query_params.get(self.ordering_param)
        if params:
            allowed = [name for name, _ in self.get_valid_fields(queryset, view, {"request": request})]
            asked = [term.strip() for term in params.split(",")]
            unknown = [term for term in asked if term.lstrip("-") not in allowed]
            if unknown:
                choices = ", ".join(f"{name}, -{name}" for name in allowed)
                message = f"Unknown ordering {', '.join(unknown)[:200]}; use one of {choices}."
                raise ValidationError({self.ordering_param: message})
        return super().get_ordering(request, queryset, view)
