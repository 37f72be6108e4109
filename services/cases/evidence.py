"""Evidence and full-process records (证据, 全过程记录) in the content-addressed store (``shared.file_store``).

Verification re-hashes every stored file of a case and reports any mismatch.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from services.cases.case_tables import Case, Evidence
from services.cases.casework import audit_case
from services.cases.common import new_id
from shared.file_store import ContentStore, StoredFile
from shared.messaging import UnitOfWork

KINDS = frozenset({"video", "audio", "photo", "document", "record"})


async def register_evidence(
    uow: UnitOfWork,
    case: Case,
    stored: StoredFile,
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
        size_bytes=stored.size,
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


def verify(store: ContentStore, items: list[Evidence]) -> list[dict[str, object]]:
    """Each file's state: ok, missing or altered (its content no longer hashes to the recorded SHA-256)."""
    results: list[dict[str, object]] = []
    for item in items:
        actual = store.rehash(item.sha256)
        status = "ok" if actual == item.sha256 else "missing" if actual is None else "altered"
        results.append({"evidence_id": item.id, "sha256": item.sha256, "status": status, "actual_sha256": actual})
    return results
