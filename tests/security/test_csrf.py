"""Every address of the site refuses a POST without a CSRF token (issue 7: CSRF on every
state-changing view). The walk reads the URL patterns themselves, so a new view is covered
without being listed here; the few that must take a POST without a token say why below."""

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

# Address name (namespace:name): why it takes a POST without a token.
EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients POST "List-Unsubscribe=One-Click" with no
    # cookie or token; the signed token in the address is the proof.
    "cohorts:unsubscribe": "one-click unsubscribe from an email (RFC 8058)",
}


def test_every_post_without_a_token_is_refused(site_admin: Any, author: Any) -> None:
    course = course_services.import_course(path=MINI_COURSE)
    workspace = authoring_services.workspace_for_course(course=course)
    CourseRole.objects.create(workspace=workspace, user=author, role=Role.OWNER)
    values = arguments(workspace, author)
    client = Client(enforce_csrf_checks=True)
    client.force_login(site_admin)
    refused, allowed = 0, []
    for route, name, entry in patterns():
        response = client.post(url_for(route, name, entry, values), {"field": "value"})
        if name in EXEMPT:
            assert response.status_code != 403, f"{name} is no longer exempt: update EXEMPT"
        elif response.status_code == 403:
            refused += 1
        else:
            allowed.append((name, route, response.status_code))
    assert not allowed, f"these took a POST without a CSRF token: {allowed}"
    assert refused > 100
