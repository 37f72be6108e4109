"""Redaction (去标识化) of what is published: domain §3 lists what never leaves the bureau.

Automatic detection covers what has a recognisable shape — resident ID numbers (GB 11643), phone numbers, bank
accounts, birth dates, addresses introduced by 住址/住所 and the like — plus every identifier the decision itself
records for the party (its ID number, address), wherever it reappears in free text. What has no shape (health or
asset details, third persons' names, trade secrets) is the editor's job; the editor works on the redacted text.

The detectors err towards removing too much: a leaked ID number cannot be recalled, an over-redacted account
number costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from shared.contracts.common import PartySnapshot, PartyType
from shared.contracts.events import DecisionIssuedV1


class Category(StrEnum):
    """What a removed item was; the redaction report lists these, never the removed text itself."""

    ID_NUMBER = "id_number"  # 身份证号码
    PHONE = "phone"  # 电话号码
    BANK_ACCOUNT = "bank_account"  # 银行账号
    BIRTH_DATE = "birth_date"  # 出生日期
    ADDRESS = "address"  # 住址
    EMAIL = "email"  # 电子邮箱
    LONG_NUMBER = "long_number"  # 超长数字串: longer than any identifier, withheld whole
    KNOWN_IDENTIFIER = "known_identifier"  # an identifier recorded on the decision for the party
    NAME = "name"  # an individual's name, masked where configured


PLACEHOLDERS: dict[Category, str] = {
    Category.ID_NUMBER: "［身份证号码已隐去］",
    Category.PHONE: "［电话号码已隐去］",
    Category.BANK_ACCOUNT: "［银行账号已隐去］",
    Category.BIRTH_DATE: "［出生日期已隐去］",
    Category.ADDRESS: "［住址已隐去］",
    Category.EMAIL: "［电子邮箱已隐去］",
    Category.LONG_NUMBER: "［长数字串已隐去］",
    Category.KNOWN_IDENTIFIER: "［个人信息已隐去］",
}

_DIGITS = r"(?<![0-9０-９])"
_NO_DIGIT_AFTER = r"(?![0-9０-９])"
_ADDRESS_KEYS = (
    r"(?:家庭住址|家庭地址|现住址|现住所|户籍地址|户籍所在地|居住地址|居住地|住址|住所地|住所|现住|居住于|住在)"
)
_DATE = r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-./]\d{1,2}[-./]\d{1,2})"

# Order matters: the longest, most specific shapes first, so a later pattern never sees half of an earlier match.
_PATTERNS: tuple[tuple[Category, re.Pattern[str]], ...] = (
    (Category.EMAIL, re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    (Category.BIRTH_DATE, re.compile(rf"(?:出生日期|出生年月日?|生日|出生于)\s*[:：]?\s*{_DATE}")),
    (Category.BIRTH_DATE, re.compile(rf"{_DATE}\s*出生")),
    (Category.ADDRESS, re.compile(rf"{_ADDRESS_KEYS}\s*[:：为是]?\s*[^，,。；;！!？?\n\r（）()]+")),
    # A run of more than 30 digits (grouped or not) is longer than any identifier or account number, so the patterns
    # below, which need a non-digit on each side, would not see an ID number or account hidden inside it. An
    # unexplained number that long has no business in a public document: it goes whole.
    (Category.LONG_NUMBER, re.compile(rf"{_DIGITS}\d(?:[ \-]?\d){{30,}}{_NO_DIGIT_AFTER}")),
    # 18-character ID numbers, with or without a valid check character (a typo is still personal data).
    (Category.ID_NUMBER, re.compile(rf"{_DIGITS}\d{{17}}[\dXx]{_NO_DIGIT_AFTER}")),
    # Any long run of digits, possibly grouped by spaces or hyphens: bank accounts (and anything like them).
    (Category.BANK_ACCOUNT, re.compile(rf"{_DIGITS}\d(?:[ \-]?\d){{11,29}}{_NO_DIGIT_AFTER}")),
    (Category.PHONE, re.compile(rf"{_DIGITS}(?:\+?86[ \-]?)?1[3-9]\d(?:[ \-]?\d{{4}}){{2}}{_NO_DIGIT_AFTER}")),
    (Category.PHONE, re.compile(rf"(?:[(（]0\d{{2,3}}[)）]\s*|{_DIGITS}0\d{{2,3}}[ \-])\d{{7,8}}{_NO_DIGIT_AFTER}")),
    (Category.PHONE, re.compile(rf"(?:电话|手机|联系方式|座机)\s*[:：]?\s*\d{{7,12}}{_NO_DIGIT_AFTER}")),
)


@dataclass(frozen=True)
class Finding:
    """One removed item: where (the field), what kind, and how long it was — never its content."""

    field: str
    category: Category
    length: int


@dataclass(frozen=True)
class Redacted:
    text: str
    findings: tuple[Finding, ...]


def redact_text(text: str, *, field: str = "text", known: Iterable[str] = ()) -> Redacted:
    """Replace every detected item in ``text`` by its placeholder; ``known`` are the party's own identifiers."""
    findings: list[Finding] = []
    for value in sorted({k.strip() for k in known if k and len(k.strip()) >= 6}, key=len, reverse=True):
        count = text.count(value)
        if count:
            text = text.replace(value, PLACEHOLDERS[Category.KNOWN_IDENTIFIER])
            findings.extend(Finding(field, Category.KNOWN_IDENTIFIER, len(value)) for _ in range(count))
    for category, pattern in _PATTERNS:
        placeholder = PLACEHOLDERS[category]

        def replace(match: re.Match[str], category: Category = category, placeholder: str = placeholder) -> str:
            findings.append(Finding(field, category, len(match.group(0))))
            return placeholder

        text = pattern.sub(replace, text)
    return Redacted(text=text, findings=tuple(findings))


