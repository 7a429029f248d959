"""Every form and every address of the site, sent hostile and malformed input by hypothesis,
as an admin (who reaches everything) and as a learner: nothing may answer 5xx or raise.

The field names come from the pages themselves (each address is fetched first and its forms'
``<input>``, ``<select>`` and ``<textarea>`` names read), so a new form is fuzzed without being
listed here. Values mix text (NUL, huge, unicode, markup), numbers, empties, repeated keys and
files for multipart forms; raw bodies with invalid UTF-8 are sent too. GET pages get fuzzed
query strings (``page``, ``next`` and their filters).

Run deeper with ``HYPOTHESIS_PROFILE=deep`` (the default profile, ``ci``, keeps the whole file
to a few minutes on SQLite).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote_from_bytes, urlencode

import pytest
from django.conf import settings as settings_
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security import xss_corpus
from tests.security.site import patterns, url_for
from tests.security.test_access_walk import World, address, build_world, undone

pytestmark = pytest.mark.django_db

settings.register_profile(
    "ci",
    max_examples=4,
    deadline=None,
    database=None,  # nothing written into the checkout
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("deep", parent=settings.get_profile("ci"), max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PERSONAS = ["admin", "learner_a"]


# --- Reading the forms on a page -----------------------------------------------------------
@dataclass
class Form:
    method: str
    multipart: bool
    names: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)
    options: dict[str, list[str]] = field(default_factory=dict)
    initial: dict[str, list[str]] = field(default_factory=dict)  # what it would send untouched


class _FormReader(HTMLParser):
    """Each form's fields, the choices it offers, and what it would send as it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(
                Form(
                    method=found.get("method", "get").lower(),
                    multipart="multipart" in found.get("enctype", ""),
                )
            )
            return
        form = self.forms[-1] if self.forms else None
        if form is None:
            return
        if tag == "option" and self._select:
            value = found.get("value", "")
            form.options.setdefault(self._select, []).append(value)
            if "selected" in found or not self._chosen:
                form.initial[self._select] = [value]
                self._chosen = "selected" in found
            return
        name = found.get("name")
        if not name or tag not in ("input", "select", "textarea", "button"):
            return
        kind = found.get("type", "")
        if kind == "file":
            form.files.add(name)
            return
        form.names.add(name)
        if "value" in found and kind != "hidden":
            form.options.setdefault(name, []).append(found["value"])
        if tag == "select":
            self._select, self._chosen = name, False
        elif tag == "textarea":
            self._textarea = name
            form.initial[name] = [""]
        elif tag == "input" and (kind not in ("checkbox", "radio") or "checked" in found):
            form.initial.setdefault(name, []).append(found.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].initial[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


# --- Values --------------------------------------------------------------------------------
HUGE = ["x" * 100_000, "9" * 5_000, "é" * 20_000, "\n" * 10_000]
STRANGE = [
    "", " ", "\x00", "a\x00b", "0", "-1", "1e308", "-1e400", "NaN", "inf", "0x10", "1,000",
    "2026-02-30", "9999-12-31", "0000-00-00", "../../etc/passwd", "%00", "%s%n", "\ufeff",
    "\u202e", "𝕏" * 3, "null", "[]", "{}", "true", "None", "//evil.example", "https://evil.example",
    "\\\\evil.example", "javascript:alert(1)", "up", "down", "owner", "editor", "reviewer",
    "preview", "save", "on", "1", "2", "3", "-0", "1.5", "1_000", "٣", "¹", "Ⅻ",
]  # fmt: skip
texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    # Lone surrogates cannot travel as UTF-8: a browser sends U+FFFD in their place.
    st.text(alphabet=st.characters(categories=["Cs", "Lo", "Zs"]), max_size=30).map(
        lambda text: text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    ),
    st.sampled_from(STRANGE),
    st.sampled_from(xss_corpus.ALL),
    st.sampled_from(HUGE),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(str),
)
# Django's request parsing replaces what is not UTF-8; a raw body exercises that path.
raw_bytes = st.binary(max_size=60)
files = st.builds(
    lambda name, content: SimpleUploadedFile(name, content),
    st.sampled_from(["data.csv", "course.zip", "x", "../../x.csv", "a" * 300 + ".csv", "é.txt"]),
    st.one_of(
        st.binary(max_size=3000),
        st.sampled_from(
            [
                b"",
                b"PK\x03\x04" + b"\x00" * 40,
                b"email\nsomeone@example.gov.uk\n\x00\n",
                b"year,volume\n1871,1120\n1872,\n",
                b"\xef\xbb\xbfa,b\n1,2\n",
                ("a,b\n" + "1,2\n" * 5000).encode(),
                b"\xff\xfe\x00\x00",
            ]
        ),
    ),
)


def values_for(name: str, form: Form | None) -> st.SearchStrategy[Any]:
    known = form.options.get(name, []) if form else []
    one = st.one_of(texts, st.sampled_from(known)) if known else texts
    return st.one_of(one, st.lists(one, min_size=0, max_size=3))


@st.composite
def form_data(draw: st.DrawFn, form: Form | None, extra_names: list[str]) -> dict[str, Any]:
    names = sorted(form.names) if form else []
    # Start from what the form would send as it stands (so the request gets past the first
    # checks into the services), then change some fields and leave some out.
    data: dict[str, Any] = dict(form.initial) if form else {}
    for name in names:
        change = draw(st.integers(0, 5))
        if change == 0:
            data.pop(name, None)
        elif change <= 2 or name not in data:
            data[name] = draw(values_for(name, form))
    for name in draw(st.lists(st.sampled_from(extra_names), max_size=4)):
        data[name] = draw(values_for(name, None))
    if draw(st.integers(0, 5)) == 0:
        data[draw(st.text(min_size=1, max_size=20))] = draw(texts)
    if form and (form.multipart or form.files):
        for name in sorted(form.files) or ["file"]:
            if draw(st.integers(0, 4)):
                data[name] = draw(files)
    return data


