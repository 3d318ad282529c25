from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jobs.core.crontab_compat import install as install_crontab_compat

install_crontab_compat()


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jobs import checks  # noqa: F401  (registers the settings checks)

        # Per-task counting listens to job events; importing deliver registers its
        # tasks in every process, workers included.
        from jobs.backends import signals as django_tasks_signals
        from jobs.engine import attempts, housekeeping, workflows
        from jobs.monitoring import counters, periodic
        from jobs.monitoring.alerts import deliver  # noqa: F401
        from jobs.services.alerts import ensure_configured_rules

        counters.connect()
        attempts.connect()  # the history first: django.tasks' task_finished lists its errors
        django_tasks_signals.connect()
        # The engine runs duties it doesn't import: monitoring and the services sit above it.
        housekeeping.add_duty("alert_rules", lambda now, redis: ensure_configured_rules())
        housekeeping.add_duty("monitoring", periodic.housekeep)
        workflows.connect()
