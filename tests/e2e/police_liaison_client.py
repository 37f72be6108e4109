"""A police liaison system, run as its own process by the referral end-to-end test (not collected by pytest).

It speaks only the documented contract: ``POST /auth/token`` (client credentials), then ``/police/v1``. It pulls
with cursors until a page is empty, checks every document's SHA-256, signs for and decides each referral (each
POST sent twice with the same Idempotency-Key, as a retry after a lost answer would), pulls again from its last
cursor, and prints a JSON report on stdout. Exit status 0 means every check held.

Usage: python police_liaison_client.py BASE_URL CLIENT_ID SECRET [--decide] [--probe REFERRAL_ID]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx


def token(client: httpx.Client, client_id: str, secret: str) -> str:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    answer = client.post("/auth/token", data=form)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def pull(client: httpx.Client, since: str | None) -> tuple[list[dict[str, Any]], str | None, int]:
    """Follow next_cursor until an empty page; returns the items, the last cursor and the number of pages."""
    items: list[dict[str, Any]] = []
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 1}
        if since:
            params["since"] = since
        answer = client.get("/police/v1/referrals", params=params)
        answer.raise_for_status()
        page = answer.json()
        pages += 1
        since = page["next_cursor"]
        if not page["items"]:
            return items, since, pages
        items.extend(page["items"])


def check_documents(client: httpx.Client, item: dict[str, Any]) -> int:
    for document in item["documents"]:
        answer = client.get(f"/police/v1/referrals/{item['id']}/documents/{document['id']}")
        answer.raise_for_status()
        digest = hashlib.sha256(answer.content).hexdigest()
        if digest != document["sha256"] or len(answer.content) != document["size"]:
            raise SystemExit(f"document {document['id']}: sha256 {digest} != {document['sha256']}")
    return len(item["documents"])


def post_twice(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """Send, then retry with the same key: the second answer must be the first one, replayed."""
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post(path, json=body, headers=key)
    first.raise_for_status()
    retry = client.post(path, json=body, headers=key)
    retry.raise_for_status()
    if retry.json() != first.json() or retry.headers.get("idempotent-replayed") != "true":
        raise SystemExit(f"{path}: the retry was not answered with the first answer")
    return dict(first.json())


def decide(client: httpx.Client, item: dict[str, Any]) -> str:
    now = datetime.now(UTC).isoformat()
    base = f"/police/v1/referrals/{item['id']}"
    post_twice(client, f"{base}/receipt", {"received_at": now, "receiver": "刑侦大队 李警官"})
    number = f"西公(环)立字〔{datetime.now(UTC).year}〕{item['id'][:6]}号"
    decided = post_twice(
        client, f"{base}/decision", {"decision": "accepted", "police_case_number": number, "decided_at": now}
    )
    return str(decided["status"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("client_id")
    parser.add_argument("secret")
    parser.add_argument("--decide", action="store_true")
    parser.add_argument("--probe", action="append", default=[], help="a referral id to try to read")
    args = parser.parse_args()
    with httpx.Client(base_url=args.base_url, timeout=30) as client:
        client.headers["Authorization"] = f"Bearer {token(client, args.client_id, args.secret)}"
        items, cursor, pages = pull(client, None)
        report: dict[str, Any] = {"pulled": [i["id"] for i in items], "pages": pages}
        report["documents_checked"] = sum(check_documents(client, item) for item in items)
        if args.decide:
            report["decided"] = {item["id"]: decide(client, item) for item in items}
            changed, cursor, _ = pull(client, cursor)
            report["changed_after_cursor"] = {i["id"]: i["status"] for i in changed}
            report["history"] = {i["id"]: [h["step"] for h in i["history"]] for i in changed}
        again, _, _ = pull(client, cursor)
        report["nothing_new"] = again == []
        report["probes"] = {rid: client.get(f"/police/v1/referrals/{rid}").status_code for rid in args.probe}
    json.dump(report, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
