"""The Credit China (信用中国) double-publicity penalty record (行政处罚信息), domain §3 field list and order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from services.disclosure.domain.redaction import redact_text
from shared.contracts.common import PartyType
from shared.contracts.events import DecisionIssuedV1
from shared.decision_kinds import penalty_categories

# Field order of the upload template; the CSV for manual upload follows it exactly.
FIELDS: tuple[tuple[str, str], ...] = (
    ("party_name", "行政相对人名称*"),
    ("party_type", "行政相对人类别*"),
    ("credit_code", "统一社会信用代码"),
    ("business_registration_number", "工商注册号"),
    ("organisation_code", "组织机构代码"),
    ("tax_registration_number", "税务登记号"),
    ("institution_certificate_number", "事业单位证书号"),
    ("social_organisation_number", "社会组织登记证号"),
    ("legal_representative", "法定代表人"),
    ("legal_representative_id_type", "法定代表人证件类型"),
    ("legal_representative_id_number", "法定代表人证件号码"),
    ("id_type", "证件类型"),
    ("id_number", "证件号码"),
    ("decision_number", "行政处罚决定书文号*"),
    ("violation_type", "违法行为类型*"),
    ("facts", "违法事实*"),
    ("legal_basis", "处罚依据*"),
    ("penalty_category", "处罚类别*"),
    ("penalty_content", "处罚内容*"),
    ("fine_wan_yuan", "罚款金额（万元）"),
    ("confiscation_wan_yuan", "没收违法所得、没收非法财物的金额（万元）"),
    ("licence", "暂扣或吊销证照名称及编号"),
    ("decided_on", "处罚决定日期*"),
    ("valid_until", "处罚有效期*"),
    ("publicity_until", "公示截止期"),
    ("authority", "处罚机关*"),
    ("authority_credit_code", "处罚机关统一社会信用代码*"),
    ("data_source", "数据来源单位*"),
    ("data_source_credit_code", "数据来源单位统一社会信用代码*"),
    ("remarks", "备注"),
)

PARTY_TYPES = {
    PartyType.ORGANISATION: "法人及非法人组织",
    PartyType.INDIVIDUAL: "自然人",
    PartyType.SOLE_TRADER: "个体工商户",
}

_FEN_PER_WAN = Decimal(1_000_000)  # 1 万元 = 10,000 元 = 1,000,000 分


@dataclass(frozen=True)
class PublicText:
    """The redacted texts the record carries (the record is itself public)."""

    facts: str
    legal_basis: str
    violation_type: str
    penalty_summary: str


def wan_yuan(fen: int) -> str:
    """Integer fen as 万元 with up to six decimals and no trailing zeros (1,234,500 fen → ``1.2345``)."""
    value = (Decimal(fen) / _FEN_PER_WAN).quantize(Decimal("0.000001"))
    return format(value.normalize(), "f")


def penalty_category(decision: DecisionIssuedV1) -> str:
    """处罚类别: as the decision states them, else by the one rule cases states them with (older events)."""
    return "；".join(decision.penalty_categories or penalty_categories(decision.penalty, decision.kind))


def credit_record(
    decision: DecisionIssuedV1, text: PublicText, *, publicity_months: int, data_source: str, data_source_code: str
) -> dict[str, str]:
    """The record's fields, in ``FIELDS`` order; identity numbers go to the platform, which does not publish them."""
    party = decision.party
    individual = party.party_type == PartyType.INDIVIDUAL
    # The same day n months later; the month's last day when it is shorter (30 Nov + 3 → 28/29 Feb).
    publicity_until = decision.decided_on + relativedelta(months=publicity_months)
    licence = " ".join(v for v in (decision.licence_name, decision.licence_number) if v)
    values = {
        "party_name": party.name,
        "party_type": PARTY_TYPES[party.party_type],
        "credit_code": "" if individual else party.credit_code or "",
        "legal_representative": "" if individual else party.legal_representative or "",
        "legal_representative_id_type": "身份证" if not individual and party.legal_representative_id_number else "",
        "legal_representative_id_number": "" if individual else party.legal_representative_id_number or "",
        "id_type": "身份证" if individual and party.id_number else "",
        "id_number": party.id_number or "" if individual else "",
        "decision_number": decision.document_number,
        "violation_type": text.violation_type or "环境违法",
        "facts": text.facts,
        "legal_basis": text.legal_basis,
        "penalty_category": penalty_category(decision),
        "penalty_content": text.penalty_summary or penalty_category(decision),
        "fine_wan_yuan": wan_yuan(decision.penalty.fine_fen) if decision.penalty.fine_fen else "",
        "confiscation_wan_yuan": wan_yuan(decision.penalty.confiscation_fen)
        if decision.penalty.confiscation_fen
        else "",
        "licence": licence or decision.penalty.licence_measure or "",
        "decided_on": decision.decided_on.isoformat(),
        "valid_until": (decision.penalty_valid_until or publicity_until).isoformat(),
        "publicity_until": publicity_until.isoformat(),
        "authority": decision.authority or data_source,
        "authority_credit_code": decision.authority_credit_code or data_source_code,
        "data_source": data_source,
        "data_source_credit_code": data_source_code,
        "remarks": redact_text(decision.remarks).text,
    }
    return {key: values.get(key, "") for key, _label in FIELDS}
