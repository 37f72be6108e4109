"""Templates of the decision documents (决定书) of each kind, in the content the 2023 measures require.

A decision document carries (生态环境行政处罚办法 2023, domain §1): the number, the party (name, unified social
credit code or ID number, legal representative), the facts and the evidence, the legal basis, the discretion
reasoning, whether the party's statements were adopted, the decision, payment, the remedies, the bureau and date.
The public version (公开版) is the same layout fed only with the redacted public text: no evidence list, no
statements, no payment or remedy instructions, and a note that personal data was withheld.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from shared.contracts.common import DecisionKind
from shared.documents.layout import Block, FormalDocument, Heading, Paragraph, Signature, yuan

TITLES: dict[DecisionKind, str] = {
    DecisionKind.PENALTY: "行政处罚决定书",
    DecisionKind.SEIZURE: "查封（扣押）决定书",
    DecisionKind.YELLOW_CARD: "环保“黄牌”警示通知书",
    DecisionKind.ORDER_TO_CORRECT: "责令改正违法行为决定书",
    DecisionKind.DAILY_PENALTY: "按日连续处罚决定书",
    DecisionKind.PRODUCTION_RESTRICTION: "责令限制生产（停产整治）决定书",
}
SEIZURE_TITLES = {"extend": "延长查封（扣押）期限决定书", "release": "解除查封（扣押）决定书"}
RESTRICTION_TITLES = {"restrict": "责令限制生产决定书", "halt": "责令停产整治决定书"}
OPERATIVE_HEADINGS: dict[DecisionKind, str] = {
    DecisionKind.PENALTY: "处罚决定",
    DecisionKind.SEIZURE: "查封（扣押）决定",
    DecisionKind.YELLOW_CARD: "警示内容",
    DecisionKind.ORDER_TO_CORRECT: "责令改正内容",
    DecisionKind.DAILY_PENALTY: "处罚决定",
    DecisionKind.PRODUCTION_RESTRICTION: "责令限制生产、停产整治内容",
}
PUBLIC_NOTE = "本文书为公开版本：依照《中华人民共和国政府信息公开条例》和行政执法公示的规定，已隐去个人信息。"


@dataclass(frozen=True)
class DecisionText:
    """What a decision document says. ``party`` holds the party lines as (label, value); ``measures`` the
    operative lines; the optional parts are left out of the document when empty (the public version)."""

    kind: DecisionKind
    title: str
    document_number: str
    authority: str
    decided_on: date
    party: tuple[tuple[str, str], ...]
    facts: str
    legal_basis: str
    measures: tuple[str, ...]
    evidence: str = ""
    discretion: str = ""
    statements: str = ""
    payment: str = ""
    remedies: str = ""
    public: bool = False


def title_of(kind: DecisionKind, terms: Mapping[str, object] | None = None) -> str:
    """The document's title; a seizure's extension or release and a restriction's mode have their own."""
    terms = terms or {}
    seizure, restriction = terms.get("seizure"), terms.get("restriction")
    if kind == DecisionKind.SEIZURE and isinstance(seizure, Mapping):
        return SEIZURE_TITLES.get(str(seizure.get("action")), TITLES[kind])
    if kind == DecisionKind.PRODUCTION_RESTRICTION and isinstance(restriction, Mapping):
        return RESTRICTION_TITLES.get(str(restriction.get("mode")), TITLES[kind])
    return TITLES[kind]


# What a line of the penalty is about, by the words that name it: a line of the summary (处罚结果 as written) whose
# subjects the recorded terms already state says that penalty a second time (罚款人民币408,000元 beside the fine's
# 罚款人民币408,000.00元), so it is left out.
SUBJECTS: dict[str, tuple[str, ...]] = {
    "warning": ("警告",),
    "fine": ("罚款",),
    "confiscation": ("没收",),
    "licence": ("许可证", "执照", "资质"),
    "seizure": ("查封", "扣押"),
    "restriction": ("限制生产", "限产", "停产"),
    "correction": ("改正",),
}
CLAUSE_BREAKS = re.compile(r"[，；;。]+|,(?!\d)")  # not the thousands separator of 408,000


