import pytest

pytestmark = pytest.mark.django_db


def test_status_page_sends_signed_out_people_to_sign_in(client) -> None:
    response = client.get("/status/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["learner", "author"])
def test_status_page_is_refused_to_non_admins(client, request, persona: str) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/status/").status_code == 403
    assert client.post("/status/").status_code == 403


def test_admins_see_the_services_and_workers(client, site_admin, django_assert_max_num_queries):
    client.force_login(site_admin)
    with django_assert_max_num_queries(6):
        response = client.get("/status/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "System status" in html
    assert "No worker has recorded a heartbeat" in html
