"""``{% job_origin job %}``: the event, workflow node and batch a job came from."""

from __future__ import annotations

from typing import Any

from django import template

from jobs.services.events import why_job_ran

register = template.Library()


@register.inclusion_tag("dashboard/flows/job_origin_block.html")
def job_origin(job: Any) -> dict[str, Any]:
    return why_job_ran(job)
