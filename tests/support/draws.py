"""Random inspection draws recomputed from their public answer, with the documented algorithm written out again
here (not imported from the services), as anyone outside the bureau would."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any


def recompute(draw: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """From the published answer only: check the seed and the inputs against the digests published before the
    draw, then rank by
    HMAC-SHA256 keyed with the seed (and the public entropy), as the disclosure README documents it. The officers
    come out as their published credential numbers."""
    seed = bytes.fromhex(draw["seed"])
    assert hashlib.sha256(seed).hexdigest() == draw["commitment"]
    canonical = json.dumps(draw["inputs"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == draw["inputs_sha256"], (
        "inputs changed after the commitment"
    )
    key = hashlib.sha256(seed + draw["public_entropy"].encode()).digest() if draw["public_entropy"] else seed

    def order(labels: list[str], prefix: str) -> list[str]:
        def rank(label: str) -> int:
            return int.from_bytes(hmac.new(key, f"{prefix}{label}".encode(), hashlib.sha256).digest(), "big")

        return sorted(labels, key=rank)

    inputs = draw["inputs"]
    eligible = [e for e in inputs["entities"] if e not in inputs["excluded"]]
    drawn = []
    for entity in order(eligible, "entity:")[: inputs["count"]]:
        allowed = [o for o in inputs["officers"] if o not in inputs["conflicts"].get(entity, [])]
        fresh = [o for o in allowed if o not in inputs["last_officers"].get(entity, [])]
        two = order(fresh if len(fresh) >= 2 else allowed, f"officer:{entity}:")[:2]
        drawn.append((entity, [draw["officer_credential_numbers"][o] for o in two]))
    return drawn
