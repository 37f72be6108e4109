"""What a decision must carry: kind-specific terms checked against settings, and the issued-event payload."""

from __future__ import annotations

from datetime import date

from services.cases.domain.simple_procedure import simple_procedure_refusal
from services.cases.schemas import DecisionCreate
from services.cases.settings import CasesSettings
from services.cases.tables import Decision
from shared.contracts.common import DecisionKind, PartySnapshot, PartyType, PenaltyTerms
from shared.contracts.events import DecisionIssuedV1
from shared.decision_kinds import kind_rule, penalty_categories
from shared.errors import Invalid


def check_terms(command: DecisionCreate, settings: CasesSettings) -> None:
    """Seizure ≤ 30 days (+30), restriction ≤ 3 months (+3): the limits are settings."""
    seizure, restriction = command.seizure, command.restriction
    if seizure is not None and seizure.term_days is not None:
        limit = settings.seizure_max_days * (2 if seizure.action == "extend" else 1)
        if seizure.term_days > limit:
            raise Invalid(f"查封扣押期限不得超过{limit}日 Seizure term over {limit} days", slug="term-too-long")
    if seizure is not None and seizure.action == "seize" and not seizure.head_approval:
        raise Invalid("查封扣押须经负责人书面批准 Seizure needs the head's written approval", slug="head-approval")
    if restriction is not None:
        limit = settings.restriction_max_months * (2 if restriction.extension else 1)
        if restriction.months > limit:
            raise Invalid(f"限产停产期限不得超过{limit}个月 Over {limit} months", slug="term-too-long")
    refuse_money_on_kind(command.kind, command.decided_on, command.penalty, settings)
    if command.simple_procedure:
        check_simple_procedure(command.kind, command.party.party_type, command.penalty, settings)
        if command.case_id is not None:
            raise Invalid(
                "简易程序当场作出，不立案 A simple-procedure decision is made on the spot, outside a case file",
                slug="simple-procedure",
            )


def refuse_money_on_kind(kind: DecisionKind, decided_on: date, penalty: PenaltyTerms, settings: CasesSettings) -> None:
    """A yellow card (黄牌警示), a restriction order (限产、停产整治), an order to correct or a seizure carries no
    fine or confiscation: a fine for the same violation is a separate penalty decision (decision-kinds table)."""
    rule = kind_rule(settings, kind, decided_on)
    if rule.fine_allowed or not (penalty.fine_fen or penalty.confiscation_fen):
        return
    raise Invalid(
        f"{kind.value} 决定书不得载明罚款或没收，罚款应另行作出行政处罚决定 "
        f"A {kind.value} decision carries no fine or confiscation: the fine is a separate penalty decision",
        slug="fine-separate-decision",
        rule=rule.legal_basis,
    )


def check_simple_procedure(
    kind: DecisionKind, party_type: PartyType, penalty: PenaltyTerms, settings: CasesSettings
) -> None:
    """简易程序's limits (行政处罚法 §51): refused with the reason."""
    refusal = simple_procedure_refusal(kind, party_type, penalty, settings.simple_procedure)
    if refusal is not None:
        raise Invalid(refusal, slug="simple-procedure", rule=settings.citations.get("simple_procedure", ""))


def check_amended_penalty(decision: Decision, penalty: PenaltyTerms, settings: CasesSettings) -> None:
    """An amendment (变更) keeps to the same rules as the issue: no fine on a kind that carries none, and a
    simple-procedure decision stays within the simple procedure's limits."""
    kind = DecisionKind(decision.kind)
    refuse_money_on_kind(kind, decision.decided_on, penalty, settings)
    if (decision.terms or {}).get("simple_procedure") is True:
        check_simple_procedure(kind, PartyType(str(decision.party["party_type"])), penalty, settings)


def money_due_fen(command: DecisionCreate) -> int:
    """What the party has to pay: fine and confiscation, or the daily penalty's days × daily amount."""
    due = command.penalty.fine_fen + command.penalty.confiscation_fen
    if command.daily_penalty is not None:
        due = max(due, command.daily_penalty.daily_amount_fen * command.daily_penalty.days)
    return due


def fine_fen_of(decision: Decision) -> int:
    """The fine (罚款) of an issued decision: the base of the late surcharge (行政处罚法 §72(一)), which is charged on
    the fine only, never on confiscated gains; a daily penalty (按日连续处罚) is a fine of days × daily amount."""
    fine = PenaltyTerms.model_validate(decision.penalty).fine_fen
    daily = (decision.terms or {}).get("daily_penalty")
    if isinstance(daily, dict):
        fine = max(fine, int(str(daily.get("daily_amount_fen", 0))) * int(str(daily.get("days", 0))))
    return fine


def decision_payload(decision: Decision, settings: CasesSettings, *, case_number: str | None) -> DecisionIssuedV1:
    terms = dict(decision.terms or {})
    penalty = PenaltyTerms.model_validate(decision.penalty)
    kind = DecisionKind(decision.kind)
    valid_until = terms.get("penalty_valid_until")
    return DecisionIssuedV1(
        decision_id=decision.id,
        case_id=decision.case_id,
        case_number=case_number,
        kind=kind,
        document_number=decision.document_number,
        decided_on=decision.decided_on,
        party=PartySnapshot.model_validate(decision.party),
        facts=decision.facts,
        legal_basis=decision.legal_basis,
        penalty=penalty,
        violation_type=decision.violation_type,
        authority=settings.authority,
        authority_credit_code=settings.authority_credit_code,
        penalty_categories=penalty_categories(penalty, kind, restriction_mode=_restriction_mode(terms)),
        penalty_valid_until=date.fromisoformat(valid_until) if isinstance(valid_until, str) else None,
        licence_name=_text(terms.get("licence_name")),
        licence_number=_text(terms.get("licence_number")),
        evidence_summary=str(terms.get("evidence_summary") or ""),
        discretion=str(terms.get("discretion") or ""),
        statements_adopted=terms.get("statements_adopted")
        if isinstance(terms.get("statements_adopted"), bool)
        else None,
        terms={k: terms[k] for k in ("seizure", "daily_penalty", "restriction") if terms.get(k) is not None},
        remarks=str(terms.get("remarks") or ""),
    )


def _restriction_mode(terms: dict[str, object]) -> object:
    restriction = terms.get("restriction")
    return restriction.get("mode") if isinstance(restriction, dict) else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)
