"""Evidence and full-process records (证据, 全过程记录) in the content-addressed store (``shared.file_store``).

Verification re-hashes every stored file of a case and reports any mismatch.
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from datetime import UTC, datetime

from sqlmodel import col, select

from services.cases.domain.history import CaseAction
from services.cases.handlers.cases import audit_case
from services.cases.handlers.rows import new_id
from services.cases.schemas import EvidenceCheck, EvidenceVerification
from services.cases.tables import Case, Evidence
from shared.errors import Invalid, NotFound
from shared.file_store import ContentStore, StoredFile
from shared.messaging import UnitOfWork

KINDS = frozenset({"video", "audio", "photo", "document", "record"})


async def store_evidence(
    uow: UnitOfWork,
    case: Case,
    content: AsyncIterable[bytes],
    *,
    store: ContentStore,
    kind: str,
    filename: str,
    content_type: str,
    captured_by: str,
    captured_at: datetime,
    actor: str,
) -> Evidence:
    """证据上传: the capture time is checked before a byte is stored, then the file is streamed to the store."""
    if captured_at.tzinfo is None:
        raise Invalid("captured_at 须含时区 captured_at needs a time zone offset", slug="validation")
    stored = await store.put_stream(content)
    return await register_evidence(
        uow,
        case,
        stored,
        kind=kind,
        filename=filename,
        content_type=content_type,
        captured_by=captured_by,
        captured_at=captured_at,
        actor=actor,
    )


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
        captured_at=captured_at.astimezone(UTC),  # as the database gives it back: one form in every answer
        uploaded_by=actor,
    )
    uow.session.add(evidence)
    await audit_case(
        uow,
        case,
        actor=actor,
        action=CaseAction.EVIDENCE_ADDED,
        data={"evidence_id": evidence.id, "sha256": stored.sha256, "kind": kind, "filename": filename},
    )
    return evidence


async def list_evidence(uow: UnitOfWork, case_id: str) -> list[Evidence]:
    statement = select(Evidence).where(Evidence.case_id == case_id).order_by(col(Evidence.created_at))
    return list((await uow.session.exec(statement)).all())


async def get_evidence(uow: UnitOfWork, case: Case, evidence_id: str) -> Evidence:
    """An evidence item of ``case`` (whose ownership the caller has already passed)."""
    found = await uow.session.get(Evidence, evidence_id)
    if found is None or found.case_id != case.id:
        raise NotFound(f"证据不存在 Evidence {evidence_id} not found")
    return found


def verify(store: ContentStore, items: list[Evidence]) -> EvidenceVerification:
    """Each file's state: ok, missing or altered (its content no longer hashes to the recorded SHA-256)."""
    checks: list[EvidenceCheck] = []
    for item in items:
        actual = store.rehash(item.sha256)
        status = "ok" if actual == item.sha256 else "missing" if actual is None else "altered"
        checks.append(EvidenceCheck(evidence_id=item.id, sha256=item.sha256, status=status, actual_sha256=actual))
    return EvidenceVerification(ok=all(c.status == "ok" for c in checks), items=checks)
