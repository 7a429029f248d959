"""Every page of the site carries the strict Content Security Policy (issue 7: a test crawls
the site): scripts only from the site or with the page's nonce, no inline styles, no eval."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from authoring import services as authoring_services
from authoring.models import CourseRole, Role
from courses import services as course_services
from tests.authoring.test_url_permissions import arguments
from tests.courses.conftest import MINI_COURSE
from tests.security.site import patterns, url_for

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    found = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def test_every_page_an_admin_opens_has_the_strict_policy_and_no_server_error(
    site_admin: Any, author: Any
) -> None:
    course = course_services.import_course(path=MINI_COURSE)
    workspace = authoring_services.workspace_for_course(course=course)
    CourseRole.objects.create(workspace=workspace, user=author, role=Role.OWNER)
    values = arguments(workspace, author)
    client = Client()
    client.force_login(site_admin)
    pages = 0
    for route, name, entry in patterns():
        if name == "account_logout":
            continue  # would end the crawl's session
        response = client.get(url_for(route, name, entry, values))
        assert response.status_code < 500, f"{name}: {response.status_code}"
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        header = response.get("Content-Security-Policy", "")
        assert header, f"{name}: no Content-Security-Policy"
        policy = directives(header)
        for directive in ("default-src", "script-src", "style-src"):
            assert directive in policy, (name, directive)
            assert "'unsafe-inline'" not in policy[directive], (name, directive)
            assert "'unsafe-eval'" not in policy[directive], (name, directive)
        assert policy["object-src"] == ["'none'"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        pages += 1
    assert pages > 60
