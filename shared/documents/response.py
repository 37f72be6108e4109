"""Serving a rendered document: always as a download under a plain ASCII file name, never sniffed."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from fastapi import Response

from shared.documents.pdf import PDF_MEDIA_TYPE

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

# OpenAPI of a route answering a PDF document.
PDF_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the document (PDF), as a download",
        "content": {PDF_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        "headers": {
            "Content-Disposition": {"description": "attachment; filename=…", "schema": {"type": "string"}},
            "X-Content-SHA256": {"description": "SHA-256 (hex) of the document", "schema": {"type": "string"}},
        },
    }
}


def safe_filename(stem: str) -> str:
    """``stem`` as a file name of ASCII letters, digits, ``.``, ``_`` and ``-`` only, ending in ``.pdf``: nothing a
    browser or a file system could read as a path, a header break or a second extension."""
    cleaned = _UNSAFE_NAME.sub("-", stem).strip(".-")[:80] or "document"
    return f"{cleaned}.pdf"


def download_headers(stem: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{safe_filename(stem)}"',
        "X-Content-Type-Options": "nosniff",
    }


def pdf_response(pdf: bytes, *, stem: str) -> Response:
    """A staff download: the SHA-256 as ``ETag`` and ``X-Content-SHA256``, so the reader can check what it got
    against the record; not kept by shared caches."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    headers = {
        **download_headers(stem),
        "ETag": f'"{sha256}"',
        "X-Content-SHA256": sha256,
        "Cache-Control": "private, no-store",
    }
    return Response(pdf, media_type=PDF_MEDIA_TYPE, headers=headers)
