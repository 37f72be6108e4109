"""``greenlaw demo load``: the bureau's 2020–2021 year into an empty system."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import Annotated

import httpx
import typer

from services.demo.loader import DemoAlreadyLoaded, DemoError, LoadReport, load
from services.demo.plan import DEFAULT_SEED, build_plan
from services.demo.startup import LoadMarker
from shared.outbound import tls_context
from shared.settings import CommonSettings

demo_app = typer.Typer(help="演示数据 The demo scenario: the district bureau's 2020–2021 year.", no_args_is_help=True)


@demo_app.command("load")
def load_command(
    url: Annotated[
        str | None,
        typer.Option(help="A running server's base URL (embedded or gateway); default: the embedded data directory"),
    ] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same data")] = DEFAULT_SEED,
    air_days: Annotated[int, typer.Option(min=1, max=365, help="Days of hourly air data from 1 January 2021")] = 365,
) -> None:
    """Load the scenario through the services' APIs; refused when the system already holds data.

    Without --url it starts the embedded mode on GREENLAW_DATA_DIR in this process (stop `make run` first: one
    process per SQLite data directory). The demo accounts must exist (created on the first development start)."""
    marker = None if url else LoadMarker(CommonSettings().data_dir)
    try:
        report = asyncio.run(_over_url(url, seed, air_days) if url else _in_process(seed, air_days, marker))
    except DemoAlreadyLoaded as exc:
        interrupted = marker.interrupted() if marker else None
        typer.echo(interrupted or str(exc))
        raise typer.Exit(code=0) from exc
    except DemoError as exc:
        typer.echo(f"demo load failed: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(json.dumps(asdict(report), ensure_ascii=False, indent=2))


async def _over_url(url: str, seed: int, air_days: int) -> LoadReport:
    async with httpx.AsyncClient(base_url=url.rstrip("/"), timeout=300, verify=tls_context()) as client:
        return await load(client, build_plan(seed, air_days=air_days))


async def _in_process(seed: int, air_days: int, marker: LoadMarker | None) -> LoadReport:
    from services.demo.startup import load_into
    from services.ops.embedded import create_embedded_app

    app = create_embedded_app(demo=False)
    async with app.router.lifespan_context(app):
        # A marker already there is an earlier load's: it stays until a load finishes.
        began = marker is not None and marker.interrupted() is None
        if marker is not None and began:
            marker.begin()
        try:
            report = await load_into(app, seed=seed, air_days=air_days)
        except DemoAlreadyLoaded:
            if marker is not None and began:
                marker.finish()  # nothing of the demo was written
            raise
        if marker is not None:
            marker.finish()
        return report
