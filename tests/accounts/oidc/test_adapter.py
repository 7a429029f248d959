"""Whose word a provider's sign-in is taken for."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.sso.adapter import Refusal, refusal_for


@pytest.fixture(autouse=True)
def signup_domains(settings: Any) -> None:
    settings.SIGNUP_ALLOWED_DOMAINS = ["gov.uk", "*.gov.uk"]


def test_verified_address_on_a_sign_up_domain_is_accepted() -> None:
    assert refusal_for(email="a@cabinetoffice.gov.uk", verified=True, provider_domains=[]) is None


def test_no_address_is_refused() -> None:
    assert refusal_for(email=None, verified=True, provider_domains=[]) is Refusal.NO_EMAIL


def test_unverified_address_is_refused_even_on_an_allowed_domain() -> None:
    refusal = refusal_for(email="a@cabinetoffice.gov.uk", verified=False, provider_domains=[])
    assert refusal is Refusal.UNVERIFIED_EMAIL


def test_without_its_own_list_a_provider_vouches_for_the_sign_up_domains() -> None:
    refusal = refusal_for(email="a@example.com", verified=True, provider_domains=[])
    assert refusal is Refusal.DOMAIN_NOT_ALLOWED


@pytest.mark.parametrize(
    ("email", "refusal"),
    [
        ("a@cabinetoffice.gov.uk", None),
        ("a@CabinetOffice.GOV.UK", None),
        ("a@digital.cabinetoffice.gov.uk", None),
        ("a@hmrc.gov.uk", Refusal.DOMAIN_NOT_ALLOWED),
        ("a@cabinetoffice.gov.uk.example.com", Refusal.DOMAIN_NOT_ALLOWED),
    ],
)
def test_a_provider_list_replaces_the_sign_up_domains(email: str, refusal: Refusal | None) -> None:
    domains = ["cabinetoffice.gov.uk", "*.cabinetoffice.gov.uk"]
    assert refusal_for(email=email, verified=True, provider_domains=domains) is refusal
