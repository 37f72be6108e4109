"""``greenlaw backup create|restore``: every service's database and file stores, with a manifest that proves a restore.

A backup directory holds ``databases/`` (a SQLite copy made with SQLite's online backup API, or a ``pg_dump -Fc``
taken in one exported snapshot), ``stores/`` (the content-addressed evidence, decision document and referral
document files) and ``manifest.json``, written last: per service the row count of every table, the Alembic
revision, the audit chain's verification and head, and the SHA-256 of every file. The counts and the chain head are
read from the very snapshot that was saved, so a restore can be checked against them exactly.

A restore refuses a backup whose files do not match the manifest before it touches anything; after restoring it
re-reads every database and fails loudly unless the counts, the revision and the audit chain head are the same.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalogue import CATALOGUE
from shared.audit import verify_chain
from shared.db import is_sqlite
from shared.messaging.tables import OutboxRecord

FORMAT = "greenlaw-backup/1"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
# Wider than the time a backup of all five databases takes, plus the relay's delay.
DEFAULT_REQUEUE_WINDOW = timedelta(minutes=10)
STORE_FILE = re.compile(r"^[0-9a-f]{2}/([0-9a-f]{64})$")


class BackupError(Exception):
    """The backup or restore cannot be trusted; the message says why (every problem, one per line)."""


@dataclass(frozen=True)
class Target:
    """One service's data: its database URL and its file stores (label → root directory)."""

    name: str
    database_url: str
    stores: dict[str, Path] = field(default_factory=dict)


def configured_targets() -> list[Target]:
    """The five databases and three file stores as the settings (environment) configure them."""
    targets = []
    for entry in CATALOGUE:
        settings = entry.settings_class()()
        stores = {label: Path(getattr(settings, method)()) for label, method in entry.stores.items()}
        targets.append(Target(entry.name, settings.resolved_database_url(), stores))
    return targets


# --- What a database holds ---------------------------------------------------------------------------------------


async def database_facts(connection: AsyncConnection) -> dict[str, Any]:
    """Row count per table, Alembic revision, audit chain (verification and head), all in the connection's snapshot."""
    names = sorted(await connection.run_sync(lambda sync: sa_inspect(sync).get_table_names()))
    quote = connection.dialect.identifier_preparer.quote
    tables = {n: int((await connection.execute(text(f"SELECT count(*) FROM {quote(n)}"))).scalar_one()) for n in names}  # noqa: S608 - names come from the catalogue
    revision = None
    if "alembic_version" in tables:
        rows = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
        revision = ",".join(sorted(str(r) for r in rows)) or None
    audit = None
    if "audit_log" in tables:
        report = await verify_chain(AsyncSession(bind=connection))
        head = (await connection.execute(text("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"))).first()
        audit = {
            "ok": report.ok,
            "rows_intact": report.checked,
            "first_broken_seq": report.first_broken_seq,
            "reason": report.reason,
            "head_seq": None if head is None else int(head[0]),
            "head_hash": None if head is None else str(head[1]),
        }
    return {"tables": tables, "alembic_revision": revision, "audit": audit}


async def _sqlite_facts(path: Path) -> dict[str, Any]:
    # A plain engine: the service engine's pragmas would switch the copy to WAL and change its bytes.
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await database_facts(connection)
    finally:
        await engine.dispose()


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"not a SQLite file: {url}")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while the service keeps writing; the copy is one rollback-mode file."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


# --- PostgreSQL tools --------------------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore`` on the PATH, else the newest under /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: _version(p.parts[-3]))
    if not candidates:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools (postgresql-client)")
    return str(candidates[-1])


def _version(text_: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text_.split(".") if part.isdigit())


def _libpq_env(url: URL) -> dict[str, str]:
    """Connection settings for the libpq tools through the environment, so no password shows on a command line."""
    env = {**os.environ, "PGHOST": url.host or "127.0.0.1", "PGPORT": str(url.port or 5432)}
    if url.username:
        env["PGUSER"] = url.username
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    ssl = url.query.get("sslmode") or url.query.get("ssl")
    if isinstance(ssl, str):
        env["PGSSLMODE"] = ssl
    return env


