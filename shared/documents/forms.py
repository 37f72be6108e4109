"""Templates of the other formal documents: the service receipt (送达回证) and the referral's transfer letter
(涉嫌犯罪案件移送书)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.documents.layout import Block, FormalDocument, Heading, Paragraph, Signature, Table, chinese_date

SERVICE_METHODS = {
    "on_the_spot": "当场交付",
    "direct": "直接送达",
    "mail": "邮寄送达",
    "electronic": "电子送达（经受送达人同意）",
    "public_notice": "公告送达",
    "left_at_address": "留置送达",
    "entrusted": "委托送达",
}
# 国务院令310 (2020) §3 and the 2017 environmental measures §5: what obliges the bureau to refer.
TRANSFER_BASIS = "《行政执法机关移送涉嫌犯罪案件的规定》第三条和《环境保护行政执法与刑事司法衔接工作办法》第五条"


@dataclass(frozen=True)
class ServiceReceiptText:
    """A service receipt for one document: filled in with what the record knows, the rest left for the hand."""

    authority: str
    document_title: str
    document_number: str
    recipient: str
    address: str = ""
    method: str | None = None
    served_on: date | None = None


def service_receipt(text: ServiceReceiptText) -> FormalDocument:
    """送达回证: the grid the recipient signs when the document is served."""
    method = SERVICE_METHODS.get(text.method or "", text.method or "")
    rows = (
        ("送达文书名称及文号", f"{text.document_title}（{text.document_number}）"),
        ("受送达人", text.recipient),
        ("送达地点", text.address),
        ("送达方式", method),
        ("送达时间", chinese_date(text.served_on) + ("" if text.served_on else "    时    分")),
        ("受送达人签名或者盖章", ""),
        ("代收人签名及代收理由", ""),
        ("送达人签名", ""),
        ("见证人签名", ""),
        ("备注", ""),
    )
    blocks: tuple[Block, ...] = (Table(rows), Signature(text.authority, None))
    return FormalDocument(
        authority=text.authority,
        title="送达回证",
        number=None,
        blocks=blocks,
        keywords=("service_receipt", text.document_number),
    )


@dataclass(frozen=True)
class TransferLetterText:
    """What a transfer letter says: the case, the suspected offence, the materials sent and who gets a copy."""

    authority: str
    letter_number: str | None
    police_unit: str
    case_number: str
    party_name: str
    credit_code: str | None
    offence: str
    summary: str
    thresholds: tuple[str, ...]
    materials: tuple[str, ...]
    approved_on: date
    copy_to: str


def transfer_letter(text: TransferLetterText) -> FormalDocument:
    """涉嫌犯罪案件移送书 to the police, with the materials list (移送材料清单) and the copy to the procuratorate."""
    party = text.party_name + (f"（统一社会信用代码：{text.credit_code}）" if text.credit_code else "")
    blocks: list[Block] = [
        Paragraph(f"{text.police_unit}：", plain=True),
        Paragraph(
            f"本局在查处{party}环境违法一案（案件编号：{text.case_number}）中，发现该案涉嫌{text.offence}，"
            f"依据{TRANSFER_BASIS}的规定，经本局负责人于{chinese_date(text.approved_on)}批准，现将该案移送你单位，"
            "请依法审查，并将是否立案的决定书面告知本局。"
        ),
        Heading("一、涉嫌犯罪的事实"),
        *[Paragraph(line) for line in text.summary.splitlines() if line.strip()],
    ]
    if text.thresholds:
        blocks.append(Heading("二、涉嫌达到的追诉标准"))
        blocks += [Paragraph(f"{i}. {t}", plain=True) for i, t in enumerate(text.thresholds, start=1)]
    blocks.append(Heading(("三" if text.thresholds else "二") + "、移送材料清单"))
    blocks += [Paragraph(f"{i}. {m}", plain=True) for i, m in enumerate(text.materials, start=1)] or [
        Paragraph("（随本移送书另附）", plain=True)
    ]
    blocks += [Signature(text.authority, text.approved_on), Paragraph(f"抄送：{text.copy_to}", plain=True)]
    return FormalDocument(
        authority=text.authority,
        title="涉嫌犯罪案件移送书",
        number=text.letter_number,
        blocks=tuple(blocks),
        keywords=("transfer_letter", text.case_number),
    )
