"""The Django admin for Jobdesk, one module per concept."""

from . import alerts, jobs  # noqa: F401
