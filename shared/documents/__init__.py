"""Formal documents (执法文书) as PDF: the layout model, the templates of each kind and the renderer.

Services build a ``FormalDocument`` from their records with the templates (``decisions``, ``forms``) and render it
with ``render_pdf``; the templates are code over plain data, so cases, disclosure and referral share one layout.
"""

from shared.documents.layout import Block, FormalDocument, Heading, Paragraph, Signature, Table
from shared.documents.pdf import PDF_MEDIA_TYPE, render_pdf

__all__ = [
    "PDF_MEDIA_TYPE",
    "Block",
    "FormalDocument",
    "Heading",
    "Paragraph",
    "Signature",
    "Table",
    "render_pdf",
]
