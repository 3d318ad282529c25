"""GraphiQL's documentation pane loads the schema (its introspection passes the limits)."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_pane_shows_the_schemas_root_types(browser, live_server, admin_user, settings):
    settings.JOBS_GRAPHQL = {"GRAPHIQL": True, "INTROSPECTION": True}
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))
    page.goto("/graphql/")
    page.wait_for_selector(".graphiql-container")
    page.click("button[aria-label='Show Documentation Explorer']")
    explorer = page.wait_for_selector(".graphiql-doc-explorer-content")
    page.wait_for_function(
        "document.querySelector('.graphiql-doc-explorer-content').innerText.includes('Mutation')"
    )
    page.click(".graphiql-doc-explorer-content a:has-text('Query')")
    page.wait_for_function(
        "document.querySelector('.graphiql-doc-explorer-content').innerText.includes('jobs')"
    )
    assert "recurringJobs" in explorer.inner_text()
    assert not [text for text in errors if "depth" in text.lower() or "schema" in text.lower()], errors
    context.close()