def detect(text: str) -> tuple[Finding, ...]:
    """What automatic redaction would remove from ``text`` (used to refuse silent un-redaction by an editor)."""
    return redact_text(text).findings


def mask_name(name: str, style: str) -> str:
    """An individual's name as published: ``full`` (张三), ``surname`` (张某), ``surname_double`` (张某某)."""
    name = name.strip()
    if style == "full" or not name:
        return name
    surname = name[:2] if len(name) >= 4 else name[:1]  # four-character names usually carry a double surname
    return surname + ("某某" if style == "surname_double" else "某")


@dataclass(frozen=True)
class PublicContent:
    """The publishable part of a decision (domain §3): every public output is built from this, and only this."""

    party_name: str
    party_type: str
    credit_code: str | None
    legal_representative: str | None
    town: str | None
    facts: str
    legal_basis: str
    violation_type: str
    penalty: dict[str, object]
    findings: tuple[Finding, ...]


def redact_decision(decision: DecisionIssuedV1, *, name_style: str) -> PublicContent:
    """Redact a decision for publication: structured personal fields dropped, free text scrubbed."""
    party = decision.party
    individual = party.party_type == PartyType.INDIVIDUAL
    known = known_identifiers(party)
    dropped = [Finding(f"party.{name}", Category.KNOWN_IDENTIFIER, len(value)) for name, value in _private(party)]
    findings: list[Finding] = list(dropped)

    def scrub(field: str, text: str) -> str:
        result = redact_text(text, field=field, known=known)
        findings.extend(result.findings)
        return result.text

    name = mask_name(party.name, name_style) if individual else party.name
    facts = scrub("facts", decision.facts)
    if individual and name != party.name and party.name in facts:
        facts = facts.replace(party.name, name)
        findings.append(Finding("facts", Category.NAME, len(party.name)))
    terms = decision.penalty
    penalty: dict[str, object] = {
        "fine_fen": terms.fine_fen,
        "confiscation_fen": terms.confiscation_fen,
        "warning": terms.warning,
        "licence_measure": scrub("penalty.licence_measure", terms.licence_measure) if terms.licence_measure else None,
        "other_measures": [scrub("penalty.other_measures", m) for m in terms.other_measures],
        "summary": scrub("penalty.summary", terms.summary),
    }
    return PublicContent(
        party_name=scrub("party.name", name),
        party_type=party.party_type.value,
        credit_code=None if individual else party.credit_code,
        legal_representative=None if individual or not party.legal_representative else party.legal_representative,
        town=party.town,
        facts=facts,
        legal_basis=scrub("legal_basis", decision.legal_basis),
        violation_type=scrub("violation_type", decision.violation_type),
        penalty=penalty,
        findings=tuple(findings),
    )


def known_identifiers(party: PartySnapshot) -> list[str]:
    """The party's own personal identifiers, removed wherever they reappear in free text."""
    return [value for _name, value in _private(party)]


def _private(party: PartySnapshot) -> list[tuple[str, str]]:
    """Structured fields that are never published (an organisation's registered address is not personal data)."""
    private = [("id_number", party.id_number)]
    if party.party_type != PartyType.ORGANISATION:
        private.append(("address", party.address))
    return [(name, value) for name, value in private if value]
