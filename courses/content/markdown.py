"""Lesson Markdown: python-markdown plus embeds, callouts and glossary links, then nh3.

Embeds and callouts are cut out of the text before Markdown runs and replaced by opaque
tokens; Markdown output is sanitised with nh3; then the tokens are swapped for HTML built by
our own templates (escaped, trusted). So nothing an author writes reaches the page unsanitised.
"""

from __future__ import annotations

import html
import re
import secrets
import xml.etree.ElementTree as etree  # noqa: N813 (python-markdown's own convention)
from dataclasses import dataclass, field
from typing import Any, Protocol

import markdown
import nh3
from markdown.extensions.toc import slugify as toc_slugify
from markdown.inlinepatterns import InlineProcessor

from courses.content.problems import Problem

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
EMBED_KINDS = ("chart", "dataset", "exercise")
EMBED = re.compile(r"^\{\{\s*(?P<kind>[a-z]+)\s*:\s*(?P<slug>[^\s}]*)\s*\}\}\s*$")
LOOKS_LIKE_EMBED = re.compile(r"^\s*\{\{.*\}\}\s*$")
CALLOUT_START = re.compile(r"^:::\s*(?P<kind>\S*)\s*$")
CALLOUT_END = re.compile(r"^:::\s*$")
CALLOUTS = {
    "key-idea": "Key idea",
    "watch-out": "Watch out",
    "ask-your-analysts": "Ask your analysts",
}
# Bounded, and with no brackets inside, so that long runs of "[" cannot make it slow.
GLOSSARY_LINK = re.compile(r"\[\[(?P<slug>[^\[\]|\n]{1,100})(?:\|(?P<text>[^\[\]\n]{1,200}))?\]\]")
SLUG_RE = re.compile(rf"^{SLUG}$")

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "caption", "a", "sup", "sub",
    "div", "hr", "br", "abbr", "dl", "dt", "dd", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id"},
    "sup": {"id"},
    "th": {"scope"},
}  # fmt: skip
ALLOWED_CLASSES = {
    "div": {"footnote"},
    "a": {"footnote-ref", "footnote-backref", "govuk-link", "app-glossary-link"},
}
# Ids that Markdown makes: headings (prefixed, so they never clash with the page's own ids)
# and footnotes. Ids written by authors are dropped.
GENERATED_ID = re.compile(r"^(section-[\w-]+|fn:[\w-]+|fnref\d*:[\w-]+)$")


def _keep_generated_ids(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if GENERATED_ID.match(value) else None
    return value


def _section_slug(value: str, separator: str) -> str:
    return "section-" + toc_slugify(value, separator)


@dataclass(frozen=True)
class Reference:
    kind: str  # chart, dataset, exercise or term
    slug: str
    line: int


@dataclass
class Scan:
    """What a piece of lesson Markdown refers to, and what is wrong with its syntax."""

    references: list[Reference] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def scan(text: str) -> Scan:
    result = Scan()
    open_callout: int | None = None
    in_fence = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence:
            continue
        if re.search(r"\[{30,}", line):
            # Markdown's link parsing slows down badly on long runs of brackets.
            result.problems.append((number, "too many [ characters in a row"))
            continue
        if re.match(r"^\s*\|\s*\|", line):
            result.problems.append(
                (number, "give every table column a heading: screen readers read them out")
            )
        if re.match(r"^#(?!#)\s", line):
            result.problems.append(
                (number, "use ## for headings: the lesson title is the page's only # heading")
            )
        if (match := EMBED.match(line)) and open_callout is not None:
            result.problems.append(
                (number, "charts, datasets and exercises go outside callouts, not inside them")
            )
        elif match := EMBED.match(line):
            kind, slug = match["kind"], match["slug"]
            if kind not in EMBED_KINDS:
                result.problems.append(
                    (number, f"unknown embed {kind!r}: use chart, dataset or exercise")
                )
            elif not SLUG_RE.match(slug):
                result.problems.append(
                    (number, f"{kind} name {slug!r} must be lowercase words joined by hyphens")
                )
            else:
                result.references.append(Reference(kind, slug, number))
        elif LOOKS_LIKE_EMBED.match(line):
            result.problems.append(
                (
                    number,
                    "an embed is written {{ chart: name }}, {{ dataset: name }} "
                    "or {{ exercise: name }}",
                )
            )
        elif CALLOUT_END.match(line) and open_callout is not None:
            open_callout = None
        elif match := CALLOUT_START.match(line):
            if open_callout is not None:
                result.problems.append(
                    (
                        number,
                        f"a callout cannot start inside the callout opened on line {open_callout}",
                    )
                )
            else:
                if match["kind"] not in CALLOUTS:
                    result.problems.append(
                        (number, f"unknown callout {match['kind']!r}: use {', '.join(CALLOUTS)}")
                    )
                open_callout = number
        for link in GLOSSARY_LINK.finditer(line):
            slug = link["slug"].strip()
            if not SLUG_RE.match(slug):
                result.problems.append(
                    (
                        number,
                        f"glossary link [[{slug}]] must name a term's slug, such as [[median]]",
                    )
                )
            else:
                result.references.append(Reference("term", slug, number))
    if open_callout is not None:
        result.problems.append((open_callout, "this callout is never closed with a line of :::"))
    return result


def problems_in(text: str, *, path: str, first_line: int) -> tuple[list[Reference], list[Problem]]:
    """Scan text that starts at ``first_line`` of ``path``; line numbers are the file's."""
    found = scan(text)
    offset = first_line - 1
    references = [Reference(r.kind, r.slug, r.line + offset) for r in found.references]
    return references, [Problem(path, line + offset, message) for line, message in found.problems]


class Resolver(Protocol):
    """Supplies trusted HTML for what a lesson embeds."""

    def embed(self, kind: str, slug: str) -> str: ...
    def callout(self, kind: str, title: str, inner_html: str) -> str: ...
    def term_url(self, slug: str) -> str | None: ...


class _GlossaryLinks(InlineProcessor):
    """[[slug]] and [[slug|text]] as links to the glossary (plain text if the term is gone).
    An inline pattern, so links never land in code, headings' ids or attributes."""

    def __init__(self, resolver: Resolver, terms: list[str]) -> None:
        super().__init__(GLOSSARY_LINK.pattern)
        self.resolver = resolver
        self.terms = terms

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[Any, int, int]:  # type: ignore[override]
        slug = m["slug"].strip()
        shown = (m["text"] or slug.replace("-", " ")).strip()
        if slug not in self.terms:
            self.terms.append(slug)
        url = self.resolver.term_url(slug)
        element = etree.Element("a" if url else "span")
        if url:
            element.set("href", url)
            element.set("class", "govuk-link app-glossary-link")
        element.text = shown
        return element, m.start(0), m.end(0)


@dataclass(frozen=True)
class Heading:
    id: str
    text: str
    level: int


@dataclass(frozen=True)
class Rendered:
    html: str
    headings: list[Heading]
    terms: list[str]  # glossary slugs, in order of first use


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_keep_generated_ids,
    allowed_classes=ALLOWED_CLASSES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    clean_content_tags={"script", "style"},
    strip_comments=True,
)


