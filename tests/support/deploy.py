"""Helpers of the deployment tests (compose and Kubernetes): the environment a service reads, and the command line
a container runs, parsed as its entry point would."""

from __future__ import annotations

from typing import Any

import typer.main

from services.ops.cli import app as cli_app
from shared.settings import CommonSettings, ServiceSettings


def known_variables(settings_class: type[ServiceSettings]) -> set[str]:
    """Every environment variable the service reads: the common ones and those with its own prefix."""
    common = {"GREENLAW_" + name.upper() for name in CommonSettings.model_fields}
    prefix = str(settings_class.model_config.get("env_prefix", ""))
    own = {(prefix + name).upper() for name in settings_class.model_fields if name != "common"}
    return common | own


def parse_cli(args: list[str]) -> Any:
    """Parse ``greenlaw <args>`` as the container's ENTRYPOINT would, without running the command: the click
    context of the command reached (typer ships its own click, so groups are told apart by ``resolve_command``)."""
    command: Any = typer.main.get_command(cli_app)
    context = command.context_class(command, info_name="greenlaw")
    rest = list(args)
    while hasattr(command, "resolve_command"):
        name, command, rest = command.resolve_command(context, rest)  # a UsageError for an unknown command
        assert command is not None, name
        if hasattr(command, "resolve_command"):
            context = command.context_class(command, info_name=name, parent=context)
        else:
            context = command.make_context(name, rest, parent=context)  # options and arguments checked here
    return context
