"""The PDF renderer (ReportLab platypus): A4, the built-in CID font STSong-Light, CJK line wrapping.

The CID font ships with ReportLab (no font file, no system package) and is not embedded: viewers substitute a Song
face, and text extraction gives the Chinese back. Every text is escaped before it reaches ReportLab's paragraph
markup, so a record's text can never add a link, an image (a local file read) or any other markup. Output is
byte-for-byte reproducible (no creation date or random id), so a document's SHA-256 can be checked by rendering
it again.
"""

from __future__ import annotations

import io
import re
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from shared.documents.layout import Block, FormalDocument, Heading, Paragraph, Signature, Table, chinese_date

PDF_MEDIA_TYPE = "application/pdf"
# A lone surrogate (a JSON "\\ud800" escape decodes to one) cannot be encoded for the font: shown as U+FFFD.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
FONT = "STSong-Light"
BODY_SIZE = 12


@cache
def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle(
        "body",
        fontName=FONT,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.75,
        firstLineIndent=BODY_SIZE * 2,
        alignment=TA_JUSTIFY,
        wordWrap="CJK",
    )
    return {
        "authority": ParagraphStyle(
            "authority",
            parent=body,
            fontSize=20,
            leading=30,
            alignment=TA_CENTER,
            firstLineIndent=0,
            textColor=colors.HexColor("#c00000"),
        ),
        "title": ParagraphStyle("title", parent=body, fontSize=20, leading=30, alignment=TA_CENTER, firstLineIndent=0),
        "number": ParagraphStyle("number", parent=body, alignment=TA_CENTER, firstLineIndent=0, spaceAfter=6),
        "heading": ParagraphStyle("heading", parent=body, firstLineIndent=BODY_SIZE * 2, spaceBefore=4),
        "body": body,
        "plain": ParagraphStyle("plain", parent=body, firstLineIndent=0, alignment=TA_LEFT),
        "right": ParagraphStyle("right", parent=body, firstLineIndent=0, alignment=TA_RIGHT),
        "cell": ParagraphStyle("cell", parent=body, firstLineIndent=0, alignment=TA_LEFT, leading=BODY_SIZE * 1.4),
        "note": ParagraphStyle("note", parent=body, fontSize=9, leading=14, firstLineIndent=0, alignment=TA_LEFT),
    }


def _markup(text: str) -> str:
    """``text`` as ReportLab paragraph markup that shows it literally."""
    return escape(_LONE_SURROGATE.sub("\ufffd", text))


def _text(text: str, style: str) -> list[Flowable]:
    """One ReportLab paragraph per line of ``text``: escaped, so nothing in it is read as markup."""
    styles = _styles()
    return [RLParagraph(_markup(line), styles[style]) for line in text.splitlines() if line.strip()]


def _table(block: Table) -> Flowable:
    styles = _styles()
    rows = [
        [RLParagraph(_markup(label), styles["cell"]), RLParagraph(_markup(value), styles["cell"])]
        for label, value in block.rows
    ]
    width = A4[0] - 50 * mm
    table = RLTable(rows, colWidths=[width * 0.3, width * 0.7], minRowHeights=[14 * mm] * len(rows))
    table.setStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.75, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ]
    )
    return table


def _block(block: Block) -> list[Flowable]:
    match block:
        case Heading(text=text):
            return _text(text, "heading")
        case Paragraph(text=text, plain=plain):
            return _text(text, "plain" if plain else "body")
        case Table():
            return [Spacer(1, 4 * mm), _table(block), Spacer(1, 4 * mm)]
        case Signature(authority=authority, on=on):
            return [Spacer(1, 12 * mm), *_text(authority, "right"), *_text(chinese_date(on), "right")]
    raise TypeError(f"not a document block: {block!r}")


def _page_number(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 10)
    canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {doc.page} —")
    canvas.restoreState()


def render_pdf(document: FormalDocument) -> bytes:
    """The document as PDF bytes (A4): header, body blocks, closing, note; page numbers at the foot."""
    styles = _styles()
    story: list[Flowable] = [*_text(document.authority, "authority"), *_text(document.title, "title")]
    if document.number:
        story += _text(document.number, "number")
    story.append(Spacer(1, 4 * mm))
    for block in document.blocks:
        story += _block(block)
    if document.note:
        story += [Spacer(1, 8 * mm), RLParagraph(_markup(document.note), styles["note"])]
    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=30 * mm,
        bottomMargin=25 * mm,
        title=f"{document.title} {document.number or ''}".strip(),
        author=document.authority,
        subject=document.title,
        keywords=list(document.keywords),
        creator="greenlaw",
        invariant=True,
    )
    pdf.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return out.getvalue()