def sanitise(fragment: str) -> str:
    return _cleaner.clean(fragment)


def _markdown(
    resolver: Resolver, terms: list[str], *, unique_footnotes: bool = False
) -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=["tables", "footnotes", "attr_list", "toc", "sane_lists", "fenced_code"],
        extension_configs={
            "toc": {"permalink": False, "toc_depth": "2-3", "slugify": _section_slug},
            "footnotes": {"BACKLINK_TITLE": "Back to the text", "UNIQUE_IDS": unique_footnotes},
        },
        output_format="html",
    )
    # Above links (160) so [[...]] is ours; below code spans (190) so code stays code.
    md.inlinePatterns.register(_GlossaryLinks(resolver, terms), "glossary", 175)
    return md


def render(text: str, resolver: Resolver) -> Rendered:
    nonce = secrets.token_hex(4)
    blocks: dict[str, tuple[str, str, str]] = {}  # token: (callout|embed, kind, text or slug)
    terms: list[str] = []

    def token(kind: str) -> str:
        return f"mc{nonce}{kind}{len(blocks)}x"

    lines: list[str] = []
    callout: tuple[str, list[str]] | None = None
    in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if callout is not None and not in_fence and CALLOUT_END.match(line):
            kind, inner = callout
            key = token("c")
            blocks[key] = ("callout", kind, "\n".join(inner))
            lines += ["", key, ""]
            callout = None
            continue
        if callout is not None:
            callout[1].append(line)
            continue
        if not in_fence and (match := EMBED.match(line)) and match["kind"] in EMBED_KINDS:
            key = token("e")
            blocks[key] = ("embed", match["kind"], match["slug"])
            lines += ["", key, ""]
            continue
        if not in_fence and (match := CALLOUT_START.match(line)) and match["kind"] in CALLOUTS:
            callout = (match["kind"], [])
            continue
        lines.append(line)
    if callout is not None:  # unclosed: show its text rather than lose it
        lines += callout[1]

    md = _markdown(resolver, terms)
    body = sanitise(md.convert("\n".join(lines)))
    headings = [
        Heading(t["id"], html.unescape(t["name"]), t["level"])
        for t in _flatten(md.toc_tokens)  # type: ignore[attr-defined]
    ]
    for key, (block, kind, value) in blocks.items():
        if block == "callout":
            inner_html = sanitise(_markdown(resolver, terms, unique_footnotes=True).convert(value))
            built = resolver.callout(kind, CALLOUTS[kind], inner_html)
        else:
            built = resolver.embed(kind, value)
        body = body.replace(f"<p>{key}</p>", built)
    # A token that did not end up as a paragraph of its own (inside raw HTML, say) is dropped.
    body = re.sub(rf"mc{nonce}[ce]\d+x", "", body)
    return Rendered(body, headings, terms)


def _flatten(tokens: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    flat = []
    for t in tokens:
        flat.append(t)
        flat += _flatten(t.get("children", []))
    return flat
