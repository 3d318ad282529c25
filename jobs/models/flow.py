"""Flow control's rows: the keys that make a job unique or a request idempotent.

A :class:`JobKey` names the job a uniqueness key (``unique:<task>:<hash of arguments>``)
or an idempotency key (``idem:<user>:<hash of the key>``) stands for. The key column's
unique index is what decides between concurrent requests: whichever inserts first
creates the job, every other one finds that row and answers with its job.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.models.jobs import Job


class JobKey(models.Model):
    key = models.CharField(_("key"), max_length=200, unique=True)
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(
        max_length=40,
        blank=True,
        help_text=_("What the request asked for; a key reused for another is refused."),
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("job key")

    def __str__(self) -> str:
        return self.key


class FlowChange(models.Model):
    """Who changed flow control by hand, what and when (an audit trail; rows are never edited)."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interface = models.CharField(max_length=20, blank=True)
    target = models.CharField(max_length=200, help_text=_("What changed, e.g. breaker:bank-api."))
    change = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("flow control change")
        ordering = ("-created_at",)
        permissions = [("force_breaker", "Can force a circuit breaker open or closed")]

    def __str__(self) -> str:
        return f"{self.target}: {self.change}"
