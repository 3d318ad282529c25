"""A throwaway Django project built from the README's own snippets.

The section "Adding Jobdesk to an existing Django project" is read, its fenced blocks
taken as written: the install command, the lines for the end of ``settings.py``, the
``urls.py``, the migrate and the worker commands. Nothing Jobdesk needs is added here;
what this module adds is only what makes the run hermetic (a copy of the working tree
to install, a virtualenv reusing the shared one's packages so pip needs no network,
the suite's throwaway Redis, a superuser and a token).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Adding Jobdesk to an existing Django project"
FENCE = re.compile(
    r"^(?P<indent> *)```(?P<lang>\w*)\n(?P<body>.*?)^(?P=indent)```$", re.MULTILINE | re.DOTALL
)


@dataclass(frozen=True)
class Steps:
    install: list[str]
    settings: str
    urls: str
    setup_commands: list[list[str]]
    run_commands: list[list[str]]


def readme_section(text: str, title: str = SECTION) -> str:
    start = text.index(title)
    following = text.find("\n## ", start + len(title))
    return text[start : following if following != -1 else len(text)]


def fenced_blocks(section: str) -> list[tuple[str, str]]:
    """Each fenced block as ``(language, code)``, un-indented (list items indent them)."""
    return [(m["lang"], textwrap.dedent(m["body"])) for m in FENCE.finditer(section)]


def _commands(code: str) -> list[list[str]]:
    lines = (line.split("#", 1)[0].strip() for line in code.splitlines())
    return [shlex.split(line) for line in lines if line]


def readme_steps(readme: Path = ROOT / "README.md") -> Steps:
    """The section's blocks by what they are; a missing or extra kind of block fails."""
    blocks = fenced_blocks(readme_section(readme.read_text()))
    python = {code.splitlines()[0]: code for lang, code in blocks if lang == "python"}
    shell = [_commands(code) for lang, code in blocks if lang == "sh"]
    install = next(cmd for cmds in shell for cmd in cmds if cmd[:2] == ["pip", "install"])
    managed = [cmds for cmds in shell if all(cmd[:2] == ["python", "manage.py"] for cmd in cmds)]
    assert len(managed) == 2, f"expected the setup and the run commands, found {managed}"
    return Steps(
        install=install,
        settings=python["# settings.py, at the end"],
        urls=python["# urls.py"],
        setup_commands=managed[0],
        run_commands=managed[1],
    )


class Host:
    """The host project on disk, its virtualenv, and the processes it runs."""

    def __init__(self, base: Path, redis_url: str) -> None:
        self.base = base
        self.venv = base / "venv"
        self.project = base / "site"
        self.redis_url = redis_url
        self.running: list[subprocess.Popen] = []

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    def env(self, **extra: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTHON"))}
        env.update(REDIS_URL=self.redis_url, PYTHONUNBUFFERED="1", **extra)
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return env

    def run(self, *args: str, cwd: Path | None = None, **env: str) -> str:
        done = subprocess.run(
            args, cwd=cwd or self.project, env=self.env(**env), capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{shlex.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def create_venv(self) -> None:
        """A virtualenv seeing the shared one's packages (a ``.pth``), so pip needs no network.

        ``--system-site-packages`` would show the base interpreter's packages, not the
        shared virtualenv's; a path in a ``.pth`` adds them without running the shared
        virtualenv's own ``.pth`` files (its editable install of the main checkout).
        Without a pip of its own, the shared pip and setuptools (new enough for
        pyproject's licence field) install into this virtualenv.
        """
        venv = [sys.executable, "-m", "venv", "--without-pip", str(self.venv)]
        subprocess.run(venv, check=True, timeout=120)
        shared = next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
        own = next((self.venv / "lib").glob("python*/site-packages"))
        (own / "shared-venv.pth").write_text(shared + "\n")

    def install(self, command: list[str]) -> None:
        """The README's ``pip install ./jobdesk``, from a copy of this working tree, offline."""
        source = self.base / "jobdesk"
        listed = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for name in listed:
            if (ROOT / name).is_file():
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, source / name)
        assert command[:2] == ["pip", "install"] and command[2:] == ["./jobdesk"], command
        self.run(self.python, "-m", *command, "--no-build-isolation", "--no-index", "--quiet", cwd=self.base)

    def start_project(self, steps: Steps) -> None:
        """``startproject`` as Django writes it, then the README's settings lines and urls.py."""
        self.project.mkdir()
        self.run(self.python, "-m", "django", "startproject", "hostsite", ".")
        settings = self.project / "hostsite" / "settings.py"
        settings.write_text(settings.read_text() + "\n" + steps.settings)
        (self.project / "hostsite" / "urls.py").write_text(steps.urls)

    def manage(self, *args: str, **env: str) -> str:
        return self.run(self.python, "manage.py", *args, **env)

    def start(self, command: list[str], name: str) -> subprocess.Popen:
        assert command[:2] == ["python", "manage.py"], command
        log = open(self.base / f"{name}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [self.python, "manage.py", *command[2:]],
            cwd=self.project,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_path = log.name
        self.running.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(Path(p.log_path).read_text()[-3000:] for p in self.running)

    def stop_all(self) -> None:
        for process in self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
