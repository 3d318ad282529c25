from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jobs.core.crontab_compat import install as install_crontab_compat

install_crontab_compat()


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Per-task counting listens to job events; importing deliver registers its
        # tasks in every process, workers included.
        from jobs.monitoring import counters
        from jobs.monitoring.alerts import deliver  # noqa: F401

        counters.connect()
