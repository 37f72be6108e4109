"""Documents of a referral package (移送材料): attaching uploads, filling in cases' referenced evidence, reading."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import col, select

from services.referral.handlers.referrals import Actor, log_change
from services.referral.tables import Referral, ReferralDocument
from shared.errors import Invalid, NotFound
from shared.file_store import ContentStore, StoredFile
from shared.messaging import UnitOfWork


async def attach(
    uow: UnitOfWork,
    referral: Referral,
    stored: StoredFile,
    *,
    name: str,
    media_type: str,
    checklist_item: str | None,
    evidence_id: str | None,
    actor: Actor,
) -> ReferralDocument:
    """Attach a stored file; with ``evidence_id`` it is the content of evidence cases referenced (hashes must match)."""
    same = await _same_content(uow, referral.id, stored)
    if same is not None:
        return same  # a repeated upload (a retry) adds nothing
    document = await _referenced(uow, referral.id, evidence_id, stored) if evidence_id else None
    if document is None:
        document = ReferralDocument(
            id=str(uuid.uuid4()),
            referral_id=referral.id,
            name=name,
            checklist_item=checklist_item,
            media_type=media_type,
            sha256=stored.sha256,
            size=stored.size,
            evidence_id=evidence_id,
            added_by=actor.name,
        )
    document.stored, document.media_type = True, media_type
    uow.session.add(document)
    referral.version += 1
    referral.updated_at = datetime.now(UTC)
    uow.session.add(referral)
    note = {"document_id": document.id, "name": document.name, "sha256": stored.sha256, "size": stored.size}
    await log_change(uow, referral, "document_added", at=referral.updated_at, actor=actor, data=note)
    return document


async def _same_content(uow: UnitOfWork, referral_id: str, stored: StoredFile) -> ReferralDocument | None:
    query = select(ReferralDocument).where(
        col(ReferralDocument.referral_id) == referral_id,
        col(ReferralDocument.sha256) == stored.sha256,
        col(ReferralDocument.stored).is_(True),
    )
    same: ReferralDocument | None = (await uow.session.execute(query)).scalars().first()
    return same


async def _referenced(uow: UnitOfWork, referral_id: str, evidence_id: str, stored: StoredFile) -> ReferralDocument:
    query = select(ReferralDocument).where(
        col(ReferralDocument.referral_id) == referral_id, col(ReferralDocument.evidence_id) == evidence_id
    )
    found: ReferralDocument | None = (await uow.session.execute(query)).scalars().first()
    if found is None:
        raise Invalid(f"移送材料未引用该证据 The package references no evidence {evidence_id}", slug="unknown-evidence")
    if found.sha256 != stored.sha256 or found.size != stored.size:
        raise Invalid(
            "文件与引用的证据不一致 The file does not match the referenced evidence's SHA-256",
            slug="evidence-hash-mismatch",
            expected_sha256=found.sha256,
            actual_sha256=stored.sha256,
        )
    return found


async def documents_of(
    uow: UnitOfWork, referral_ids: list[str], *, stored_only: bool
) -> dict[str, list[ReferralDocument]]:
    found: dict[str, list[ReferralDocument]] = {rid: [] for rid in referral_ids}
    if not referral_ids:
        return found
    query = select(ReferralDocument).where(col(ReferralDocument.referral_id).in_(referral_ids))
    if stored_only:
        query = query.where(col(ReferralDocument.stored).is_(True))
    for document in (await uow.session.execute(query.order_by(col(ReferralDocument.created_at)))).scalars():
        found[document.referral_id].append(document)
    return found


async def get_document(uow: UnitOfWork, referral: Referral, document_id: str) -> ReferralDocument:
    document = await uow.session.get(ReferralDocument, document_id)
    if document is None or document.referral_id != referral.id or not document.stored:
        raise NotFound(f"文件不存在 Document {document_id} not found", slug="document-not-found")
    return document


def content_path(store: ContentStore, document: ReferralDocument) -> Path:
    """Where the document's bytes are; 404 if the store lost them (the row outlived its file)."""
    path = store.path_of(document.sha256)
    if not path.is_file():
        raise NotFound("文件内容缺失 The file content is missing from the store", slug="document-content-missing")
    return path