def penalty_lines(
    penalty: Mapping[str, object], kind: DecisionKind | None = None, terms: Mapping[str, object] | None = None
) -> list[str]:
    """The operative lines of the penalty terms (处罚内容), money in yuan, each penalty stated once.

    The recorded terms come first; the summary adds only what they do not state. With ``kind`` and its ``terms`` the
    kind's own lines (``terms_lines``) count as stated too, and follow; a daily penalty's total is its fine."""
    stated: list[str] = []
    if penalty.get("warning"):
        stated.append("警告")
    fine, confiscation = int(str(penalty.get("fine_fen") or 0)), int(str(penalty.get("confiscation_fen") or 0))
    own = terms_lines(kind, terms or {}) if kind is not None else []
    daily = (terms or {}).get("daily_penalty")
    daily = daily if isinstance(daily, Mapping) else None
    total = int(str(daily.get("daily_amount_fen") or 0)) * int(str(daily.get("days") or 0)) if daily else 0
    if daily and kind == DecisionKind.DAILY_PENALTY and fine == total:
        fine = 0  # the daily line's 共计 is this fine
    if fine:
        stated.append(f"罚款人民币{yuan(fine)}元")
    if confiscation:
        stated.append(f"没收违法所得人民币{yuan(confiscation)}元")
    measures = [str(penalty["licence_measure"])] if penalty.get("licence_measure") else []
    others = penalty.get("other_measures")
    if isinstance(others, list):
        measures.extend(str(m) for m in others if str(m).strip())
    summary = str(penalty.get("summary") or "").strip()
    stated += [m for m in measures if not _said_more_fully(m, summary)]
    summary = _summary_beyond(summary, [*stated, *own])
    return [*stated, *([summary] if summary else []), *own]


def _said_more_fully(measure: str, summary: str) -> bool:
    """Whether a clause of the summary says ``measure`` and more (责令限制生产三个月 for 责令限制生产): the clause
    stays, the measure goes."""
    bare = _bare(measure)
    return bool(bare) and any(
        bare in clause and len(clause) > len(bare) for clause in map(_bare, CLAUSE_BREAKS.split(summary))
    )


def _subjects(text: str) -> set[str]:
    return {subject for subject, words in SUBJECTS.items() if any(word in text for word in words)}


def _summary_beyond(summary: str, stated: list[str]) -> str:
    """What of ``summary`` the ``stated`` lines do not say: the whole summary when each of its clauses adds
    something, the clauses that do when some repeat a stated line, or nothing."""
    if not summary or summary in stated:
        return ""
    covered = set().union(*(_subjects(line) for line in stated)) if stated else set()
    lines = [_bare(line) for line in stated]
    clauses = [c.strip() for c in CLAUSE_BREAKS.split(summary) if c.strip()]
    kept = [clause for clause in clauses if not _repeats(clause, covered, lines)]
    if len(kept) == len(clauses):
        return summary
    return "，".join(clause.removeprefix("并") for clause in kept)


AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(万)?元")


def _amounts(text: str) -> set[int]:
    """The sums of money a text names, in fen (408,000元, 408,000.00元 and 40.8万元 are one sum)."""
    found = set()
    for number, ten_thousand in AMOUNT.findall(text):
        value = float(number.replace(",", "")) * (10_000 if ten_thousand else 1)
        found.add(round(value * 100))
    return found


def _repeats(clause: str, covered: set[str], lines: list[str]) -> bool:
    """Whether ``clause`` says only what the stated ``lines`` (about ``covered``) say: its words are in one of them,
    or it is about penalties they state, except when it is another penalty of the same kind: addressed to someone
    else (对直接负责的主管人员…罚款, 双罚), with a sum none of them names, or confiscating property (没收…设备) where
    they confiscate illegal gains (违法所得)."""
    subjects, bare = _subjects(clause), _bare(clause)
    if bare and any(bare in line for line in lines if line):
        return True
    if not subjects or not subjects <= covered or "对" in clause:
        return False
    sums = _amounts(clause)
    if sums and not sums <= set().union(*(_amounts(line) for line in lines)):
        return False
    return not ("confiscation" in subjects and "违法所得" not in clause)


def _bare(text: str) -> str:
    """A line without the verbs that only introduce it (并、责令、予以) and its full stop."""
    text = text.strip().rstrip("。")
    for word in ("并", "责令", "予以"):
        text = text.removeprefix(word)
    return text


