"""Flow control's rows: the keys that make a job unique or a request idempotent.

A :class:`JobKey` names the job a uniqueness key (``unique:<task>:<hash of arguments>``)
or an idempotency key (``idem:<user>:<hash of the key>``) stands for. The key column's
unique index is what decides between concurrent requests: whichever inserts first
creates the job, every other one finds that row and answers with its job.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.core.flow_overrides import override_errors
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


class FlowOverride(models.Model):
    """An operator's limit for a task or a queue, or settings for a circuit breaker, in force
    instead of those in code or settings (a task's key and a breaker's ignored exceptions
    stay code's unless set). Blank means "as in code"."""

    class Kind(models.TextChoices):
        TASK = "task", _("Task")
        QUEUE = "queue", _("Queue")
        BREAKER = "breaker", _("Breaker")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(
        max_length=200, help_text=_("The task's registered name, the queue's, or the breaker's.")
    )
    concurrency = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("At most this many at once.")
    )
    rate_limit = models.CharField(
        max_length=50,
        blank=True,
        help_text=_('At most this many starts per window, e.g. "100/m" or "5/10s".'),
    )
    concurrency_key = models.CharField(
        max_length=200,
        blank=True,
        help_text=_(
            "A task's limits per value of these parameters (comma-separated), instead of the key in code."
        ),
    )
    threshold = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("A breaker opens after this many failures within its window.")
    )
    window = models.FloatField(
        null=True, blank=True, help_text=_("Seconds over which a breaker counts failures.")
    )
    recovery = models.FloatField(
        null=True, blank=True, help_text=_("Seconds an opened breaker waits before its probe job.")
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("flow control override")
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="jobs_flowoverride_kind_name")]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"

    def clean(self) -> None:
        errors = override_errors(
            self.kind,
            self.name,
            self.concurrency,
            self.rate_limit,
            self.concurrency_key,
            self.threshold,
            self.window,
            self.recovery,
        )
        if errors:
            raise ValidationError(errors)

    def describe(self) -> str:
        parts = [
            f"concurrency {self.concurrency}" if self.concurrency else "",
            self.rate_limit,
            f"per {self.concurrency_key}" if self.concurrency_key else "",
            f"threshold {self.threshold}" if self.threshold else "",
            f"window {self.window:g} s" if self.window else "",
            f"recovery {self.recovery:g} s" if self.recovery else "",
        ]
        return ", ".join(part for part in parts if part) or "as in code"
