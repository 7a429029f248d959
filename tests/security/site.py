"""Every address of the site, from its URL patterns, with values to fill them: walks that
cover a new view without anyone listing it."""

from __future__ import annotations

import re
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse


def patterns(
    found: list[URLResolver | URLPattern] | None = None,
    prefix: str = "",
    namespace: str | None = None,
) -> list[tuple[str, str, URLPattern]]:
    """(route, namespaced name, pattern) for every view of the site but Django's admin."""
    walked = []
    for entry in get_resolver().url_patterns if found is None else found:
        route = prefix + str(entry.pattern)
        if route.startswith("admin/"):
            continue  # Django's own admin, which Django tests
        if isinstance(entry, URLResolver):
            walked += patterns(entry.url_patterns, route, entry.namespace or namespace)
        else:
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            walked.append((route, name, entry))
    return walked


def url_for(route: str, name: str, entry: URLPattern, values: dict[str, Any]) -> str:
    """The address, each part filled from ``values`` or with a stand-in."""
    groups = entry.pattern.regex.groupindex
    if groups and "(?P<" in route:  # a re_path (allauth's)
        return reverse(name, kwargs={group: "1" for group in groups})

    def fill(match: re.Match[str]) -> str:
        kind, part = match["kind"] or "str", match["name"]
        return str(values.get(part, 1 if kind == "int" else "x"))

    return "/" + re.sub(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>", fill, route)
