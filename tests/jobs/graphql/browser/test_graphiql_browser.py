"""GraphiQL renders in a real browser from this site's own static files and runs a query."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_graphiql_loads_offline_and_answers_a_query(browser, live_server, admin_user, settings):
    settings.JOBS_GRAPHQL = {"GRAPHIQL": True, "INTROSPECTION": True}
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))
    page.goto("/graphql/?query=%7B%20queues%20%7B%20name%20%7D%20%7D")
    page.wait_for_selector(".graphiql-container")
    page.click(".graphiql-execute-button")
    page.wait_for_function("document.querySelector('.graphiql-response').innerText.includes('normal')")
    assert hosts == {urlparse(live_server.url).netloc}
    context.close()
