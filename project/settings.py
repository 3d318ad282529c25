"""Settings for the Jobdesk example project.

Everything that differs between a laptop and production comes from the environment:
``DATABASE_URL`` (default: a SQLite file under ``var/``), ``REDIS_URL`` (default: the
local Redis on 6379), ``SECRET_KEY``, ``DEBUG`` and ``ALLOWED_HOSTS``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
import django

import jobs.setup

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JOBDESK_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "jobdesk-development-key-change-me-in-production")
DEBUG = os.environ.get("DEBUG", "1").lower() in {"1", "true", "yes"}
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")

INSTALLED_APPS = [
    "project",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
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
        "DIRS": [],
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
# The worker pools ``manage.py jobs_workers`` runs on a host: one general pool here; a
# deployment (or a test's supervisor) may give its own as JSON in JOBS_WORKER_POOLS.
JOBS["WORKER_POOLS"] = json.loads(os.environ.get("JOBS_WORKER_POOLS", "null")) or [
    {
        "name": "general",
        "queues": ["high", "normal", "low"],
        "concurrency": 1,
        "max_memory_mb": 512,
        "shutdown_timeout": 30,
        "health_check": {"interval_seconds": 5, "timeout_seconds": 10, "failure_threshold": 3},
        "scaling": {
            "min_workers": 2,
            "max_workers": 4,
            "scale_up_threshold": 80,
            "scale_down_threshold": 20,
            "scale_up_cooldown_seconds": 10,
            "scale_down_cooldown_seconds": 60,
        },
    }
]

REST_FRAMEWORK = {
    # Scheduling and actions, REST and GraphQL mutations alike, per user; None turns it off.
    "DEFAULT_THROTTLE_RATES": {"jobs_actions": os.environ.get("JOBS_API_ACTION_RATE", "1200/min")},
}

# Jobdesk's apps, LOGIN_URL and django-rq's RQ_QUEUES/RQ: the one call the README asks of a host.
jobs.setup.configure(globals())

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
