from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The example project: its demo tasks and its development commands."""

    name = "project"
    verbose_name = "Jobdesk example project"
