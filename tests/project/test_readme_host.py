"""The README's "Adding Jobdesk to an existing Django project", followed to the letter.

A new ``startproject`` host gets the README's snippets and nothing else, installs this
working tree, migrates, and then every surface answers a real server: the API with a
token (a job scheduled there runs on the README's worker), the schema, the docs, the
liveness probe, GraphQL, the dashboard and the admin's Queues and django-rq pages with
a session. When the README and the code drift apart, this fails.
"""

from __future__ import annotations

import re

import pytest
import requests

from jobs.engine import broker
from project.embedded_redis import free_port
from tests.conftest import wait_for
from tests.project.readme_host import Host, readme_steps

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture
def host(tmp_path, redis):
    url = broker.connection().connection_pool.connection_kwargs
    built = Host(tmp_path, f"redis://{url['host']}:{url['port']}/{url.get('db', 0)}")
    yield built
    built.stop_all()


def build(host: Host) -> str:
    """Install, configure, migrate; returns the address of the running web server."""
    steps = readme_steps()
    host.create_venv()
    host.install(steps.install)
    installed = host.run(host.python, "-c", "import jobs; print(jobs.__file__)", cwd=host.base)
    assert installed.startswith(str(host.venv)), f"the host imports Jobdesk from {installed}"
    host.start_project(steps)
    for command in steps.setup_commands:
        args = command[2:]
        if args[0] == "createsuperuser":  # the README's interactive step, answered by the environment
            host.manage(*args, "--noinput", "--username", "admin", "--email", "a@example.com",
                        DJANGO_SUPERUSER_PASSWORD="admin-pw")  # fmt: skip
        else:
            host.manage(*args)
    port = free_port()
    host.start(["python", "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], "web")
    for index, command in enumerate(steps.run_commands):
        host.start(command, f"run-{index}")
    address = f"http://127.0.0.1:{port}"
    wait_for(lambda: _answers(address + "/api/health/live"), timeout=60, message="the host's web server")
    return address


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def token_for(host: Host, username: str) -> str:
    output = host.manage("drf_create_token", username)
    return re.search(r"token (\w+)", output)[1]


def logged_in(address: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{address}/admin/login/", timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    answer = session.post(
        f"{address}/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": csrf, "username": "admin", "password": "admin-pw"},
        timeout=10,
    )
    assert answer.url.endswith("/admin/"), answer.text[:500]
    return session


def check_token_surfaces(address: str, token: str) -> None:
    auth = {"Authorization": f"Token {token}"}
    assert requests.get(f"{address}/api/jobs/", headers=auth, timeout=10).status_code == 200
    schema = requests.get(f"{address}/api/schema/?format=json", headers=auth, timeout=30)
    assert schema.status_code == 200 and "/api/jobs/" in schema.json()["paths"]
    query = {"query": "{ queues { name } }"}
    graphql = requests.post(f"{address}/graphql/", json=query, headers=auth, timeout=10)
    assert graphql.status_code == 200, graphql.text
    assert {queue["name"] for queue in graphql.json()["data"]["queues"]} == {"high", "normal", "low"}
    created = requests.post(f"{address}/api/jobs/", json={"task": "jobs.cleanup"}, headers=auth, timeout=10)
    assert created.status_code == 201, created.text
    job_url = f"{address}/api/jobs/{created.json()['id']}/"
    wait_for(lambda: requests.get(job_url, headers=auth, timeout=10).json()["status"] == "succeeded",
             timeout=60, message="the README's worker to run the job")  # fmt: skip


def check_anonymous_surfaces(address: str) -> None:
    home = requests.get(f"{address}/", allow_redirects=False, timeout=10)
    assert home.status_code == 302 and home.headers["Location"] == "/dashboard/"
    docs = requests.get(f"{address}/api/docs/", allow_redirects=False, timeout=10)
    assert docs.status_code == 302 and docs.headers["Location"].startswith("/admin/login/?next=/api/docs/")
    dashboard = requests.get(f"{address}/dashboard/", allow_redirects=False, timeout=10)
    assert dashboard.status_code == 302 and dashboard.headers["Location"].startswith("/admin/login/")
    assert requests.get(f"{address}/api/jobs/", timeout=10).status_code == 401
    favicon = requests.get(f"{address}/favicon.ico", timeout=10)
    assert favicon.status_code == 200 and favicon.headers["Content-Type"] == "image/svg+xml"


def check_session_surfaces(address: str) -> None:
    session = logged_in(address)
    for path in ("/dashboard/", "/dashboard/jobs/", "/admin/jobs/queuestats/", "/admin/django-rq/",
                 "/api/docs/", "/graphql/"):  # fmt: skip
        answer = session.get(address + path, headers={"Accept": "text/html"}, timeout=30)
        assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:300]}"
    admin = session.get(f"{address}/admin/", timeout=10).text
    assert 'href="/dashboard/"' in admin and "favicon.svg" in admin


def test_a_startproject_host_following_the_readme_serves_every_surface(host):
    address = build(host)
    try:
        check_anonymous_surfaces(address)
        check_token_surfaces(address, token_for(host, "admin"))
        check_session_surfaces(address)
    except AssertionError as failure:
        raise AssertionError(f"{failure}\n--- host logs ---\n{host.logs()}") from failure
    assert "System check identified no issues" in host.manage("check")
