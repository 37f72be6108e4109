"""The public read model: a publication as the public sees it, and its renderings (CSV, Atom); the portal too.

Everything public is built from the redacted ``public_*`` columns through ``public_decision``; a withdrawn
decision keeps only its notice (number, kind, dates, reason).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from xml.etree import ElementTree as ET

from services.disclosure.handlers import queries
from services.disclosure.handlers.documents import document_path
from services.disclosure.handlers.queries import PublicFilters
from services.disclosure.schemas import PublicDecision, PublicNotice, PublicPenalty, PublicWithdrawal
from services.disclosure.tables import Publication, WithdrawalNotice
from shared.contracts.common import DecisionKind
from shared.csv_export import csv_text
from shared.http import MAX_LIMIT
from shared.messaging import UnitOfWork

KIND_LABELS: dict[str, str] = {
    DecisionKind.PENALTY: "行政处罚决定书",
    DecisionKind.SEIZURE: "查封扣押决定书",
    DecisionKind.YELLOW_CARD: "环保“黄牌”警示通知书",
    DecisionKind.ORDER_TO_CORRECT: "责令改正违法行为决定书",
    DecisionKind.DAILY_PENALTY: "按日连续处罚决定书",
    DecisionKind.PRODUCTION_RESTRICTION: "限产、停产整治决定书",
}


def public_decision(publication: Publication) -> PublicDecision:
    withdrawn = publication.status == "withdrawn"
    withdrawal = None
    if withdrawn and publication.withdrawn_on is not None:
        withdrawal = PublicWithdrawal(withdrawn_on=publication.withdrawn_on, reason=publication.withdrawal_reason or "")
    penalty = None if withdrawn else PublicPenalty.model_validate(publication.public_penalty)
    return PublicDecision(
        id=publication.id,
        kind=DecisionKind(publication.kind),
        kind_label=KIND_LABELS[publication.kind],
        document_number=publication.document_number,
        status=publication.status,
        party_name=None if withdrawn else publication.public_party_name,
        party_type=None if withdrawn else publication.party_type,
        credit_code=None if withdrawn else publication.credit_code,
        legal_representative=None if withdrawn else publication.legal_representative,
        town=None if withdrawn else publication.town,
        authority=publication.authority,
        decided_on=publication.decided_on,
        published_on=publication.published_on,
        due_on=publication.due_on,
        facts=None if withdrawn else publication.public_facts,
        legal_basis=None if withdrawn else publication.public_legal_basis,
        violation_type=None if withdrawn else publication.public_violation_type,
        penalty=penalty,
        withdrawal=withdrawal,
        document_url=None if withdrawn else document_path(publication.id),
    )


async def latest_decisions(uow: UnitOfWork, filters: PublicFilters, *, limit: int) -> list[PublicDecision]:
    """Up to ``limit`` matching decisions, newest first, walking the pages (the CSV and Atom renderings)."""
    items: list[PublicDecision] = []
    cursor: str | None = None
    while len(items) < limit:
        rows, cursor = await queries.public_decisions(uow, filters, cursor=cursor, limit=min(MAX_LIMIT, limit))
        items.extend(public_decision(r) for r in rows)
        if cursor is None:
            break
    return items[:limit]


def public_notice(notice: WithdrawalNotice) -> PublicNotice:
    return PublicNotice(
        id=notice.id,
        publication_id=notice.publication_id,
        kind=DecisionKind(notice.kind),
        kind_label=KIND_LABELS[notice.kind],
        document_number=notice.document_number,
        cause=notice.cause,
        reason=notice.reason,
        changed_on=notice.changed_on,
        due_on=notice.due_on,
        withdrawn_on=notice.withdrawn_on,
    )


CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "编号"),
    ("kind_label", "决定种类"),
    ("document_number", "文书编号"),
    ("status", "状态"),
    ("party_name", "当事人"),
    ("credit_code", "统一社会信用代码"),
    ("legal_representative", "法定代表人"),
    ("town", "街镇"),
    ("decided_on", "决定日期"),
    ("published_on", "公示日期"),
    ("facts", "主要违法事实"),
    ("legal_basis", "处罚依据"),
    ("penalty", "处罚结果"),
    ("fine_yuan", "罚款（元）"),
    ("withdrawal", "撤回理由"),
)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _csv_row(item: PublicDecision) -> list[str]:
    values = item.model_dump(mode="json")
    values["penalty"] = item.penalty.summary if item.penalty else ""
    values["fine_yuan"] = _yuan(item.penalty.fine_fen) if item.penalty else ""
    values["withdrawal"] = item.withdrawal.reason if item.withdrawal else ""
    return ["" if values.get(key) is None else str(values[key]) for key, _ in CSV_COLUMNS]


def render_csv(items: list[PublicDecision]) -> str:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese correctly."""
    return csv_text([label for _, label in CSV_COLUMNS], (_csv_row(item) for item in items), bom=True)


def _stamp(day: date | None) -> str:
    return datetime.combine(day or date(1970, 1, 1), time(0, 0), tzinfo=UTC).isoformat()


def render_atom(items: list[PublicDecision], *, feed_url: str, portal_url: str, authority: str) -> str:
    """An Atom 1.0 feed of the latest publications and withdrawals; links absolute, on the feed's own site."""
    atom = "http://www.w3.org/2005/Atom"
    site = feed_url.removesuffix("/public/v1/decisions.atom")
    ET.register_namespace("", atom)
    feed = ET.Element(f"{{{atom}}}feed")
    ET.SubElement(feed, f"{{{atom}}}id").text = feed_url
    ET.SubElement(feed, f"{{{atom}}}title").text = f"{authority} 行政执法决定公示"
    ET.SubElement(feed, f"{{{atom}}}updated").text = _stamp(
        max((i.published_on or i.decided_on for i in items), default=None)
    )
    ET.SubElement(feed, f"{{{atom}}}link", href=feed_url, rel="self")
    ET.SubElement(ET.SubElement(feed, f"{{{atom}}}author"), f"{{{atom}}}name").text = authority
    for item in items:
        entry = ET.SubElement(feed, f"{{{atom}}}entry")
        ET.SubElement(entry, f"{{{atom}}}id").text = f"urn:greenlaw:publication:{item.id}"
        withdrawn = item.withdrawal is not None
        title = f"【已撤回】{item.document_number}" if withdrawn else f"{item.document_number} {item.party_name}"
        ET.SubElement(entry, f"{{{atom}}}title").text = title
        updated = item.withdrawal.withdrawn_on if item.withdrawal else item.published_on
        ET.SubElement(entry, f"{{{atom}}}updated").text = _stamp(updated)
        ET.SubElement(entry, f"{{{atom}}}link", href=f"{portal_url}/decisions/{item.id}")
        if item.document_url is not None:  # the public version of the document, beside the portal page
            href = f"{site}{item.document_url}"
            ET.SubElement(entry, f"{{{atom}}}link", rel="enclosure", type="application/pdf", href=href)
        summary = (
            f"撤回理由：{item.withdrawal.reason}"
            if item.withdrawal
            else f"{item.facts} {item.penalty.summary if item.penalty else ''}"
        )
        ET.SubElement(entry, f"{{{atom}}}summary").text = summary
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")
