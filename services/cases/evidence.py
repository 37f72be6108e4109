"""Evidence and full-process records (证据, 全过程记录) in a content-addressed store: files named by SHA-256.

Uploads are streamed to a temporary file while hashing, then moved to ``<dir>/<sha[:2]>/<sha>``; identical
content is stored once. Verification re-hashes every stored file of a case and reports any mismatch.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import col, select

from services.cases.case_tables import Case, Evidence
from services.cases.casework import audit_case
from services.cases.common import new_id
from shared.messaging import UnitOfWork
from shared.problems import Problem

KINDS = frozenset({"video", "audio", "photo", "document", "record"})
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Stored:
    sha256: str
    size_bytes: int


def path_of(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


async def store_stream(root: Path, chunks: AsyncIterator[bytes], *, max_bytes: int) -> Stored:
    """Hash while writing; refuse (413) as soon as the limit is passed, leaving nothing behind."""
    digest, size = hashlib.sha256(), 0
    handle, temp_name = _temp_file(root)
    try:
        with os.fdopen(handle, "wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise Problem(413, f"文件超过大小限制 File exceeds {max_bytes} bytes", slug="payload-too-large")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise Problem(422, "文件为空 Empty file", slug="empty-file")
        sha = digest.hexdigest()
        _settle(temp_name, path_of(root, sha))
        return Stored(sha256=sha, size_bytes=size)
    finally:
        _discard(temp_name)


def _temp_file(root: Path) -> tuple[int, str]:
    root.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(dir=root, prefix=".upload-")


def _settle(temp_name: str, target: Path) -> None:
    """Same content, same name: an existing file is simply replaced by identical bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temp_name, target)


def _discard(temp_name: str) -> None:
    if os.path.exists(temp_name):
        os.unlink(temp_name)


async def register_evidence(
    uow: UnitOfWork,
    case: Case,
    stored: Stored,
    *,
    kind: str,
    filename: str,
    content_type: str,
    captured_by: str,
    captured_at: datetime,
    actor: str,
) -> Evidence:
    evidence = Evidence(
        id=new_id(),
        case_id=case.id,
        kind=kind,
        filename=filename,
        content_type=content_type,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        captured_by=captured_by,
        captured_at=captured_at,
        uploaded_by=actor,
    )
    uow.session.add(evidence)
    await audit_case(
        uow,
        case,
        actor=actor,
        action="evidence_added",
        data={"evidence_id": evidence.id, "sha256": stored.sha256, "kind": kind, "filename": filename},
    )
    return evidence


async def list_evidence(uow: UnitOfWork, case_id: str) -> list[Evidence]:
    statement = select(Evidence).where(Evidence.case_id == case_id).order_by(col(Evidence.created_at))
    return list((await uow.session.exec(statement)).all())


def rehash(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(root: Path, items: list[Evidence]) -> list[dict[str, object]]:
    """Each file's state: ok, missing or altered (its content no longer hashes to the recorded SHA-256)."""
    results: list[dict[str, object]] = []
    for item in items:
        actual = rehash(path_of(root, item.sha256))
        status = "ok" if actual == item.sha256 else "missing" if actual is None else "altered"
        results.append({"evidence_id": item.id, "sha256": item.sha256, "status": status, "actual_sha256": actual})
    return results
