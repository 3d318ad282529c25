from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .crontab_compat import install as install_crontab_compat

install_crontab_compat()


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import metrics_store

        metrics_store.connect()