async def _run(argv: list[str], env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _out, err = await process.communicate()
    if process.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed ({process.returncode}): {err.decode(errors='replace')[-2000:]}")


async def _postgres_dump(url_text: str, target: Path) -> dict[str, Any]:
    """``pg_dump -Fc`` of the snapshot the counts and the audit head are read in (exported, then shared)."""
    url = make_url(url_text)
    engine = create_async_engine(url_text, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="REPEATABLE READ")
            snapshot = (await connection.execute(text("SELECT pg_export_snapshot()"))).scalar_one()
            facts = await database_facts(connection)
            argv = [pg_tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", f"--file={target}", f"--dbname={url.database}"]
            await _run(argv, _libpq_env(url))
            await connection.rollback()
    finally:
        await engine.dispose()
    return facts


async def _postgres_restore(url_text: str, dump: Path) -> None:
    url = make_url(url_text)
    await _ensure_database(url)
    argv = [
        pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={url.database}",
        str(dump),
    ]
    await _run(argv, _libpq_env(url))


async def _ensure_database(url: URL) -> None:
    """A lost database is created again (empty) so that it can be restored into."""
    engine = create_async_engine(url.set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            found = await connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database})
            if found.first() is None:
                quote = connection.dialect.identifier_preparer.quote
                await connection.execute(text(f"CREATE DATABASE {quote(str(url.database))}"))
    finally:
        await engine.dispose()


async def _postgres_facts(url_text: str) -> dict[str, Any]:
    engine = create_async_engine(url_text, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await database_facts(connection)
    finally:
        await engine.dispose()


# --- Files -------------------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_hashing(source: Path, target: Path) -> tuple[str, int]:
    """Copy through a temporary name (a reader never sees half a file) and return the SHA-256 of what was copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
    try:
        with source.open("rb") as src, os.fdopen(handle, "wb") as dst:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                dst.write(chunk)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return digest.hexdigest(), size


def _store_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative path, file) of every stored file; upload temporaries are not content yet and are skipped."""
    if not root.is_dir():
        return
    for path in sorted(root.glob("*/*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and STORE_FILE.match(relative):
            yield relative, path


def _now() -> str:
    return datetime.now(UTC).isoformat()


# --- Create ------------------------------------------------------------------------------------------------------


async def create_backup(targets: list[Target], directory: Path, *, allow_damaged: bool = False) -> dict[str, Any]:
    """Back up every target into ``directory`` (new or empty); returns the manifest, written last.

    Databases first, then the stores: a row can only name a file that was stored before the row was committed, so
    every file a backed-up row refers to is already there when the stores are copied.
    """
    _prepare(directory)
    manifest: dict[str, Any] = {"format": FORMAT, "started_at": _now(), "host": socket.gethostname()}
    # Each database on its own snapshot, all at once: the seconds between the snapshots are as few as can be.
    saved = await asyncio.gather(*(_backup_database(t, directory) for t in targets))
    manifest["services"] = {t.name: entry for t, entry in zip(targets, saved, strict=True)}
    manifest["stores"] = {
        label: _backup_store(target.name, root, directory / "stores" / label)
        for target in targets
        for label, root in target.stores.items()
    }
    manifest["problems"] = _problems(manifest)
    if manifest["problems"] and not allow_damaged:
        raise BackupError("\n".join(["backup refused (incomplete, no manifest written):", *manifest["problems"]]))
    manifest["finished_at"] = _now()
    _write_json(directory / MANIFEST, manifest)
    return manifest


def _prepare(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: a backup goes into a new directory")
    # Personal data of parties (个人信息): readable by the operator's account only.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    (directory / "databases").mkdir(mode=0o700, exist_ok=True)


async def _backup_database(target: Target, directory: Path) -> dict[str, Any]:
    taken_at = _now()
    if is_sqlite(target.database_url):
        source = _sqlite_path(target.database_url)
        if not source.is_file():
            raise BackupError(f"{target.name}: no database at {source}")
        file = Path("databases") / f"{target.name}.db"
        await asyncio.to_thread(_sqlite_copy, source, directory / file)
        facts = await _sqlite_facts(directory / file)
        engine, where = "sqlite", str(source)
    else:
        url = make_url(target.database_url)
        file = Path("databases") / f"{target.name}.pgdump"
        facts = await _postgres_dump(target.database_url, directory / file)
        engine, where = "postgresql", f"{url.host}:{url.port or 5432}/{url.database}"
    path = directory / file
    return {
        "engine": engine,
        "source": where,
        "taken_at": taken_at,
        "file": file.as_posix(),
        "sha256": await asyncio.to_thread(sha256_of, path),
        "bytes": path.stat().st_size,
        **facts,
    }


def _backup_store(service: str, root: Path, target: Path) -> dict[str, Any]:
    files: dict[str, dict[str, Any]] = {}
    for relative, path in _store_files(root):
        digest, size = _copy_hashing(path, target / relative)
        files[relative] = {"sha256": digest, "bytes": size}
    return {"service": service, "source": str(root), "files": files, "bytes": sum(f["bytes"] for f in files.values())}


def _problems(manifest: dict[str, Any]) -> list[str]:
    """What is already wrong in the data being backed up: a broken audit chain, a stored file not matching its name."""
    problems = []
    for name, entry in manifest["services"].items():
        audit = entry["audit"]
        if audit is not None and not audit["ok"]:
            problems.append(f"{name}: audit chain broken at seq {audit['first_broken_seq']}: {audit['reason']}")
    for label, store in manifest["stores"].items():
        for relative, entry in store["files"].items():
            named = STORE_FILE.match(relative)
            if named and named.group(1) != entry["sha256"]:
                problems.append(f"{label}: {relative} does not match its content hash (damaged)")
    return problems


def _write_json(path: Path, data: dict[str, Any]) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temp, path)


# --- Restore -----------------------------------------------------------------------------------------------------


def read_manifest(directory: Path, *, expected_sha256: str | None = None) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory}: no {MANIFEST} (not a backup, or an incomplete one)")
    if expected_sha256 is not None and sha256_of(path) != expected_sha256.lower():
        raise BackupError(f"{path}: SHA-256 differs from the one recorded when the backup was made")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path}: unreadable: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: format {manifest.get('format')!r}, expected {FORMAT!r}")
    return manifest


def verify_files(directory: Path, manifest: dict[str, Any], services: set[str]) -> list[str]:
    """Every file the restore would use, re-hashed against the manifest; returns the mismatches."""
    expected = [(entry["file"], entry["sha256"]) for n, entry in manifest["services"].items() if n in services]
    for label, store in manifest["stores"].items():
        if store["service"] in services:
            expected += [(f"stores/{label}/{rel}", entry["sha256"]) for rel, entry in store["files"].items()]
    problems = []
    for relative, digest in expected:
        path = directory / relative
        if not path.is_file():
            problems.append(f"{relative}: missing")
        elif sha256_of(path) != digest:
            problems.append(f"{relative}: SHA-256 differs from the manifest (altered or damaged)")
    return problems


async def restore_backup(
    targets: list[Target],
    directory: Path,
    *,
    expected_manifest_sha256: str | None = None,
    requeue_window: timedelta = DEFAULT_REQUEUE_WINDOW,
) -> list[str]:
    """Restore ``targets`` (stopped services) from ``directory``; returns a line per verified database and store.

    Then the events each restored outbox created from ``requeue_window`` before the backup began on are marked for
    delivery again: the databases were saved one after another, so an event published between two snapshots may
    be missing from a consumer's restored state; consumers that have it already skip it (inbox).
    """
    manifest = read_manifest(directory, expected_sha256=expected_manifest_sha256)
    missing = [t.name for t in targets if t.name not in manifest["services"]]
    if missing:
        raise BackupError(f"the backup holds no {', '.join(missing)}")
    problems = await asyncio.to_thread(verify_files, directory, manifest, {t.name for t in targets})
    if problems:
        raise BackupError("\n".join(["backup refused, nothing restored:", *problems]))
    lines: list[str] = []
    for target in targets:
        entry = manifest["services"][target.name]
        await _restore_database(target, directory / entry["file"], entry["engine"])
        lines.append(await _verify_restored(target, entry))
        for label, root in target.stores.items():
            if label in manifest["stores"]:
                lines.append(_restore_store(label, directory / "stores" / label, root, manifest["stores"][label]))
    if requeue_window > timedelta(0):
        since = datetime.fromisoformat(manifest["started_at"]) - requeue_window
        for target in targets:
            if "outbox" in manifest["services"][target.name]["tables"]:
                count = await requeue_events(target.database_url, since=since)
                lines.append(f"{target.name}: {count} outbox events since {since:%Y-%m-%d %H:%M:%S}Z queued again")
    return lines


async def requeue_events(database_url: str, *, since: datetime) -> int:
    """Mark the outbox events created since ``since`` unpublished, so the relay delivers them once more."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            statement = update(OutboxRecord).where(col(OutboxRecord.created_at) >= since).values(published_at=None)
            return int((await connection.execute(statement)).rowcount)
    finally:
        await engine.dispose()


async def _restore_database(target: Target, file: Path, engine: str) -> None:
    here = "sqlite" if is_sqlite(target.database_url) else "postgresql"
    if here != engine:
        raise BackupError(f"{target.name}: the backup is of {engine}, the configured database is {here}")
    if engine == "sqlite":
        destination = _sqlite_path(target.database_url)
        destination.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(_sqlite_copy, file, destination)
    else:
        await _postgres_restore(target.database_url, file)


async def _verify_restored(target: Target, entry: dict[str, Any]) -> str:
    if is_sqlite(target.database_url):
        facts = await _sqlite_facts(_sqlite_path(target.database_url))
    else:
        facts = await _postgres_facts(target.database_url)
    mismatches = compare(entry, facts)
    if mismatches:
        raise BackupError("\n".join([f"{target.name}: restored, but it does not match the backup:", *mismatches]))
    audit = entry["audit"]
    if audit is None:
        chain = "no audit log"
    elif not audit["ok"]:
        chain = f"audit chain broken at seq {audit['first_broken_seq']}, as it was when backed up"
    else:
        chain = f"audit chain of {audit['rows_intact']} rows intact, head seq {audit['head_seq']}"
    return f"{target.name}: restored and verified ({sum(entry['tables'].values())} rows, {chain})"


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """How a restored database differs from its manifest entry: counts, revision, audit chain verification and head."""
    problems = []
    for table, count in sorted(expected["tables"].items()):
        found = actual["tables"].get(table)
        if found != count:
            problems.append(f"table {table}: {found} rows, the backup had {count}")
    if actual["alembic_revision"] != expected["alembic_revision"]:
        problems.append(f"schema revision {actual['alembic_revision']}, the backup had {expected['alembic_revision']}")
    if actual["audit"] != expected["audit"]:
        problems.append(f"audit chain {actual['audit']}, the backup had {expected['audit']}")
    return problems


def _restore_store(label: str, source: Path, root: Path, store: dict[str, Any]) -> str:
    """Content-addressed: files already present with the right content stay; files not in the backup are kept."""
    copied = 0
    for relative, entry in store["files"].items():
        target = root / relative
        if target.is_file() and sha256_of(target) == entry["sha256"]:
            continue
        digest, _size = _copy_hashing(source / relative, target)
        if digest != entry["sha256"]:
            raise BackupError(f"{label}: {relative} changed while being restored")
        copied += 1
    return f"{label}: {len(store['files'])} files verified ({copied} restored)"


# --- Command -----------------------------------------------------------------------------------------------------

backup_app = typer.Typer(help="Back up and restore every service's databases and file stores.", no_args_is_help=True)


def _selected(services: list[str] | None) -> list[Target]:
    targets = configured_targets()
    if not services:
        return targets
    unknown = set(services) - {t.name for t in targets}
    if unknown:
        raise typer.BadParameter(f"unknown service(s): {', '.join(sorted(unknown))}", param_hint="--service")
    return [t for t in targets if t.name in services]


@backup_app.command("create")
def create_command(
    to: Annotated[Path, typer.Option("--to", help="A new (or empty) directory for the backup")],
    allow_damaged: Annotated[
        bool, typer.Option(help="Back up even a broken audit chain or a damaged stored file (recorded as problems)")
    ] = False,
) -> None:
    """Online backup of the five databases and the file stores, with manifest.json (counts, audit heads, hashes)."""
    try:
        manifest = asyncio.run(create_backup(configured_targets(), to, allow_damaged=allow_damaged))
    except BackupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from exc
    for name, entry in manifest["services"].items():
        typer.echo(
            f"{name}: {entry['engine']} {entry['source']}, {sum(entry['tables'].values())} rows, {entry['bytes']} bytes"
        )
    for label, store in manifest["stores"].items():
        typer.echo(f"{label}: {len(store['files'])} files, {store['bytes']} bytes")
    for problem in manifest["problems"]:
        typer.echo(f"PROBLEM (backed up as it is): {problem}", err=True)
    typer.echo(f"manifest SHA-256 (keep it apart from the backup): {sha256_of(to / MANIFEST)}")


@backup_app.command("restore")
def restore_command(
    from_: Annotated[Path, typer.Option("--from", help="A backup directory made by `greenlaw backup create`")],
    service: Annotated[
        list[str] | None, typer.Option(help="Restore only this service (repeatable); default all")
    ] = None,
    manifest_sha256: Annotated[
        str | None, typer.Option(help="Refuse the backup unless its manifest has this SHA-256")
    ] = None,
    requeue_minutes: Annotated[
        float, typer.Option(help="Deliver again the events created this long before the backup began (0: none)")
    ] = DEFAULT_REQUEUE_WINDOW.total_seconds() / 60,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Replace the configured databases and stores by the backup (stop the services first), then verify them."""
    targets = _selected(service)
    if not yes:
        typer.confirm(f"Replace the data of {', '.join(t.name for t in targets)} by {from_}?", abort=True)
    try:
        window = timedelta(minutes=requeue_minutes)
        lines = asyncio.run(
            restore_backup(targets, from_, expected_manifest_sha256=manifest_sha256, requeue_window=window)
        )
    except BackupError as exc:
        typer.echo(f"RESTORE FAILED: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    for line in lines:
        typer.echo(line)
