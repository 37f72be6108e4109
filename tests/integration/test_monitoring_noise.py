"""Noise monitoring over HTTP: points, measurements in batches, indicators, review, the year's summary (staff and
public: reviewed only), the annual bulletin; bad input is a 4xx problem and stores nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.stack import Stack
from tests.support.monitoring import (  # noqa: F401 - monitoring_on_both_databases: the ``local`` fixture
    client,
    create_station,
    monitoring_on_both_databases,
    outbox,
)

pytestmark = pytest.mark.integration

TEN = [62.0, 58.0, 55.0, 70.0, 60.0, 57.0, 65.0, 59.0, 56.0, 61.0]
# From 00:00: 6 night hours at 50, 16 day hours (8 at 60, 8 at 63), 2 night hours at 50 → Ld 61.8, Ln 50.0
CLASS_1_DAY = [50.0] * 6 + [60.0] * 8 + [63.0] * 8 + [50.0] * 2
BATCH = "/api/v1/monitoring/noise/measurements:batch"


def sampled(station: str, at: str, samples: list[float], **extra: Any) -> dict[str, Any]:
    return {"station": station, "started_at": f"2021-05-12T{at}:00+08:00", "samples": samples,
            "sample_interval_seconds": 5, **extra}  # fmt: skip


def day_long(station: str, hourly: list[float]) -> dict[str, Any]:
    return {"station": station, "started_at": "2021-08-03T00:00:00+08:00", "hourly_leq": hourly}


async def _points(http: httpx.AsyncClient) -> dict[str, str]:
    made = {
        "r1": {"noise_kind": "regional"},
        "r2": {"noise_kind": "regional"},
        "t1": {"noise_kind": "road_traffic", "road_length_m": 1000},
        "t2": {"noise_kind": "road_traffic", "road_length_m": 3000},
        "t3": {"noise_kind": "road_traffic"},
        "f1": {"noise_kind": "functional_zone", "noise_zone_class": "1"},
        "f4": {"noise_kind": "functional_zone", "noise_zone_class": "4a"},
    }
    return {name: (await create_station(http, "noise_point", **fields))["code"] for name, fields in made.items()}


async def _review(http: httpx.AsyncClient, station: str, day: str, decision: str) -> None:
    body = {"station": station, "day": day, "decision": decision, "reason": "人工复核"}
    answer = await http.post("/api/v1/monitoring/reviews", json=body)
    assert answer.status_code == 200, answer.text


async def test_measurements_to_summary_review_and_bulletin(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as http, client(local) as public:
        p = await _points(http)
        batch = [
            sampled(p["r1"], "09:30", TEN),
            sampled(p["r1"], "23:10", [45.0] * 10),
            sampled(p["r2"], "10:00", [50.0] * 100),
            sampled(p["t1"], "10:30", [74.0] * 20, vehicles_per_hour=1800),
            sampled(p["t2"], "11:00", [68.0] * 20),
            sampled(p["t3"], "11:30", [80.0] * 20),
            day_long(p["f1"], CLASS_1_DAY),
            day_long(p["f4"], [55.0] * 24),
        ]
        stored = await http.post(BATCH, json=batch)
        assert stored.status_code == 200, stored.text
        assert stored.json()["stored"] == 8
        again = await http.post(BATCH, json=batch[:1])  # the same point and start: replaced, not doubled
        assert again.json()["ids"] == stored.json()["ids"][:1]

        listed = (await http.get("/api/v1/monitoring/noise/measurements", params={"year": 2021})).json()["items"]
        assert len(listed) == 8
        r1 = next(m for m in listed if m["station"] == p["r1"] and m["period"] == "day")
        assert {k: r1[k] for k in ("leq", "l10", "l50", "l90", "lmax", "lmin", "sd", "ld", "ln")} == {
            "leq": 62.9, "l10": 70.0, "l50": 60.0, "l90": 56.0, "lmax": 70.0, "lmin": 55.0, "sd": 4.5, "ld": 62.9,
            "ln": None,
        }  # fmt: skip
        assert (r1["sample_count"], r1["duration_seconds"], r1["review_status"]) == (10, 50, "pending")
        f1 = next(m for m in listed if m["station"] == p["f1"])
        assert (f1["period"], f1["ld"], f1["ln"], f1["l10"], f1["sample_count"]) == ("full", 61.8, 50.0, None, 24)

        summary = (await http.get("/api/v1/monitoring/noise/summary", params={"year": 2021})).json()
        # regional: (62.9 + 50.0) / 2 = 56.45 → 56.5 三级; night 45.0 → 二级 (40.1–45.0)
        assert summary["regional"]["day"] == {"mean": 56.5, "grade": 3, "grade_name": "三级 一般", "count": 2}
        assert summary["regional"]["night"]["grade_name"] == "二级 较好"
        assert summary["regional"]["day_points_by_grade"]["五级 差"] == 0
        assert summary["regional"]["day_points_by_grade"]["四级 较差"] == 1  # 62.9
        # traffic: (1000 × 74.0 + 3000 × 68.0) / 4000 = 69.5 → 二级; t3 has no length
        assert summary["traffic"]["day"] == {"mean": 69.5, "grade": 2, "grade_name": "二级 较好", "count": 2}
        assert (summary["traffic"]["length_km"], summary["traffic"]["left_out"]) == (4.0, [p["t3"]])
        zones = {(z["zone_class"], z["period"]): (z["limit"], z["measured"], z["compliant"], z["rate"])
                 for z in summary["functional_zones"]}  # fmt: skip
        assert zones == {
            ("1", "day"): (55.0, 1, 0, 0.0), ("1", "night"): (45.0, 1, 0, 0.0),
            ("4a", "day"): (70.0, 1, 1, 1.0), ("4a", "night"): (55.0, 1, 1, 1.0),
        }  # fmt: skip
        assert (summary["reviewed_only"], summary["standard"], summary["zone_standard"]) == (
            False, "HJ 640-2012", "GB 3096-2008"
        )  # fmt: skip

        queue = await http.get("/api/v1/monitoring/reviews", params={"station": p["r1"]})
        assert [(d["day"], d["readings"]) for d in queue.json()["items"]] == [("2021-05-12", 2)]  # day and night
        opened_point = (await public.get(f"/public/v1/monitoring/stations/{p['f4']}")).json()
        assert (opened_point["noise_kind"], opened_point["noise_zone_class"]) == ("functional_zone", "4a")

        # Public: nothing until reviewed
        unreviewed = (await public.get("/public/v1/monitoring/noise/summary", params={"year": 2021})).json()
        assert unreviewed["regional"]["day"]["mean"] is None
        assert unreviewed["functional_zones"] == []
        assert (await public.get("/public/v1/monitoring/noise/measurements", params={"year": 2021})).json()[
            "items"
        ] == []
        for m in listed:
            await _review(http, m["station"], m["day"], "confirm")
        await _review(http, p["t2"], "2021-05-12", "invalidate")
        opened = await public.get("/public/v1/monitoring/noise/summary", params={"year": 2021})
        assert opened.status_code == 200
        assert opened.headers["etag"]
        reviewed = opened.json()
        assert reviewed["reviewed_only"] is True
        assert reviewed["traffic"]["day"] == {"mean": 74.0, "grade": 4, "grade_name": "四级 较差", "count": 1}
        assert reviewed["regional"] == summary["regional"]
        assert reviewed["functional_zones"] == summary["functional_zones"]
        unchanged = await public.get(
            "/public/v1/monitoring/noise/summary",
            params={"year": 2021},
            headers={"If-None-Match": opened.headers["etag"]},
        )
        assert unchanged.status_code == 304
        items = (await public.get("/public/v1/monitoring/noise/measurements", params={"year": 2021})).json()
        assert items["reviewed_only"] is True
        assert {m["station"] for m in items["items"]} == set(p.values()) - {p["t2"]}
        assert "recorded_by" not in str(items)
        assert "samples" not in items["items"][0]

        built = await http.post(
            "/api/v1/monitoring/bulletins", json={"kind": "noise_annual", "period_start": "2021-01-01"}
        )
        assert built.status_code == 201, built.text
        bulletin = built.json()
        assert (bulletin["title"], bulletin["period_end"]) == ("2021年声环境质量年报", "2021-12-31")
        assert "区域声环境昼间平均等效声级56.5 dB(A)，三级 一般" in bulletin["summary"]
        assert "功能区昼间达标率50.0%，夜间达标率50.0%" in bulletin["summary"]
        html = (await http.get(f"/api/v1/monitoring/bulletins/{bulletin['id']}/html")).text
        assert "功能区达标情况" in html
        assert "<svg" in html
        assert "4a类" in html
        published = await http.post(
            f"/api/v1/monitoring/bulletins/{bulletin['id']}:publish", headers={"If-Match": built.headers["etag"]}
        )
        assert published.status_code == 200, published.text
        events = await outbox(local.runtime("monitoring"), "monitoring.bulletin.published.v1")
        assert [e["data"]["kind"] for e in events] == ["noise_annual"]
        late = await http.post(
            "/api/v1/monitoring/bulletins", json={"kind": "noise_annual", "period_start": "2021-02-01"}
        )
        assert late.status_code == 422


async def _refused(answer: httpx.Response, status: int = 422) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_bad_noise_input_is_refused_and_stores_nothing(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as http, client(local) as public:
        regional = (await create_station(http, "noise_point", noise_kind="regional"))["code"]
        zone = (await create_station(http, "noise_point", noise_kind="functional_zone", noise_zone_class="2"))["code"]
        air = (await create_station(http, "air_station"))["code"]
        good = sampled(regional, "09:00", [55.0] * 10)
        for bad in (
            [],
            [good | {"station": "NO-SUCH-POINT"}],
            [good | {"station": air}],
            [good, good | {"samples": [55.0] * 9}],  # one bad row refuses the batch
            [good | {"samples": [55.0] * 9 + [250.0]}],
            [good | {"hourly_leq": [50.0] * 24}],
            [good | {"sample_interval_seconds": None}],
            [good | {"started_at": "2021-05-12T09:00:00"}],
            [good | {"samples": [55.0] * 5000}],
            [sampled(zone, "09:00", [55.0] * 10)],
            [day_long(regional, [55.0] * 24)],
            [day_long(zone, [55.0] * 23)],
            [good] * 501,
            {"station": regional},
        ):
            await _refused(await http.post(BATCH, json=bad))
        nothing = await http.get("/api/v1/monitoring/noise/measurements", params={"year": 2021})
        assert nothing.json()["items"] == []
        for path, params in (
            ("/api/v1/monitoring/noise/summary", {"year": 1900}),
            ("/api/v1/monitoring/noise/summary", {}),
            ("/api/v1/monitoring/noise/measurements", {"year": 2021, "cursor": "not-a-cursor"}),
        ):
            await _refused(await http.get(path, params=params), 422)
        for path, params in (
            ("/public/v1/monitoring/noise/summary", {"year": "x"}),
            ("/public/v1/monitoring/noise/measurements", {"year": 2021, "limit": 0}),
            ("/public/v1/monitoring/noise/measurements", {"year": 2021, "cursor": "%%%"}),
        ):
            await _refused(await public.get(path, params=params), 422)
        no_class = {"code": "NZ-NOCLASS", "kind": "noise_point", "name": "无类别", "town": "杨柳青镇"}
        no_class |= {"level": "district", "noise_kind": "functional_zone"}
        await _refused(await http.post("/api/v1/monitoring/stations", json=no_class))
        read = await http.get(f"/api/v1/monitoring/stations/{zone}")
        update = {k: v for k, v in read.json().items() if k in ("name", "town", "level", "noise_kind")}
        changed = await http.put(
            f"/api/v1/monitoring/stations/{zone}", json=update, headers={"If-Match": read.headers["etag"]}
        )
        await _refused(changed)  # a functional-zone point keeps its class
    async with client(local, "officer") as officer:
        await _refused(await officer.post(BATCH, json=[good]), 403)
        night = {"kind": "road_traffic", "leq": 60.1, "period": "night"}  # night bounds 58 / 60 / 62 / 64
        graded = await officer.post("/api/v1/monitoring/calculations/noise-grade", json=night)
        assert graded.json() == {"grade": 3, "name": "三级 一般", "standard": "HJ 640-2012"}
