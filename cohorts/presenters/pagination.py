"""GOV.UK pagination for a Django page of results, keeping the other query parameters: the
one way the cohort pages paginate (template ``cohorts/_pagination.html``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.http import QueryDict


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: an ellipsis
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    previous_url: str
    next_url: str
    links: tuple[PageLink, ...]
    start: int
    end: int
    count: int
    label: str  # the navigation landmark's name, such as "Pages of learners"


def page_numbers(*, current: int, last: int) -> list[int | None]:
    """The page numbers the GOV.UK pagination component shows: the first, the last, and the
    ones next to the current page, with None for the gaps."""
    wanted = sorted({1, last, current - 1, current, current + 1} & set(range(1, last + 1)))
    numbers: list[int | None] = []
    for number in wanted:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def pagination(
    *,
    page: Page[Any],
    query: QueryDict | Mapping[str, str],
    fragment: str = "",
    label: str = "Pages of learners",
) -> Pagination | None:
    """Links to the other pages of ``page`` (None when there is only one), each keeping the
    parameters of ``query`` (the filters) and ending in ``#fragment`` if given."""
    params = QueryDict(mutable=True)
    if isinstance(query, QueryDict):
        for key, values in query.lists():
            params.setlist(key, values)
    else:
        params.update(query)
    anchor = f"#{fragment}" if fragment else ""

    def url(number: int) -> str:
        params["page"] = str(number)
        return f"?{params.urlencode()}{anchor}"

    paginator = page.paginator
    if paginator.num_pages <= 1:
        return None
    return Pagination(
        previous_url=url(page.number - 1) if page.has_previous() else "",
        next_url=url(page.number + 1) if page.has_next() else "",
        links=tuple(
            PageLink(number=n) if n is None else PageLink(n, url(n), n == page.number)
            for n in page_numbers(current=page.number, last=paginator.num_pages)
        ),
        start=page.start_index(),
        end=page.end_index(),
        count=paginator.count,
        label=label,
    )
