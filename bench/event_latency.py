"""Event latency, embedded mode: a decision is issued (201 returned) → its publication is visible in disclosure.

Measured over loopback HTTP against ``greenlaw run`` in a subprocess; the baseline in the same run is a plain
authenticated read through the gateway (the floor any "visible" check pays). Target (issue: performance):
p50 ≤ 20 ms, p99 ≤ 100 ms.
"""

from __future__ import annotations

import random
import time

import httpx

from bench.common import embedded_system, record, summary
from services.cases.domain.identifiers import CREDIT_ALPHABET, credit_code_check_char

ROUNDS = 200


def decision(rng: random.Random) -> dict[str, object]:
    body = "91120111" + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    return {
        "kind": "penalty",
        "decided_on": "2021-09-28",
        "party": {
            "party_type": "organisation",
            "name": f"企业{rng.randrange(10**6)}",
            "credit_code": body + credit_code_check_char(body),
        },
        "facts": "超标排放",
        "legal_basis": "《水污染防治法》第八十三条",
        "penalty": {"fine_fen": 1_000_000},
    }


def measure(base: str) -> dict[str, object]:
    rng = random.Random(20211013)
    with httpx.Client(base_url=base, timeout=10) as client:
        token = client.post(
            "/auth/token", data={"grant_type": "password", "username": "head", "password": "greenlaw-demo"}
        ).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        latencies, reads = [], []
        for _ in range(ROUNDS):
            answer = client.post("/api/v1/cases/decisions", json=decision(rng))
            issued = time.perf_counter()
            answer.raise_for_status()
            decision_id = answer.json()["id"]
            while not client.get("/api/v1/disclosure/publications", params={"decision_id": decision_id}).json()[
                "items"
            ]:
                pass
            latencies.append((time.perf_counter() - issued) * 1000)
            reads.append(0.0)
            started = time.perf_counter()
            client.get("/api/v1/disclosure/publications", params={"decision_id": decision_id})
            reads[-1] = (time.perf_counter() - started) * 1000
    issue_to_visible = summary(latencies)
    baseline = summary(reads)
    return {
        "unit": "ms",
        "issue_to_visible": issue_to_visible,
        "baseline_read": baseline,
        "ratio_p50_to_read": issue_to_visible["p50"] / baseline["p50"],
        "targets": {"p50_ms": 20, "p99_ms": 100},
        "met": issue_to_visible["p50"] <= 20 and issue_to_visible["p99"] <= 100,
    }


def main() -> None:
    # The gateway's per-client limit would throttle the polling loop; the benchmark measures the pipeline.
    with embedded_system(GREENLAW_GATEWAY_RATE_LIMIT_AUTHENTICATED="1000000/minute") as base:
        record("event_latency_embedded", measure(base))


if __name__ == "__main__":
    main()
