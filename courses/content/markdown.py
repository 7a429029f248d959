"""Lesson Markdown: python-markdown plus embeds, callouts and glossary links, then nh3.

Embeds and callouts are cut out of the text before Markdown runs and replaced by opaque
tokens; Markdown output is sanitised with nh3; then the tokens are swapped for HTML built by
our own templates (escaped, trusted). So nothing an author writes reaches the page unsanitised.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass, field
from typing import Protocol

import markdown
import nh3

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
GLOSSARY_LINK = re.compile(r"\[\[(?P<slug>[^\]|]+?)(?:\|(?P<text>[^\]]+))?\]\]")
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
ALLOWED_CLASSES = {"div": {"footnote"}, "a": {"footnote-ref", "footnote-backref"}}


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
        if re.match(r"^#(?!#)\s", line):
            result.problems.append(
                (number, "use ## for headings: the lesson title is the page's only # heading")
            )
        if match := EMBED.match(line):
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
    def term_link(self, slug: str, text: str) -> str: ...


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
    allowed_classes=ALLOWED_CLASSES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    clean_content_tags={"script", "style"},
    strip_comments=True,
)


def sanitise(fragment: str) -> str:
    return _cleaner.clean(fragment)


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["tables", "footnotes", "attr_list", "toc", "sane_lists", "fenced_code"],
        extension_configs={
            "toc": {"permalink": False, "toc_depth": "2-3"},
            "footnotes": {"BACKLINK_TITLE": "Back to the text"},
        },
        output_format="html",
    )


def render(text: str, resolver: Resolver) -> Rendered:
    nonce = secrets.token_hex(4)
    blocks: dict[str, tuple[str, str, str]] = {}  # token: (callout|embed, kind, text or slug)
    terms: list[str] = []
    inline: dict[str, str] = {}

    def token(kind: str) -> str:
        return f"mc{nonce}{kind}{len(blocks) + len(inline)}x"

    def link_term(match: re.Match[str]) -> str:
        slug = match["slug"].strip()
        shown = (match["text"] or slug.replace("-", " ")).strip()
        if slug not in terms:
            terms.append(slug)
        key = token("t")
        inline[key] = resolver.term_link(slug, shown)
        return key

    lines: list[str] = []
    callout: tuple[str, list[str]] | None = None
    in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if callout is not None and not in_fence and CALLOUT_END.match(line):
            kind, inner = callout
            key = token("c")
            inner_text = GLOSSARY_LINK.sub(link_term, "\n".join(inner))
            blocks[key] = ("callout", kind, inner_text)
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
        lines.append(line if in_fence else GLOSSARY_LINK.sub(link_term, line))
    if callout is not None:  # unclosed: show its text rather than lose it
        lines += callout[1]

    md = _markdown()
    body = sanitise(md.convert("\n".join(lines)))
    headings = [
        Heading(t["id"], html.unescape(t["name"]), t["level"])
        for t in _flatten(md.toc_tokens)  # type: ignore[attr-defined]
    ]
    for key, (block, kind, value) in blocks.items():
        if block == "callout":
            built = resolver.callout(kind, CALLOUTS[kind], _render_block(value))
        else:
            built = resolver.embed(kind, value)
        body = body.replace(f"<p>{key}</p>", built)
    for key, link in inline.items():
        body = body.replace(key, link)
    return Rendered(body, headings, terms)


def _render_block(text: str) -> str:
    return sanitise(_markdown().convert(text))


def _flatten(tokens: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    flat = []
    for t in tokens:
        flat.append(t)
        flat += _flatten(t.get("children", []))
    return flat
