"""The admin's "schedule a job" form: parsing only; the service decides what is valid.

The form turns text into Python values (JSON, a datetime, a number of seconds) and
hands them to :func:`jobs.services.schedule_job`; every rule about tasks, arguments,
queues and run-at times lives there, so the admin refuses exactly what REST refuses.
The bounds of :mod:`jobs.core.rules` appear only as the inputs' ``min``/``max``, for the
browser; the refusal and its message are the service's.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime

from jobs import conf
from jobs.core.argument_types import input_kind
from jobs.core.registry import all_tasks
from jobs.core.rules import MAX_ATTEMPTS, MAX_DELAY_SECONDS
from jobs.core.states import Priority
from jobs.exceptions import JobsError

WHEN_CHOICES = [("now", "Now"), ("at", "At a time"), ("delay", "After a delay")]


def task_choices() -> list[tuple[str, str]]:
    """Every registered task, labelled with its signature so people see what to pass."""
    return [(task.name, task.describe()["signature"]) for task in all_tasks()]


def task_descriptions() -> list[dict[str, Any]]:
    return [task.describe() for task in all_tasks()]


def task_forms() -> dict[str, list[dict[str, Any]]]:
    """Per task, the inputs its signature asks for (``schedule.js`` draws them).

    A parameter passed by name gets an input of its hint's kind
    (:func:`jobs.core.argument_types.input_kind`); positional-only and ``*args`` /
    ``**kwargs`` parameters are left to the JSON fields, which stay the form's truth.
    """
    return {
        task.name: [_parameter_input(p) for p in task.signature.parameters.values()] for task in all_tasks()
    }


def _parameter_input(parameter: Any) -> dict[str, Any]:
    by_name = parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
    described: dict[str, Any] = {
        "name": parameter.name,
        "required": parameter.default is parameter.empty,
        "default": _json_or_none(parameter.default),
    }
    kind = input_kind(parameter.annotation) if by_name else {"input": "json-only"}
    return {**described, **kind}


def _json_or_none(value: Any) -> str | None:
    if value is inspect.Parameter.empty:
        return None
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return None


class JSONTextField(forms.CharField):
    """A textarea holding JSON of a given type (list or object)."""

    def __init__(self, *, kind: type, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "cols": 60}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value).strip()
        if not text:
            return self.kind()
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from exc
        if not isinstance(parsed, self.kind):
            name = "a list" if self.kind is list else "an object"
            raise forms.ValidationError(f"Must be {name} in JSON.")
        return parsed


class ScheduleJobForm(forms.Form):
    task = forms.ChoiceField(choices=task_choices)
    args = JSONTextField(kind=list, required=False, help_text='JSON list, e.g. [1, "two"]')
    kwargs = JSONTextField(kind=dict, required=False, help_text='JSON object, e.g. {"seconds": 5}')
    queue = forms.ChoiceField(required=False, help_text="Empty: the task's queue.")
    priority = forms.ChoiceField(choices=[("", "Task default"), *Priority.choices], required=False)
    max_attempts = forms.IntegerField(
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_ATTEMPTS}),
        help_text="Empty: the task's default.",
    )
    when = forms.ChoiceField(choices=WHEN_CHOICES, initial="now", widget=forms.RadioSelect)
    run_at = forms.SplitDateTimeField(
        required=False, widget=AdminSplitDateTime, help_text="Date and time, in the server's time zone."
    )
    delay = forms.FloatField(
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_DELAY_SECONDS, "step": "any"}),
        help_text=f"Seconds from now, at most {MAX_DELAY_SECONDS}.",
    )

    class Media:
        js = ["jobs/admin/schedule.js"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = [("", "Task default"), *((q, q) for q in conf.get().QUEUES)]

    def schedule_options(self) -> dict[str, Any]:
        """The cleaned data as :func:`schedule_job` keyword arguments."""
        data = self.cleaned_data
        options: dict[str, Any] = {
            "args": data["args"],
            "kwargs": data["kwargs"],
            "queue": data["queue"] or None,
            "priority": data["priority"] or None,
            "max_attempts": data["max_attempts"],
        }
        if data["when"] == "at":
            options["run_at"] = data["run_at"]
        elif data["when"] == "delay":
            options["delay"] = data["delay"]
        return options

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        when = data.get("when")
        if when == "at" and data.get("run_at") is None and "run_at" not in self.errors:
            self.add_error("run_at", "Give the time to run at.")
        if when == "delay" and data.get("delay") is None and "delay" not in self.errors:
            self.add_error("delay", "Give the delay in seconds.")
        return data

    def add_service_error(self, exc: JobsError) -> None:
        """Show a service refusal on the field it names, else above the form."""
        named = [name for name in exc.fields if name in self.fields]
        if named:
            for name in named:
                self.add_error(name, exc.message)
        else:
            self.add_error(None, exc.message)
