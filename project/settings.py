"""Settings for the Jobdesk example project.

Everything that differs between a laptop and production comes from the environment:
``DATABASE_URL`` (default: a SQLite file under ``var/``), ``REDIS_URL`` (default: the
local Redis on 6379), ``SECRET_KEY``, ``DEBUG`` and ``ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django

from jobs.conf import rq_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JOBDESK_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "jobdesk-development-key-change-me-in-production")
DEBUG = os.environ.get("DEBUG", "1").lower() in {"1", "true", "yes"}
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")

INSTALLED_APPS = [
    "jobs",
    "dashboard",
    "project",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_rq",
    "django_celery_beat",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "graphene_django",
    "graphene_django_graphiql_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'jobdesk.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Workers, the scheduler and the web server share one file: WAL lets readers and the
    # single writer work side by side, IMMEDIATE transactions queue writers instead of
    # failing with "database is locked", and the test database must be a file too so
    # that worker subprocesses see what a test wrote.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # One file per test run, so two runs on one machine don't share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-jobdesk-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
LOGIN_URL = "admin:login"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

JOBS = {
    "QUEUES": ["high", "normal", "low"],
    "LOG_FORMAT": os.environ.get("JOBS_LOG_FORMAT", "kv"),
    "METRICS_ENABLED": os.environ.get("JOBS_METRICS_ENABLED", "1") != "0",
    "METRICS_TOKEN": os.environ.get("JOBS_METRICS_TOKEN", ""),
    "ALERT_WEBHOOK_SECRET": os.environ.get("JOBS_ALERT_WEBHOOK_SECRET", ""),
    "TASK_MODULES": [name for name in os.environ.get("JOBS_TASK_MODULES", "").split(",") if name],
}
# Timing knobs a deployment (or an outage test's subprocess) may tune from the environment.
for _name, _type in (("WORKER_LOST_AFTER", float), ("JOB_MONITORING_INTERVAL", int)):
    if f"JOBS_{_name}" in os.environ:
        JOBS[_name] = _type(os.environ[f"JOBS_{_name}"])

RQ_QUEUES, RQ = rq_settings(REDIS_URL, JOBS["QUEUES"])

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "jobs.api.errors.handle_exception",
    # Scheduling and actions, REST and GraphQL mutations alike, per user; None turns it off.
    "DEFAULT_THROTTLE_RATES": {"jobs_actions": os.environ.get("JOBS_API_ACTION_RATE", "1200/min")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Jobdesk API",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_INCLUDE_SCHEMA": False,
}

# No DjangoDebugMiddleware (graphene-django adds it when DEBUG is on): the schema has no
# debug field to read it, and it wraps every database cursor of the process for good,
# with an ``executemany`` that breaks bulk scheduling.
GRAPHENE = {"SCHEMA": "jobs.graphql.schema.schema", "MIDDLEWARE": []}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "structured": {"()": "jobs.monitoring.log_format.JobsFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "loggers": {
        "jobs": {"handlers": ["console"], "level": os.environ.get("JOBS_LOG_LEVEL", "INFO")},
    },
}

# Django's tasks framework runs on Jobdesk: django.tasks on Django 6, the django_tasks
# backport (its app gives `manage.py check` the backend's checks) on Django 5.2.
TASKS = {"default": {"BACKEND": "jobs.backends.JobdeskBackend"}}
if django.VERSION < (6, 0):
    INSTALLED_APPS.append("django_tasks")
