"""Test data built through the domain's own rules (valid credit codes), random per test."""

from __future__ import annotations

import random
import uuid
from typing import Any

from services.cases.domain.identifiers import CREDIT_ALPHABET, credit_code_check_char


def credit_code(rng: random.Random | None = None) -> str:
    rng = rng or random.Random()
    body = "91120111" + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    return body + credit_code_check_char(body)


def decision_body(
    *, kind: str = "penalty", decided_on: str = "2021-09-28", fine_fen: int = 10_000_000
) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:6]
    return {
        "kind": kind,
        "decided_on": decided_on,
        "party": {
            "party_type": "organisation",
            "name": f"天津某化工有限公司{suffix}",
            "credit_code": credit_code(),
            "legal_representative": "张三",
            "address": "天津市西青区某路1号",
            "town": "中北镇",
        },
        "facts": "超标排放水污染物，化学需氧量超过排放标准2.1倍。",
        "legal_basis": "《中华人民共和国水污染防治法》第八十三条第二项",
        "violation_type": "超标排放",
        # Only penalties carry a fine; the other kinds' fine would be a separate penalty decision.
        "penalty": {"fine_fen": fine_fen, "summary": "罚款人民币拾万元"}
        if kind in ("penalty", "daily_penalty")
        else {"summary": "责令改正违法行为"},
    }
