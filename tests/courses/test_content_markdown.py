"""Lesson Markdown: embeds, callouts, glossary links, and that nothing unsafe survives."""

import pytest

from courses.content.markdown import render, scan


class FakeResolver:
    def embed(self, kind: str, slug: str) -> str:
        return f'<div class="embed" data-kind="{kind}" data-slug="{slug}"></div>'

    def callout(self, kind: str, title: str, inner_html: str) -> str:
        return f'<aside class="{kind}"><p>{title}</p>{inner_html}</aside>'

    def term_url(self, slug: str) -> str | None:
        return f"/glossary#term-{slug}"


def html_of(text: str) -> str:
    return render(text, FakeResolver()).html


XSS_CORPUS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div onclick="alert(1)">x</div>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    "<object data='x.swf'></object><embed src='x.swf'>",
    "<form action='https://evil.example'><input name=x></form>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "![x](https://evil.example/track.png)",
    '<a href="https://ok.example" target="_blank" onmouseover="alert(1)">ok</a>',
    "[[median|<script>alert(1)</script>]]",
    "::: key-idea\n<script>alert(1)</script>\n:::",
]


@pytest.mark.parametrize("attack", XSS_CORPUS)
def test_nothing_unsafe_survives(attack: str) -> None:
    out = html_of(attack).lower()
    for needle in ("<script", "onerror", "onload", "onclick", "onmouseover", "javascript:",
                   "<iframe", "<svg", "style=", "<object", "<embed", "<form", "<input", "<style",
                   "<meta", "<base", "<img", "data:text"):  # fmt: skip
        assert needle not in out, f"{needle!r} survived in {out!r}"


def test_ordinary_markdown_renders() -> None:
    out = html_of("## Heading\n\nSome **bold** text.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert '<h2 id="section-heading">Heading</h2>' in out
    assert "<strong>bold</strong>" in out
    assert "<table>" in out and "<td>1</td>" in out


def test_external_links_get_safe_rel() -> None:
    assert 'rel="noopener noreferrer"' in html_of("[ONS](https://www.ons.gov.uk)")


def test_embeds_callouts_and_glossary_links_are_replaced() -> None:
    result = render(
        "Intro with [[median]] and [[mean|the mean]].\n\n{{ chart: life-g7 }}\n\n"
        "::: watch-out\nCheck the **axis**.\n:::\n\n{{ dataset: gapminder }}\n",
        FakeResolver(),
    )
    link = '<a class="govuk-link app-glossary-link" href="/glossary#term-{}" rel="noopener noreferrer">{}</a>'
    assert link.format("median", "median") in result.html
    assert link.format("mean", "the mean") in result.html
    assert '<div class="embed" data-kind="chart" data-slug="life-g7"></div>' in result.html
    assert (
        '<aside class="watch-out"><p>Watch out</p><p>Check the <strong>axis</strong>.</p>'
        in result.html
    )
    assert 'data-kind="dataset" data-slug="gapminder"' in result.html
    assert result.terms == ["median", "mean"]
    assert "<p>mc" not in result.html  # no token left behind


def test_embeds_inside_code_blocks_stay_as_text() -> None:
    out = html_of("```\n{{ chart: life-g7 }}\n```\n")
    assert "{{ chart: life-g7 }}" in out
    assert "embed" not in out


def test_headings_are_collected_for_the_contents_list() -> None:
    result = render("## One\n\ntext\n\n### One point one\n\n## Two\n", FakeResolver())
    assert [(h.id, h.text, h.level) for h in result.headings] == [
        ("section-one", "One", 2),
        ("section-one-point-one", "One point one", 3),
        ("section-two", "Two", 2),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ graph: x }}", "unknown embed 'graph': use chart, dataset or exercise"),
        (
            "{{ chart: Bad_Name }}",
            "chart name 'Bad_Name' must be lowercase words joined by hyphens",
        ),
        (
            "{{chart life}}",
            "an embed is written {{ chart: name }}, {{ dataset: name }} or {{ exercise: name }}",
        ),
        (
            "::: fun-fact\nx\n:::",
            "unknown callout 'fun-fact': use key-idea, watch-out, ask-your-analysts",
        ),
        ("::: key-idea\nnever closed", "this callout is never closed with a line of :::"),
        ("# Title again", "use ## for headings: the lesson title is the page's only # heading"),
        (
            "see [[Not A Slug]]",
            "glossary link [[Not A Slug]] must name a term's slug, such as [[median]]",
        ),
    ],
)
def test_scan_reports_syntax_problems_with_lines(text: str, message: str) -> None:
    found = scan("first line\n" + text)
    assert found.problems == [(2, message)]


def test_scan_lists_references_with_lines() -> None:
    found = scan("{{ chart: a }}\ntext [[median]]\n{{ exercise: e-1 }}\n")
    assert [(r.kind, r.slug, r.line) for r in found.references] == [
        ("chart", "a", 1),
        ("term", "median", 2),
        ("exercise", "e-1", 3),
    ]


def test_glossary_links_in_headings_leave_ids_and_contents_as_plain_text() -> None:
    result = render("## About the [[median]]\n\nText.\n", FakeResolver())
    assert result.headings[0].id == "section-about-the-median"
    assert result.headings[0].text == "About the median"
    assert '<h2 id="section-about-the-median">About the <a class="govuk-link' in result.html


def test_glossary_syntax_in_code_stays_code() -> None:
    assert "<code>[[median]]</code>" in html_of("Write `[[median]]` to link a term.")


def test_author_written_ids_are_dropped() -> None:
    out = html_of("## Terms {: #main-content }\n\ntext\n")
    assert 'id="main-content"' not in out


def test_an_embed_inside_raw_html_leaves_no_token_behind() -> None:
    out = html_of("<div>\n{{ chart: a }}\n</div>\n")
    assert "embed" not in out
    assert "mc" not in out


def test_long_runs_of_brackets_are_refused_on_import() -> None:
    # Markdown's link parsing is quadratic in them; a lesson does not need them.
    assert scan("[" * 20000).problems == [(1, "too many [ characters in a row")]


def test_embeds_cannot_go_inside_callouts() -> None:
    assert scan("::: key-idea\n{{ chart: a }}\n:::").problems == [
        (2, "charts, datasets and exercises go outside callouts, not inside them")
    ]
