"""Every httpx client of the services verifies certificates with the one shared TLS context (in-process ones too,
so the rule has no exceptions to keep track of)."""

from __future__ import annotations

import ast
import ssl
from pathlib import Path

import pytest

from shared.outbound import tls_context

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def test_one_context_per_process_that_verifies_servers() -> None:
    context = tls_context()
    assert context is tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


def clients_made_without_the_context(source: str) -> list[int]:
    """Lines where an ``httpx.Client`` or ``httpx.AsyncClient`` is made without ``verify=tls_context()``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in ("Client", "AsyncClient") or ast.unparse(node.func.value) != "httpx":
            continue
        verify = next((k.value for k in node.keywords if k.arg == "verify"), None)
        if verify is None or ast.unparse(verify) != "tls_context()":
            lines.append(node.lineno)
    return lines


def test_the_check_finds_a_client_without_the_context() -> None:
    source = "import httpx\nhttpx.AsyncClient(base_url='http://x')\nhttpx.Client(verify=tls_context())\n"
    assert clients_made_without_the_context(source) == [2]


def test_every_client_of_the_services_is_given_the_context() -> None:
    found = {
        f"{path.relative_to(ROOT)}:{line}"
        for package in ("services", "shared")
        for path in sorted((ROOT / package).rglob("*.py"))
        for line in clients_made_without_the_context(path.read_text(encoding="utf-8"))
    }
    assert not found, f"httpx clients made without verify=tls_context() (a new TLS context each): {sorted(found)}"
