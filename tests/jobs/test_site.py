"""Navigation (issue 18): ``/``, the favicon, the admin's links to the dashboard and the site."""

from __future__ import annotations

from django.contrib import admin
from django.test import Client

from tests.factories import superuser


def test_the_root_goes_to_the_dashboard_and_the_admins_view_site_link_follows(db):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert admin.site.site_url == "/"


def test_the_favicon_is_served_from_the_apps_own_file():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") and "max-age=86400" in response["Cache-Control"]


def test_the_favicon_refuses_a_post():
    assert Client().post("/favicon.ico").status_code == 405


def test_every_admin_page_links_the_dashboard_and_the_icon(db):
    client = Client()
    client.force_login(superuser())
    for path in ("/admin/", "/admin/jobs/job/", "/admin/jobs/queuestats/"):
        page = client.get(path).content.decode()
        assert 'href="/dashboard/">Dashboard</a>' in page, path
        assert 'rel="icon" href="/static/jobs/favicon.svg"' in page, path
        assert 'href="/">View site</a>' in page, path
