"""Readings: batch ingest (JSON array or CSV), range queries with aggregation, latest values, CSV export."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from services.monitoring.api.deps import Reader, Sender, sender, standards_of
from services.monitoring.domain.readings import CSV_COLUMNS, RowError, decode_columns, rows_from_csv
from services.monitoring.handlers.batch import ingest_batch
from services.monitoring.handlers.queries import Aggregation, aggregated_readings, latest_values, raw_readings
from services.monitoring.schemas import (
    LatestReadingList,
    LatestReadingPublic,
    ReadingBatchPublic,
    ReadingCreate,
    ReadingList,
)
from services.monitoring.settings import MonitoringSettings
from shared.bounds import LegalDateTime
from shared.csv_export import csv_text
from shared.json_guard import parse_json
from shared.problems import Problem
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/monitoring", tags=["readings"])
_UNPARSED = object()
# What the batch reads as JSON: FastAPI reads a body without a media type as JSON too.
JSON_MEDIA = frozenset(("application/json", ""))
# Documented, not validated by FastAPI: rows are checked one by one in the domain, so one bad row is reported by
# its index instead of refusing a batch of tens of thousands (and CSV is read by the same rules).
_BATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"type": "array", "items": ReadingCreate.model_json_schema(), "title": "ReadingBatch"}
        },
        "text/csv": {
            "schema": {
                "type": "string",
                "format": "binary",
                "description": f"a header line naming the columns ({', '.join(CSV_COLUMNS)}; station, parameter, "
                "time and value required), then one reading per line (UTF-8)",
            }
        },
    },
}


async def _body(request: Request, settings: MonitoringSettings) -> bytes:
    body = await request.body()
    if len(body) > settings.batch_max_bytes:
        raise Problem(413, f"请求体超过 {settings.batch_max_bytes} 字节 Body too large")
    return body


def _media(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _rows(request: Request, body: bytes, settings: MonitoringSettings) -> list[Any]:
    media = _media(request)
    try:
        if media == "text/csv":
            rows: Any = rows_from_csv(body.decode("utf-8-sig"))
        elif media in JSON_MEDIA:
            rows = _json(request, body)
        else:
            raise Problem(415, "只接受 JSON 数组或 CSV Send a JSON array or text/csv", slug="unsupported-media-type")
    except (UnicodeDecodeError, ValueError, RowError) as exc:
        raise Problem(400, f"无法解析请求体 Unreadable body: {exc}", slug="unreadable-body") from exc
    if not isinstance(rows, list):
        raise Problem(422, "需要数组 The body must be a JSON array of readings", slug="not-an-array")
    _bounded(len(rows), settings)
    return rows


def _bounded(count: int, settings: MonitoringSettings) -> None:
    if count > settings.batch_max_rows:
        raise Problem(
            413, f"每次最多 {settings.batch_max_rows} 条 At most {settings.batch_max_rows} readings a request"
        )


def _json(request: Request, body: bytes) -> Any:
    """The document the service's JSON guard already parsed (and bounded), else parsed here the same way."""
    parsed = getattr(request.state, "json_body", _UNPARSED)
    return parse_json(body) if parsed is _UNPARSED else parsed


@router.post(
    "/readings:batch",
    operation_id="ingest_readings",
    response_model=ReadingBatchPublic,
    openapi_extra={"requestBody": _BATCH_BODY},
)
async def ingest_readings(request: Request, caller: Annotated[Sender, Depends(sender)]) -> ReadingBatchPublic:
    """批量上报: each row ``station, parameter, time, value, unit, flag[, interval]``; the same (station, parameter,
    interval, time) again updates. HTTP Basic with the station's MN and password, or a staff token."""
    settings: MonitoringSettings = request.app.state.settings
    body = await _body(request, settings)
    # The usual JSON batch is decoded straight into columns (the service's JSON guard leaves this route's body to
    # it); any other body is parsed and judged as before, and so is this one if it must be judged row by row.
    columns = decode_columns(body) if _media(request) in JSON_MEDIA else None
    if columns is not None:
        _bounded(columns.size, settings)
        batch: list[Any] | Callable[[], list[Any]] = partial(_rows, request, body, settings)
    else:
        batch = _rows(request, body, settings)
    async with runtime_of(request).uow() as uow:
        result = await ingest_batch(
            uow, standards_of(request), batch, columns=columns,
            caller_station=caller.station, actor=caller.actor, correlation_id=correlation_id(request),
        )  # fmt: skip
        await uow.commit()
    return result


@router.get(
    "/readings",
    operation_id="query_readings",
    response_model=ReadingList,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def query_readings(
    request: Request,
    _caller: Reader,
    station: str,
    parameter: str,
    start: LegalDateTime,
    end: LegalDateTime,
    interval: Annotated[str, Query(pattern="^(rtd|minute|hour|day)$")] = "hour",
    aggregation: Aggregation | None = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
) -> Any:
    """Values in [start, end) or their mean/min/max/count per local hour, day or month (valid values only:
    instrument flag N, no automatic flag, the day not invalidated by review). ``format=csv`` answers ``text/csv``."""
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise Problem(
            422, "时间范围需带时区且 end > start start and end need offsets and end > start", slug="bad-range"
        )
    async with runtime_of(request).uow() as uow:
        if aggregation:
            rows = await aggregated_readings(uow, station=station, parameter=parameter, interval=interval,
                                             start=start, end=end, aggregation=aggregation)  # fmt: skip
        else:
            found = await raw_readings(uow, station=station, parameter=parameter, interval=interval,
                                       start=start, end=end, limit=limit)  # fmt: skip
            rows = [r.model_dump(mode="json", exclude={"received_at", "source"}) for r in found]
    if format == "csv":
        return _csv(rows)
    # Already in JSON form (up to 100,000 rows): sent as they are, the schema documents them.
    return JSONResponse({"station": station, "parameter": parameter, "aggregation": aggregation, "items": rows})


def _csv(rows: list[dict[str, Any]]) -> Response:
    """Rows of one shape (raw or aggregated); no rows, an empty document."""
    if not rows:
        return Response("", media_type="text/csv; charset=utf-8")
    header = list(rows[0])
    return Response(
        csv_text(header, ([row.get(key) for key in header] for row in rows)), media_type="text/csv; charset=utf-8"
    )


@router.get("/latest", operation_id="latest_readings", response_model=LatestReadingList)
async def latest(
    request: Request, _caller: Reader, station: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 1000
) -> LatestReadingList:
    """The newest value per station and parameter (最新数据), valid or not, and whether it is valid."""
    async with runtime_of(request).uow() as uow:
        rows = await latest_values(uow, station=station, limit=limit)
    return LatestReadingList(
        items=[LatestReadingPublic.model_validate(row.model_dump() | {"valid": valid}) for row, valid in rows]
    )
