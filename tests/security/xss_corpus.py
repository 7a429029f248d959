"""Hostile text for every field a person can fill and others see again.

Each payload, if a page ever ran it, would open a dialog (``alert``) or set
``window.__xss``; tests/security/test_xss.py checks in Chromium that neither happened and
that no element carries an event handler or a ``javascript:`` address.
"""

from __future__ import annotations

MARK = "window.__xss=1"

# Payloads that a plain-text field (a name, a title) must show as text.
HTML = [
    "<script>alert(1)</script>",
    f"<script>{MARK}</script>",
    "<img src=x onerror=alert(1)>",
    f'<img src=x onerror="{MARK}">',
    f"<svg onload={MARK}>",
    "<svg><script>alert(1)</script></svg>",
    f'<a href="javascript:{MARK}">click me</a>',
    '<a href="jav&#x09;ascript:alert(1)">tabbed</a>',
    '<a href="&#106;avascript:alert(1)">entities</a>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "'-alert(1)-'",
    '";alert(1);//',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    '<iframe srcdoc="&lt;script&gt;parent.alert(1)&lt;/script&gt;"></iframe>',
    '<math><mi xlink:href="javascript:alert(1)">maths</mi></math>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    '<div style="width: expression(alert(1))">styled</div>',
    '<style>@import "javascript:alert(1)";</style>',
    "{{ 7*7 }} {% debug %} ${7*7} #{7*7}",
    "<!--><script>alert(1)</script>-->",
    "--!><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<input autofocus onfocus="alert(1)">',
    "<body onload=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "\u202e<script>alert(1)</script>\u202c",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "\u0000<script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<svg><a xlink:href="javascript:alert(1)"><text y="20">svg link</text></a></svg>',
    "<template><script>alert(1)</script></template>",
]

# Markdown that might become a dangerous link or raw HTML after rendering.
MARKDOWN = [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "[click](vbscript:msgbox(1))",
    "![image](javascript:alert(1))",
    '![image](x" onerror="alert(1))',
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "[reference][bad]\n\n[bad]: javascript:alert(1)",
    '[title link](https://example.org "\\" onmouseover=\\"alert(1)")',
    "`<script>alert(1)</script>`",
    "```\n</code><script>alert(1)</script>\n```",
    '<div markdown="1"><script>alert(1)</script></div>',
    "*<img src=x onerror=alert(1)>*",
    "[a](<javascript:alert(1)>)",
]

ALL = HTML + MARKDOWN


def line(payloads: list[str] | None = None, *, separator: str = " ") -> str:
    """Every payload joined into one value (for fields that hold a paragraph)."""
    return separator.join(payloads or ALL)


def short(index: int) -> str:
    """One payload, chosen round-robin, for fields that are short (names, titles)."""
    return HTML[index % len(HTML)]
