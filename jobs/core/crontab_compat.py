"""Let rq-scheduler's ``crontab`` and django-celery-beat's ``python-crontab`` coexist.

Both distributions install a top-level module named ``crontab``: rq-scheduler's
dependency ``crontab`` as a package directory, django-celery-beat's ``python-crontab``
as ``crontab.py``. Python picks the package, so django-celery-beat's validators fail
with ``module 'crontab' has no attribute 'CronSlices'`` (rq/rq-scheduler#326).

:func:`install` loads whichever of the two lost the import race from its own file,
under a private name, and copies its public names the winner lacks onto the winning
module. Both then find what they use: rq-scheduler ``crontab.CronTab`` (the winner's),
django-celery-beat ``crontab.CronSlices`` and friends. It runs when the ``jobs`` app
is imported, before any app's models, whatever order the two were installed in.
Jobdesk itself never calls rq-scheduler's ``cron()``: recurring times come from
django-celery-beat's schedules.
"""

from __future__ import annotations

import importlib.util
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType

_DISTRIBUTIONS = {"python-crontab": "crontab.py", "crontab": "crontab/__init__.py"}


def _module_file(distribution: str, relative: str) -> Path | None:
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return None
    for file in dist.files or ():
        if str(file).replace("\\", "/") == relative:
            return Path(dist.locate_file(file))
    return None


def _load(path: Path, alias: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        alias, path, submodule_search_locations=[str(path.parent)] if path.name == "__init__.py" else None
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    spec.loader.exec_module(module)
    return module


def install() -> ModuleType:
    """Make ``import crontab`` serve both libraries; safe to call many times."""
    import crontab

    if getattr(crontab, "_jobdesk_merged", False):
        return crontab
    winner = Path(crontab.__file__).resolve()
    for distribution, relative in _DISTRIBUTIONS.items():
        path = _module_file(distribution, relative)
        if path is None or path.resolve() == winner:
            continue
        other = _load(path, f"_jobdesk_{distribution.replace('-', '_')}")
        for name in dir(other):
            if not name.startswith("__") and not hasattr(crontab, name):
                setattr(crontab, name, getattr(other, name))
    crontab._jobdesk_merged = True
    return crontab