def terms_lines(kind: DecisionKind, terms: Mapping[str, object]) -> list[str]:
    """The operative lines of a kind's own terms: the seized items and term, the restriction's months, the daily
    penalty's days."""
    seizure, restriction, daily = terms.get("seizure"), terms.get("restriction"), terms.get("daily_penalty")
    lines: list[str] = []
    if kind == DecisionKind.SEIZURE and isinstance(seizure, Mapping):
        items = seizure.get("items")
        if isinstance(items, list) and items:
            lines.append("查封（扣押）物品：" + "；".join(str(i) for i in items))
        if seizure.get("starts_on") or seizure.get("term_days"):
            start = f"自{_day(seizure.get('starts_on'))}起" if seizure.get("starts_on") else ""
            lines.append(f"期限：{start}{seizure.get('term_days') or '—'}日")
    if kind == DecisionKind.PRODUCTION_RESTRICTION and isinstance(restriction, Mapping):
        act = "停产整治" if restriction.get("mode") == "halt" else "限制生产"
        extension = "（延长）" if restriction.get("extension") else ""
        lines.append(f"责令{act}{extension}，期限{restriction.get('months')}个月")
    if kind == DecisionKind.DAILY_PENALTY and isinstance(daily, Mapping):
        amount = int(str(daily.get("daily_amount_fen") or 0))
        days = int(str(daily.get("days") or 0))
        lines.append(
            f"经{_day(daily.get('recheck_on'))}复查，违法行为仍在继续，按日连续处罚{days}日，"
            f"每日罚款人民币{yuan(amount)}元，共计人民币{yuan(amount * days)}元"
        )
    return lines


def _day(value: object) -> str:
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    text = str(value or "")
    try:
        return _day(date.fromisoformat(text))
    except ValueError:
        return text


def statements_line(adopted: bool | None) -> str:
    """Whether the party's statement and defence (陈述、申辩) were adopted (行政处罚法 §45)."""
    if adopted is None:
        return "当事人未提出陈述、申辩意见。"
    verdict = "予以采纳" if adopted else "不予采纳"
    return f"当事人提出了陈述、申辩意见，本局经复核，{verdict}。"


def decision_document(text: DecisionText) -> FormalDocument:
    """The decision document of ``text.kind`` in the standard layout."""
    blocks: list[Block] = [Paragraph(f"{label}：{value}", plain=True) for label, value in text.party if value]
    numbered = _Numbered()
    blocks += numbered.section("违法事实和证据" if text.evidence else "违法事实", text.facts)
    if text.evidence:
        blocks.append(Paragraph("以上事实，有以下证据为证：" + text.evidence))
    if text.statements:
        blocks += numbered.section("陈述、申辩和听证", text.statements)
    blocks += numbered.section("法律依据", text.legal_basis)
    if text.discretion:
        blocks.append(Paragraph("裁量理由：" + text.discretion))
    blocks += numbered.section(OPERATIVE_HEADINGS[text.kind], "\n".join(_numbered_lines(text.measures)) or "—")
    if text.payment:
        blocks += numbered.section("履行方式和期限", text.payment)
    if text.remedies:
        blocks += numbered.section("救济途径", text.remedies)
    blocks.append(Signature(text.authority, text.decided_on))
    return FormalDocument(
        authority=text.authority,
        title=text.title + ("（公开版）" if text.public else ""),
        number=text.document_number,
        blocks=tuple(blocks),
        note=PUBLIC_NOTE if text.public else "",
        keywords=(text.kind.value, text.document_number),
    )


def _numbered_lines(lines: tuple[str, ...]) -> list[str]:
    if len(lines) == 1:
        return list(lines)
    return [f"（{i}）{line}" for i, line in enumerate(lines, start=1)]


class _Numbered:
    """Section headings numbered 一、二、… in the order they appear."""

    NUMERALS = "一二三四五六七八九十"

    def __init__(self) -> None:
        self.count = 0

    def section(self, heading: str, body: str) -> list[Block]:
        self.count += 1
        blocks: list[Block] = [Heading(f"{self.NUMERALS[self.count - 1]}、{heading}")]
        return blocks + [Paragraph(line) for line in body.splitlines() if line.strip()]
