"""简易程序 (当场处罚, 行政处罚法 §51): only a warning, or a fine of at most ¥200 for a citizen and ¥3,000 for an
organisation. Anything more, or any other measure, goes through the general procedure (立案 and the rest)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.common import DecisionKind, PartyType, PenaltyTerms


@dataclass(frozen=True)
class SimpleProcedureLimits:
    """The fine ceilings (fen), from settings."""

    individual_fen: int = 20_000  # ¥200 (公民)
    organisation_fen: int = 300_000  # ¥3,000 (法人或者其他组织)


def simple_procedure_refusal(
    kind: DecisionKind, party_type: PartyType, penalty: PenaltyTerms, limits: SimpleProcedureLimits
) -> str | None:
    """Why a decision may not be made under the simple procedure (``None``: it may).

    A sole trader (个体工商户) is a natural person in civil law (民法典 §54) and takes the citizen's ceiling: where
    the law is read both ways, the lower one keeps the simple procedure lawful either way."""
    if kind != DecisionKind.PENALTY:
        return "简易程序只适用于行政处罚决定 The simple procedure applies to penalty decisions only"
    if penalty.confiscation_fen or penalty.licence_measure or penalty.other_measures:
        return "简易程序只能给予警告或者罚款 The simple procedure allows only a warning or a fine"
    if not penalty.warning and not penalty.fine_fen:
        return "简易程序须给予警告或者罚款 A simple-procedure decision gives a warning or a fine"
    ceiling = limits.organisation_fen if party_type == PartyType.ORGANISATION else limits.individual_fen
    if penalty.fine_fen > ceiling:
        return (
            f"简易程序罚款不得超过{ceiling // 100}元 The simple procedure allows a fine of at most ¥{ceiling // 100:,} "
            f"for this party ({party_type.value}): use the general procedure"
        )
    return None
