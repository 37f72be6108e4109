"""The ``greenlaw`` command imports a command group's code only when the group is used: a service process
(``greenlaw serve cases``) starts without the gateway's accounts, monitoring's stations, the demo or the backup."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import typer
from typer.testing import CliRunner

from services.ops.cli import LAZY_GROUPS
from services.ops.cli import app as cli


def test_the_command_module_imports_no_group() -> None:
    modules = sorted({module for module, _ in LAZY_GROUPS.values()})
    probe = f"import sys, services.ops.cli; print([m for m in {modules!r} if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_every_group_is_listed_and_runs_as_before() -> None:
    listing = CliRunner().invoke(cli, ["--help"], terminal_width=200)
    assert listing.exit_code == 0, listing.output
    for name in (*LAZY_GROUPS, "serve", "audit", "disclosure"):
        assert f" {name} " in listing.output, name
    users = CliRunner().invoke(cli, ["users", "--help"], terminal_width=200)
    assert users.exit_code == 0, users.output
    assert "reset-password" in users.output
    stations = CliRunner().invoke(cli, ["stations", "--help"], terminal_width=200)
    assert stations.exit_code == 0, stations.output
    assert "unlock" in stations.output
    unknown = CliRunner().invoke(cli, ["nothing"])
    assert unknown.exit_code == 2


def test_a_loaded_group_keeps_its_place_in_the_listing() -> None:
    group: Any = typer.main.get_command(cli)
    context = group.make_context("greenlaw", ["--help"], resilient_parsing=True)
    before = group.list_commands(context)
    assert before[-len(LAZY_GROUPS) :] == list(LAZY_GROUPS)
    assert group.get_command(context, "backup").name == "backup"
    assert group.list_commands(context) == before
