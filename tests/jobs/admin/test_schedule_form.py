"""The scheduling form's per-parameter inputs, as the page hands them to schedule.js."""

from __future__ import annotations

import json

from django.urls import reverse

from jobs.admin.forms import task_forms


def test_each_parameter_is_described_by_name_default_and_input_kind():
    typed = {parameter["name"]: parameter for parameter in task_forms()["tests.typed"]}
    assert typed["count"] == {"name": "count", "required": True, "default": None, "input": "integer"}
    assert typed["mode"] == {"name": "mode", "required": False, "default": '"fast"', "input": "choice",
                             "choices": ["fast", "slow"]}  # fmt: skip
    assert typed["dry_run"]["input"] == "boolean" and typed["options"]["input"] == "json"
    assert task_forms()["tests.echo"] == [
        {"name": "payload", "required": True, "default": None, "input": "json-only"}
    ]


def test_the_page_carries_them_as_json_and_loads_the_admins_date_widgets(admin_client):
    page = admin_client.get(reverse("admin:jobs_job_add")).content.decode()
    start = page.index('<script id="task-forms" type="application/json">') + len(
        '<script id="task-forms" type="application/json">'
    )
    assert json.loads(page[start : page.index("</script>", start)]) == task_forms()
    for script in ("admin/jsi18n/", "admin/js/calendar.js", "admin/js/admin/DateTimeShortcuts.js"):
        assert script in page
    assert 'name="run_at_0"' in page and 'class="vDateField"' in page
