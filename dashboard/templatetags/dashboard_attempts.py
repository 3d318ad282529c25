"""``{% job_attempts job as attempts %}``: a job's attempt history for the dashboard's job page."""

from __future__ import annotations

from django import template

from jobs.models import Job
from jobs.models.attempts import Attempt
from jobs.services.attempts import job_attempts as read_attempts

register = template.Library()


@register.simple_tag
def job_attempts(job: Job) -> list[Attempt]:
    return read_attempts(job)
