"""Large batches take the bulk path (PostgreSQL: COPY into a staging table, then one upsert; a clean batch as
columns): same answers."""

from __future__ import annotations

import itertools
import struct
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from services.monitoring.handlers.bulk import Bulk, binary_copy
from services.monitoring.handlers.checks import READING, READING_COLUMNS
from services.monitoring.handlers.ingest import READING_KEY, READING_VALUES
from tests.stack import Stack
from tests.support.monitoring import (
    client,
    create_station,
    monitoring_on_both_databases,  # noqa: F401 - the ``local`` fixture
)

START = datetime(2021, 6, 1, tzinfo=UTC)  # 08:00 in Beijing
PARAMETERS = ("so2", "no2", "co", "o3", "pm10", "pm25")


def rows(station: str, hours: range, value: Any) -> list[dict[str, Any]]:
    return [
        {"station": station, "parameter": p, "time": (START + timedelta(hours=h)).isoformat(), "value": value(h, i),
         "unit": "µg/m³"}
        for h in hours for i, p in enumerate(PARAMETERS)
    ]  # fmt: skip


async def stored(http: httpx.AsyncClient, station: str, parameter: str, hours: int) -> list[dict[str, Any]]:
    params: dict[str, str | int] = {"station": station, "parameter": parameter, "start": START.isoformat()}
    params["limit"] = 100_000
    params["end"] = (START + timedelta(hours=hours)).isoformat()
    answer = await http.get("/api/v1/monitoring/readings", params=params)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