# --- The walk ------------------------------------------------------------------------------
@dataclass
class Address:
    name: str
    url: str
    forms: list[Form]
    get_status: int


def addresses(client: Client, world: World) -> list[Address]:
    found = []
    for route, name, entry in patterns():
        key = address(route, name)
        url = url_for(route, name, entry, {**world.values, **world.by_name.get(key, {})})
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        html = response.content.decode(errors="replace") if _is_html(response) else ""
        found.append(Address(key, url, forms_on(html), response.status_code))
    return found


def _is_html(response: Any) -> bool:
    return "text/html" in response.get("Content-Type", "") and not response.streaming


def signed_in(world: World, persona: str) -> Client:
    client = Client(raise_request_exception=True)  # an exception in a view fails the test
    client.force_login(world.users[persona])
    return client


@contextmanager
def sending(client: Client, world: World, persona: str) -> Iterator[None]:
    """Send one request whose changes are all undone. The session's row is undone with them,
    so if the request gave the client another session (signing out, say), sign in again."""
    before = client.cookies.get(settings_.SESSION_COOKIE_NAME)
    with undone():
        yield
    if client.cookies.get(settings_.SESSION_COOKIE_NAME) != before:
        client.force_login(world.users[persona])


def _fail_on_server_error(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}"


# Sign-in and password pages hash every password they are sent, on purpose slowly.
HASHING = ("account_", "mfa_")


def _examples(target: Address) -> int:
    examples: int = settings().max_examples
    return max(2, examples // 3) if target.name.startswith(HASHING) else examples


class Counter:
    sent = 0


def fuzz_posts(found: list[Address], *, client: Client, world: World, persona: str) -> int:
    every_name = sorted({n for a in found for f in a.forms for n in f.names} | {"next", "page"})
    counter = Counter()
    for target in found:
        _fuzz_posts_to(target, client=client, world=world, persona=persona,
                       every_name=every_name, counter=counter)  # fmt: skip
    return counter.sent


def _fuzz_posts_to(
    target: Address, *, client: Client, world: World, persona: str, every_name: list[str],
    counter: Counter,
) -> None:  # fmt: skip
    posting = [f for f in target.forms if f.method == "post"] or [None]

    @settings(max_examples=_examples(target))
    @given(st.sampled_from(posting).flatmap(
        lambda form: st.tuples(st.just(form), form_data(form, every_name))
    ))  # fmt: skip
    def post(example: tuple[Form | None, dict[str, Any]]) -> None:
        form, data = example
        with sending(client, world, persona):
            if form is not None and (form.multipart or form.files):
                response = client.post(target.url, data)
            else:
                response = client.post(target.url, _flat(data))
        counter.sent += 1
        _fail_on_server_error(response, f"POST {target.name} {target.url} with {_short(data)}")

    @settings(max_examples=max(1, _examples(target) // 3))
    @given(raw_bytes, raw_bytes)
    def post_raw(key: bytes, value: bytes) -> None:
        body = f"{quote_from_bytes(key)}={quote_from_bytes(value)}&next=%ff%fe"
        with sending(client, world, persona):
            response = client.generic(
                "POST", target.url, body, content_type="application/x-www-form-urlencoded"
            )
        counter.sent += 1
        _fail_on_server_error(response, f"raw POST {target.name} {body!r}")

    post()
    post_raw()


def fuzz_queries(found: list[Address], *, client: Client, world: World, persona: str) -> int:
    counter = Counter()
    for target in found:
        if target.get_status == 200:
            _fuzz_query_of(target, client=client, world=world, persona=persona, counter=counter)
    return counter.sent


def _fuzz_query_of(
    target: Address, *, client: Client, world: World, persona: str, counter: Counter
) -> None:
    query_forms = [f for f in target.forms if f.method == "get" and f.names]
    names = sorted({n for f in query_forms for n in f.names} | {"page", "next", "sort", "q"})
    form = Form(method="get", multipart=False)
    for each in query_forms:
        for name, offered in each.options.items():
            form.options.setdefault(name, []).extend(offered)

    pairs = st.sampled_from(names).flatmap(lambda n: st.tuples(st.just(n), values_for(n, form)))

    @settings(max_examples=max(2, _examples(target) * 2 // 3))
    @given(st.lists(pairs, max_size=4).map(dict))
    def get(query: dict[str, Any]) -> None:
        url = f"{target.url}?{urlencode(_flat(query), doseq=True)}"
        with sending(client, world, persona):
            response = client.get(url)
        counter.sent += 1
        _fail_on_server_error(response, f"GET {target.name} {url[:300]}")

    get()


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    """Form-encoded values: text or lists of text (files only go in multipart bodies)."""
    return {k: v for k, v in data.items() if not isinstance(v, SimpleUploadedFile)}


def _short(data: dict[str, Any]) -> str:
    return repr({k: (v[:80] + "…" if isinstance(v, str) and len(v) > 80 else v)
                 for k, v in data.items()})[:600]  # fmt: skip


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_address_answers_a_server_error_whatever_it_is_sent(persona: str, world: World) -> None:
    client = signed_in(world, persona)
    found = addresses(client, world)
    assert len(found) > 100
    posted = fuzz_posts(found, client=client, world=world, persona=persona)
    queried = fuzz_queries(found, client=client, world=world, persona=persona)
    assert posted > 300
    assert queried > 50
