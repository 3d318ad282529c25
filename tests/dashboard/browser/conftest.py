"""The dashboard's logged-in page, in the session's Chromium (tests/conftest.py)."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def page(browser, live_server, admin_user):
    """A logged-in page; any JavaScript dialog (an XSS that ran) is recorded."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/admin/login/?next=/dashboard/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard/$"))
    yield page
    context.close()
