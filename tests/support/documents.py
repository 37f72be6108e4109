"""Reading rendered PDF documents back: their text (pypdf) and the PDF features a served document must not have."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

# JavaScript, actions run on open or on an event, annotations (links are), links out, launched programs, attached or
# embedded files, forms.
UNSAFE_NAMES = frozenset(
    {"/JavaScript", "/JS", "/OpenAction", "/AA", "/Annots", "/URI", "/Launch", "/GoToR", "/EmbeddedFile", "/AcroForm"}
)
_WRAP = re.compile(r"\s+")
_PAGE_NUMBER = re.compile(r"—\d+—")


def pdf_text(pdf: bytes) -> str:
    """The text of every page, line breaks, spaces and page numbers (— 2 —) dropped: CJK wrapping breaks lines
    anywhere, and a paragraph running over a page would have the page number in its middle."""
    reader = PdfReader(io.BytesIO(pdf))
    return _PAGE_NUMBER.sub("", _WRAP.sub("", "".join(page.extract_text() for page in reader.pages)))


def unsafe_features(pdf: bytes) -> list[str]:
    """The unsafe names used as keys anywhere in the document's object graph, from the trailer down."""
    reader = PdfReader(io.BytesIO(pdf))
    found: set[str] = set()
    seen: set[int] = set()

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, dict):
            found.update(str(k) for k in node if str(k) in UNSAFE_NAMES)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(reader.trailer)
    return sorted(found)