async def test_a_large_batch_is_stored_updated_and_flagged_like_a_small_one(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as http:
        a = (await create_station(http, "air_station"))["code"]
        # Five equal hours first, in a small batch; the large one continues the run (the sixth equal hour flags
        # the five stored before it), then varies.
        first = await http.post("/api/v1/monitoring/readings:batch", json=rows(a, range(5), lambda h, i: 7.0))
        assert first.json() == {"stored": 30, "rejected": []}
        batch = rows(a, range(5, 400), lambda h, i: 7.0 if h < 6 else 10.0 + (h * 7 + i) % 50)
        batch[65]["value"] = "not a number"  # pm25 of two hours
        batch[71]["time"] = "2021-06-32T00:00:00"
        answer = await http.post("/api/v1/monitoring/readings:batch", json=batch)
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert result["stored"] == len(batch) - 2
        assert [r["index"] for r in result["rejected"]] == [65, 71]
        so2 = await stored(http, a, "so2", 400)
        assert len(so2) == 400
        assert [r["auto_flags"] for r in so2[:7]] == ["constant"] * 6 + [""]
        assert so2[399]["value"] == 10.0 + (399 * 7) % 50
        # The same keys again with other values update in place (still one row per key).
        again = await http.post(
            "/api/v1/monitoring/readings:batch", json=rows(a, range(100, 400), lambda h, i: 1.0 + i)
        )
        assert again.json() == {"stored": 1800, "rejected": []}
        so2 = await stored(http, a, "so2", 400)
        assert len(so2) == 400
        assert {r["value"] for r in so2[100:]} == {1.0}
        latest = (await http.get("/api/v1/monitoring/latest", params={"station": a})).json()["items"]
        assert {(r["parameter"], r["value"]) for r in latest} == {(p, 1.0 + i) for i, p in enumerate(PARAMETERS)}
        reviews = (await http.get("/api/v1/monitoring/reviews", params={"station": a, "limit": 100})).json()
        # 400 hours from 08:00 Beijing on 2021-06-01: that day and 16 more.
        assert len(reviews["items"]) == 17
    async with local.runtime("monitoring").engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM reading WHERE station_code = :a"), {"a": a})).scalar()
    assert count == 2400 - 2


async def test_new_keys_copied_straight_in_and_a_key_stored_meanwhile_falls_back_to_the_upsert(local: Stack) -> None:
    """Readings whose keys were not stored when their neighbours were read go by COPY into the table itself; if
    another transaction stored one of those keys in between, the savepoint is rolled back and the upsert takes
    them all (the stored key updated, none lost, nothing twice)."""
    async with client(local, "monitoring_reviewer") as http:
        a = (await create_station(http, "air_station"))["code"]
    runtime = local.runtime("monitoring")
    moments = [START + timedelta(hours=h) for h in range(1200)]
    received = datetime(2021, 7, 1, tzinfo=UTC)

    def readings(value: float) -> list[tuple[Any, ...]]:
        return [(a, "so2", "hour", m, value, "µg/m³", "N", "", "batch", received) for m in moments]

    async with runtime.uow() as uow:  # one key stored "meanwhile"
        bulk = Bulk(uow.session)
        await bulk.upsert("reading", READING_COLUMNS, [bulk_row(bulk, readings(1.0)[700])], keys=READING_KEY,
                          update=READING_VALUES)  # fmt: skip
        await uow.commit()
    async with runtime.uow() as uow:
        bulk = Bulk(uow.session)
        rows = [bulk_row(bulk, row) for row in readings(2.0)]
        await bulk.upsert("reading", READING_COLUMNS, rows, keys=READING_KEY, update=READING_VALUES, new_keys=True)
        await uow.commit()
    async with runtime.uow() as uow:  # all new: straight in
        bulk = Bulk(uow.session)
        later = [(a, "no2", *row[2:]) for row in readings(3.0)]
        rows = [bulk_row(bulk, row) for row in later]
        await bulk.upsert("reading", READING_COLUMNS, rows, keys=READING_KEY, update=READING_VALUES, new_keys=True)
        await uow.commit()
    async with runtime.engine.connect() as conn:
        found = (
            await conn.execute(
                text("SELECT parameter, count(*), min(value), max(value) FROM reading WHERE station_code = :a"
                     " GROUP BY parameter ORDER BY parameter"), {"a": a},
            )
        ).all()  # fmt: skip
    assert [tuple(r) for r in found] == [("no2", 1200, 3.0, 3.0), ("so2", 1200, 2.0, 2.0)]


def bulk_row(bulk: Bulk, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A reading row with its times bound as the driver takes them."""
    return (*row[:3], bulk.time(row[3]), *row[4:9], bulk.time(row[9]))


async def test_the_column_path_stores_what_the_row_path_stores(local: Stack) -> None:
    """A clean batch goes as columns; the same rows with one bad row appended go row by row. Both store the same
    values and flags (a time sent twice: the later row; a run, a spike, a value out of range, a faulty flag, and
    stored neighbours before, after and among the new hours)."""
    async with client(local, "monitoring_reviewer") as http:
        a, b = [(await create_station(http, "air_station"))["code"] for _ in range(2)]
        for station in (a, b):  # stored neighbours: before the batch, among its hours, after it
            neighbours = rows(station, range(3), lambda h, i: 7.0) + rows(station, range(30, 31), lambda h, i: 9.0)
            neighbours += rows(station, range(400, 404), lambda h, i: 7.0)
            assert (await http.post("/api/v1/monitoring/readings:batch", json=neighbours)).status_code == 200

        def batch(station: str) -> list[dict[str, Any]]:
            body = rows(station, range(3, 400), lambda h, i: 7.0 if h < 8 or h > 395 else 10.0 + (h * 7 + i) % 50)
            body[600]["value"] = 900.0  # a spike
            body[700]["value"] = -3  # negative
            body[800]["flag"] = "D"
            body[900]["value"] = "12.5"
            body.append(dict(body[60], value=11.0))  # so2 at hour 13 again: this row wins
            return body

        clean = await http.post("/api/v1/monitoring/readings:batch", json=batch(a))
        with_a_bad_row = await http.post("/api/v1/monitoring/readings:batch", json=[*batch(b), {"station": b}])
        assert clean.status_code == with_a_bad_row.status_code == 200, (clean.text, with_a_bad_row.text)
        assert clean.json() == {"stored": 397 * 6, "rejected": []}
        assert with_a_bad_row.json()["stored"] == 397 * 6
        assert [r["index"] for r in with_a_bad_row.json()["rejected"]] == [397 * 6 + 1]
        for parameter in PARAMETERS:
            ours, theirs = await stored(http, a, parameter, 404), await stored(http, b, parameter, 404)
            assert len(ours) == 404
            assert [dict(r, station_code=None) for r in ours] == [dict(r, station_code=None) for r in theirs]
        so2 = await stored(http, a, "so2", 404)
        assert [r["auto_flags"] for r in so2[:8]] == ["constant"] * 8
        assert so2[13]["value"] == 11.0
        assert [r["auto_flags"] for r in so2[396:]] == ["constant"] * 8  # the stored four after it reflagged
        flagged = {r["auto_flags"] for p in PARAMETERS for r in await stored(http, a, p, 404)}
        assert {"spike", "negative", "instrument_flag_D", "constant"} <= flagged


def _field(value: Any) -> bytes:
    """One field as PostgreSQL's binary COPY reads it, written on its own."""
    if isinstance(value, str):
        return struct.pack("!i", len(value.encode())) + value.encode()
    if isinstance(value, float):
        return struct.pack("!id", 8, value)
    return struct.pack("!iq", 8, (value - datetime(2000, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1))


def test_the_binary_copy_payload_is_the_rows_written_field_by_field() -> None:
    """Columns of one value joined to their neighbours (constants, texts, times) give the same bytes as each row
    written field by field, whatever the order of the columns."""
    kinds: dict[str, list[Any]] = {
        "one text": ["站"] * 6, "few texts": ["a", "", "微克", "a", "", "a"], "one time": [START] * 6,
        "times": [START + timedelta(hours=h % 4, microseconds=h) for h in range(6)], "one float": [2.5] * 6,
        "floats": [0.0, -0.0, 1e300, -1.5, 3.0, 0.0],
    }  # fmt: skip
    for names in itertools.product(kinds, repeat=3):
        columns = [kinds[name] for name in names]
        rows = (struct.pack("!h", 3) + b"".join(_field(column[i]) for column in columns) for i in range(6))
        assert binary_copy(columns) == b"PGCOPY\n\xff\r\n\x00" + bytes(8) + b"".join(rows) + struct.pack("!h", -1)
        # Some of the rows, in another order: the payload of those rows.
        for order in ([5, 0, 3], [2], [4, 3, 2, 1, 0, 5]):
            picked = [[column[i] for i in order] for column in columns]
            assert binary_copy(columns, order) == binary_copy(picked)
    with pytest.raises(ValueError, match="naive"):
        binary_copy([["a", "b"], [START, datetime(2021, 6, 1)]])


async def test_the_binary_copy_payload_reads_back_as_sent(local: Stack) -> None:
    """Texts (Chinese, empty), times to the microsecond and floats at the edges go through the binary COPY
    payload (PostgreSQL) or the zipped rows (SQLite) and read back the same; a column of another type is sent as
    records."""
    async with client(local, "monitoring_reviewer") as http:
        a = (await create_station(http, "air_station"))["code"]
    runtime = local.runtime("monitoring")
    moments = [START + timedelta(hours=h, microseconds=h % 7) for h in range(1500)]
    values = [(-1) ** h * 10.0 ** (h % 600 - 300) if h % 5 else 0.1 * h for h in range(1500)]
    units = ["微克/立方米" if h % 2 else "" for h in range(1500)]
    received = datetime(2021, 7, 1, 12, 30, 1, 999_999, tzinfo=UTC)
    data: list[list[Any]] = [
        [a] * 1500, ["so2"] * 1500, ["hour"] * 1500, moments, values, units, ["N"] * 1500,
        ["constant,spike" if h % 3 else "" for h in range(1500)], ["batch"] * 1500, [received] * 1500,
    ]  # fmt: skip
    assert binary_copy(data) is not None
    for other in ([1, 2], [True], ["x", 1], [1.5, "x"]):
        assert binary_copy([other]) is None
    # Columns of one value are encoded once and joined into one piece a row: the same bytes as field by field.
    row = struct.pack("!h", 3) + struct.pack("!i", 3) + "站".encode() + struct.pack("!id", 8, 1.5)
    row += struct.pack("!iq", 8, 86_400_000_000)
    assert binary_copy([["站"] * 2, [1.5] * 2, [datetime(2000, 1, 2, tzinfo=UTC)] * 2]) == (
        b"PGCOPY\n\xff\r\n\x00" + bytes(8) + row * 2 + struct.pack("!h", -1)
    )
    # 0.0 and -0.0 are equal, not the same value: each keeps its sign.
    zeros = binary_copy([[0.0, -0.0, 0.0]])
    assert zeros is not None
    assert zeros.count(struct.pack("!hid", 1, 8, -0.0)) == 1
    async with runtime.uow() as uow:
        await Bulk(uow.session).upsert_columns("reading", READING_COLUMNS, data, keys=READING_KEY,
                                               update=READING_VALUES, new_keys=True)  # fmt: skip
        await uow.commit()
    async with runtime.uow() as uow:
        found = (
            await uow.session.execute(
                select(READING.c.time, READING.c.value, READING.c.unit, READING.c.auto_flags, READING.c.received_at)
                .where(READING.c.station_code == a)
                .order_by(READING.c.time)
            )
        ).all()  # fmt: skip
    assert [tuple(r) for r in found] == [(moments[h], values[h], units[h], data[7][h], received) for h in range(1500)]
