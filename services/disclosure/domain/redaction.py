"""Redaction (去标识化) of what is published: domain §3 lists what never leaves the bureau.

The detectors (``detectors``, ``addresses``, ``names``) find spans, each with a reason and a confidence: the
party's own recorded identifiers wherever they recur in any spelling; ID numbers, phone numbers, accounts, e-mail
addresses, birth dates and (for individuals) vehicle plates by shape and check character; home addresses by a
grammar that knows where an address ends; third persons' names after their role. The party's recorded identifiers
are its ID number, its phone (also without the area code), its legal representative's ID number and an
individual's address. Only the span goes: the words
around it, the violation, pollutant, amounts, legal basis and an organisation's name, credit code and business
site stay (§3: the span goes, the sentence stays). What has no shape (health or asset details, trade secrets, a
name neither after a role word nor listed or described as a person) is the editor's to check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from services.disclosure.domain import addresses, detectors, names
from services.disclosure.domain.detectors import Category, Span, fold, valid_id_number
from shared.contracts.common import PartySnapshot, PartyType
from shared.contracts.events import DecisionIssuedV1

PLACEHOLDERS: dict[Category, str] = {
    Category.ID_NUMBER: "［身份证号码已隐去］",
    Category.PHONE: "［电话号码已隐去］",
    Category.BANK_ACCOUNT: "［银行账号已隐去］",
    Category.BIRTH_DATE: "［出生日期已隐去］",
    Category.ADDRESS: "［住址已隐去］",
    Category.EMAIL: "［电子邮箱已隐去］",
    Category.PLATE: "［车牌号已隐去］",
    Category.LONG_NUMBER: "［长数字串已隐去］",
    Category.KNOWN_IDENTIFIER: "［个人信息已隐去］",
    Category.NAME: "［姓名已隐去］",
}


@dataclass(frozen=True)
class Finding:
    """One removed item: where (the field and offsets in its text), why, how sure — never its content."""

    field: str
    category: Category
    length: int
    confidence: float = 1.0
    start: int | None = None
    public_start: int | None = None  # where its marker stands in the redacted text
    public_end: int | None = None


@dataclass(frozen=True)
class Redacted:
    text: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class PartyFacts:
    """What the decision itself says about its party: personal values to find anywhere, public ones to keep."""

    personal: tuple[tuple[Category, str], ...] = ()
    public_names: tuple[str, ...] = ()
    third_persons: tuple[str, ...] = ()
    individual: bool = False
    masked_names: tuple[tuple[str, str], ...] = ()  # the party's own name and how it is shown (张三 → 张某)


def find_spans(text: str, party: PartyFacts = PartyFacts()) -> list[Span]:
    """Every span of ``text`` to remove, merged where they overlap, in order."""
    folded = fold(text)
    found: list[Span] = []
    found.extend(detectors.known_values(folded, party.personal))
    for name, shown in party.masked_names:
        found.extend(replace(s, replacement=shown, confidence=0.99) for s in names.recurring(folded, [name]))
    found.extend(detectors.emails(folded))
    found.extend(detectors.numbers(folded))
    found.extend(detectors.birth_dates(folded))
    found.extend(addresses.home_addresses(folded))
    if party.individual:
        found.extend(detectors.plates(folded))
    persons = list(names.third_persons(folded, party.public_names))
    found.extend(persons)  # also where a recurrence would not count (李四 in 张三、李四二人)
    found.extend(names.recurring(folded, {folded[s.start : s.end] for s in persons} | set(party.third_persons)))
    public = detectors.public_codes(folded)
    return _merge(s for s in found if not any(s.start < end and start < s.end for start, end in public))


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        last = merged[-1] if merged else None
        if last is None or span.start >= last.end:
            merged.append(span)
            continue
        if span.end > last.end:  # overlapping items become one placeholder, named after the longer
            longer = span if span.end - span.start > last.end - last.start else last
            merged[-1] = Span(last.start, span.end, longer.category, max(last.confidence, span.confidence))
    return merged


def redact_text(text: str, *, field: str = "text", party: PartyFacts = PartyFacts()) -> Redacted:
    """Replace every detected item in ``text`` by its placeholder (a name by surname + 某)."""
    parts: list[str] = []
    findings: list[Finding] = []
    cursor = length = 0
    for span in find_spans(text, party):
        marker = span.replacement or PLACEHOLDERS[span.category]
        length += span.start - cursor
        parts += [text[cursor : span.start], marker]
        at, length, cursor = length, length + len(marker), span.end
        findings.append(Finding(field, span.category, span.end - span.start, span.confidence, span.start, at, length))
    parts.append(text[cursor:])
    return Redacted(text="".join(parts), findings=tuple(findings))


def detect(text: str, party: PartyFacts = PartyFacts()) -> tuple[Finding, ...]:
    """What automatic redaction would remove from ``text`` (used to refuse silent un-redaction by an editor)."""
    return redact_text(text, party=party).findings


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
    if individual and is_minor(party, decision.decided_on) and name_style == "full":
        name_style = "surname"  # a minor's identifying data is never published (§3), the name included
    name = mask_name(party.name, name_style) if individual else party.name
    facts_of_party = party_facts(party, texts=_free_texts(decision))
    if name != party.name:
        facts_of_party = replace(facts_of_party, masked_names=((party.name, name),))
    dropped = [Finding(f"party.{name}", Category.KNOWN_IDENTIFIER, len(value)) for name, value in _private(party)]
    findings: list[Finding] = list(dropped)

    def scrub(field: str, text: str) -> str:
        result = redact_text(text, field=field, party=facts_of_party)
        findings.extend(result.findings)
        return result.text

    facts = scrub("facts", decision.facts)
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


def _free_texts(decision: DecisionIssuedV1) -> list[str]:
    terms = decision.penalty
    return [decision.facts, decision.legal_basis, terms.summary, *terms.other_measures, terms.licence_measure or ""]


def party_facts(party: PartySnapshot, *, texts: Iterable[str] = ()) -> PartyFacts:
    """What redaction knows from the decision: the party's private values, the public names and addresses, and the
    third persons named anywhere in ``texts`` (so a witness named in the facts is masked in the summary too)."""
    public_names = tuple(n for n in (party.name, party.legal_representative) if n)
    organisation = party.party_type == PartyType.ORGANISATION
    persons = {
        folded[s.start : s.end] for folded in map(fold, texts) for s in names.third_persons(folded, public_names)
    }
    return PartyFacts(
        personal=tuple(
            (_CATEGORIES[name], form)
            for name, value in _private(party)
            for form in (detectors.phone_forms(value) if name == "phone" else [value])
        ),
        public_names=public_names,
        third_persons=tuple(sorted(persons)),
        individual=not organisation,
    )


def is_minor(party: PartySnapshot, on: date) -> bool:
    """未成年人: under 18 on the decision date, read from the ID number's birth date."""
    number = party.id_number or ""
    if not valid_id_number(number):
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return (on.year - born.year - ((on.month, on.day) < (born.month, born.day))) < 18


def known_identifiers(party: PartySnapshot) -> list[str]:
    """The party's own personal identifiers, removed wherever they reappear in free text."""
    return [value for _name, value in _private(party)]


_CATEGORIES = {
    "id_number": Category.ID_NUMBER,
    "legal_representative_id_number": Category.ID_NUMBER,
    "phone": Category.PHONE,
    "address": Category.ADDRESS,
}


def _private(party: PartySnapshot) -> list[tuple[str, str]]:
    """Structured fields that are never published (an organisation's registered address is not personal data)."""
    private = [
        ("id_number", party.id_number),
        ("legal_representative_id_number", party.legal_representative_id_number),
        ("phone", party.phone),
    ]
    if party.party_type != PartyType.ORGANISATION:
        private.append(("address", party.address))
    return [(name, value) for name, value in private if value]
