"""A bulletin's HTML as the portal embeds it (监测简报正文): the chart and the table, never the document around them.

Monitoring publishes each bulletin as a standalone document: ``<head>`` with its ``<style>``, then
``<article class="greenlaw-bulletin">`` holding the ``<h1>`` title, the summary and
``<div class="greenlaw-bulletin-body">`` (chart and table). The portal page shows the title, period and summary
itself, so it embeds only that body: no second title, and no stylesheet of the bulletin reaching the portal's own
``body`` or ``main``. Bulletins published before the body had its own element (the chart and table straight after
the ``<h1>`` and summary in ``<body>``) and plain fragments are embedded the same way.
"""

from __future__ import annotations

import re

BODY_CLASS = "greenlaw-bulletin-body"
_BODY_OPEN = f'<div class="{BODY_CLASS}">'
_DOCUMENT_BODY = re.compile(r"<body\b[^>]*>(.*)</body\s*>", re.S | re.I)
_HEADING = re.compile(r"\A\s*<h1\b[^>]*>.*?</h1\s*>\s*(?:<p\b[^>]*>.*?</p\s*>)?", re.S | re.I)
_SVG = re.compile(r"(<svg\b.*?</svg\s*>)", re.S | re.I)
_STYLE = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.S | re.I)


def bulletin_body(html: str) -> str:
    """The part of a bulletin's HTML that goes inside the portal page, in ``<div class="greenlaw-bulletin-body">``."""
    start = html.find(_BODY_OPEN)
    if start >= 0:
        end = html.rfind("</div>")
        if end > start:
            return html[start : end + len("</div>")]
    document = _DOCUMENT_BODY.search(html)
    inner = _HEADING.sub("", document.group(1), count=1) if document else html
    # A stylesheet outside a chart would restyle the whole portal page; a chart keeps its own (it styles the SVG).
    parts = _SVG.split(inner)
    inner = "".join(part if i % 2 else _STYLE.sub("", part) for i, part in enumerate(parts))
    return f"{_BODY_OPEN}{inner}</div>"
