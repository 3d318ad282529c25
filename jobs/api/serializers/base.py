"""What every serializer shares: strict parsing, text the databases can store, the error shape."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from rest_framework import serializers

from jobs.core.rules import is_storable_text

ID_LENGTH = 64
"""Longest text read as a job id (a UUID is 36 characters): an id longer is never one."""


class StrictSerializer(serializers.Serializer):
    """Refuses fields it doesn't know, so a typo is a 400 rather than silently ignored."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


def storable(text: str) -> None:
    """A validator: PostgreSQL refuses NUL and lone surrogates, so every database refuses them here."""
    if not is_storable_text(text):
        raise serializers.ValidationError("Text with NUL or unpaired surrogate characters can't be stored.")


def length(model: type[Model], field: str) -> int:
    """The model field's ``max_length``, so a serializer never restates a column's size."""
    return model._meta.get_field(field).max_length


def text(model: type[Model], field: str, **options: Any) -> serializers.CharField:
    """A text field as long as the model's column holds, of storable text only."""
    return serializers.CharField(max_length=length(model, field), validators=[storable], **options)


def job_id(**options: Any) -> serializers.CharField:
    """A job's id as the caller gave it; an unknown one is the service's to refuse."""
    return serializers.CharField(max_length=ID_LENGTH, validators=[storable], **options)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.CharField())


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
