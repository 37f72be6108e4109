"""Enterprises' emission data (自行监测信息公开) on SQLite and PostgreSQL: the register with outlets and dated permit
limits, results pushed with the outlet station's own credentials, an exceedance judged by the limit in force on the
value's day, and the open API and page showing reviewed data only, with limits, completeness and the chart."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.stack import Stack
from tests.support.monitoring import (  # noqa: F401 - monitoring_on_both_databases: the ``local`` fixture
    basic,
    client,
    create_station,
    monitoring_on_both_databases,
)

pytestmark = pytest.mark.integration

STAFF = "/api/v1/monitoring/enterprises"
OPEN = "/public/v1/monitoring/enterprises"
# The permit was renewed on 1 July with a stricter COD limit: 30 June is judged by 50, 1 July by 30.
LIMITS = [
    {"parameter": "cod", "limit": 50, "unit": "mg/L", "valid_from": "2021-01-01", "valid_to": "2021-06-30"},
    {"parameter": "cod", "limit": 30, "unit": "mg/L", "valid_from": "2021-07-01"},
]


async def ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def enterprise_body(**fields: Any) -> dict[str, Any]:
    code = f"E{uuid.uuid4().hex[:10].upper()}"
    body = {"code": code, "name": "天津某化工有限公司", "town": "大寺镇", "industry": "化学原料和化学制品制造业"}
    return body | {"credit_code": "91120111MA05K1234X", "permit_number": "91120111MA05K1234X001P"} | fields


def daily(station: str, values: dict[date, float]) -> list[dict[str, Any]]:
    return [
        {"station": station, "parameter": "cod", "time": f"{day.isoformat()}T00:00:00+08:00", "value": value,
         "unit": "mg/L", "flag": "N", "interval": "day"}
        for day, value in values.items()
    ]  # fmt: skip


async def registered(staff: httpx.AsyncClient, password: str) -> tuple[str, str]:
    """An enterprise with outlet DW001 measured daily by a new source station: (enterprise code, station code)."""
    station = (await create_station(staff, "pollution_source", password=password, parameters=["cod"]))["code"]
    enterprise = await ok(await staff.post(STAFF, json=enterprise_body()), 201)
    outlet = {"code": "DW001", "name": "废水总排口", "medium": "water", "station_code": station, "frequency": "day",
              "limits": LIMITS}  # fmt: skip
    added = await staff.post(f"{STAFF}/{enterprise['code']}/outlets", json=outlet)
    assert (await ok(added, 201))["limits"] == [{**LIMITS[0]}, {**LIMITS[1], "valid_to": None}]
    assert added.headers["location"] == f"{STAFF}/{enterprise['code']}"
    return enterprise["code"], station


async def test_register_refuses_what_it_cannot_hold(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as staff, client(local, "officer") as officer:
        code, station = await registered(staff, "secret-pw")
        air = (await create_station(staff, "air_station"))["code"]
        duplicate = await staff.post(STAFF, json=enterprise_body(code=code))
        assert duplicate.status_code == 409
        outlet = {"code": "DW002", "name": "雨水排口", "medium": "water", "frequency": "month"}
        for bad, slug in (
            ({**outlet, "station_code": air}, "not-a-source-station"),
            ({**outlet, "station_code": "NO-SUCH"}, "not-a-source-station"),
            ({**outlet, "code": "DW001", "station_code": station}, "outlet-exists"),
        ):
            refused = await staff.post(f"{STAFF}/{code}/outlets", json=bad)
            assert refused.status_code in (409, 422), refused.text
            assert refused.json()["type"].endswith(slug), refused.text
        overlapping = {"parameter": "cod", "limit": 40, "unit": "mg/L", "valid_from": "2021-06-01"}
        refused = await staff.post(f"{STAFF}/{code}/outlets/DW001/limits", json=overlapping)
        assert refused.status_code == 422
        assert refused.json()["type"].endswith("overlapping-permit-limit")
        backwards = {
            "parameter": "nh3n",
            "limit": 5,
            "unit": "mg/L",
            "valid_from": "2021-06-01",
            "valid_to": "2021-05-01",
        }
        assert (await staff.post(f"{STAFF}/{code}/outlets/DW001/limits", json=backwards)).status_code == 422
        nh3n = {"parameter": "nh3n", "limit": 5, "unit": "mg/L", "valid_from": "2021-01-01"}
        changed = await ok(await staff.post(f"{STAFF}/{code}/outlets/DW001/limits", json=nh3n), 201)
        assert [lim["parameter"] for lim in changed["limits"]] == ["cod", "cod", "nh3n"]
        renewed = {**nh3n, "limit": 4, "valid_from": "2023-01-01"}  # a new permit: the open limit ends the day before
        changed = await ok(await staff.post(f"{STAFF}/{code}/outlets/DW001/limits", json=renewed), 201)
        nh3n_limits = [(lim["limit"], lim["valid_to"]) for lim in changed["limits"] if lim["parameter"] == "nh3n"]
        assert nh3n_limits == [(5, "2022-12-31"), (4, None)]
        assert (await staff.post(f"{STAFF}/{code}/outlets/DW009/limits", json=nh3n)).status_code == 404
        assert (await staff.post(STAFF, json=enterprise_body(credit_code="not-a-code"))).status_code == 422
        assert (await officer.post(STAFF, json=enterprise_body())).status_code == 403
        shown = await ok(await officer.get(f"{STAFF}/{code}"))
        assert (shown["version"], [o["code"] for o in shown["outlets"]]) == (4, ["DW001"])
        listed = await ok(await officer.get(STAFF, params={"town": "大寺镇", "limit": 100}))
        assert code in [e["code"] for e in listed["items"]]
        read = await staff.get(f"{STAFF}/{code}")
        change = {
            "name": "天津某化工股份有限公司",
            "town": "大寺镇",
            "industry": "化学原料和化学制品制造业",
            "key_unit": True,
        }
        assert (await staff.put(f"{STAFF}/{code}", json=change)).status_code == 428
        assert (await staff.put(f"{STAFF}/{code}", json=change, headers={"If-Match": '"0"'})).status_code == 412
        changed = await staff.put(f"{STAFF}/{code}", json=change, headers={"If-Match": read.headers["etag"]})
        body = await ok(changed)
        assert (body["name"], body["key_unit"], body["version"], body["credit_code"]) == (change["name"], True, 5, None)
        assert changed.headers["etag"] != read.headers["etag"]
        assert [o["code"] for o in body["outlets"]] == ["DW001"]


async def test_csv_import_registers_good_lines_and_reports_the_others(local: Stack) -> None:
    first, second = f"CSV{uuid.uuid4().hex[:8]}", f"CSV{uuid.uuid4().hex[:8]}"
    text = (
        "code,name,town,industry,credit_code,key_unit\r\n"
        f"{first},天津某电镀有限公司,中北镇,金属表面处理及热处理加工,,是\r\n"
        f"{second},天津某印染有限公司,杨柳青镇,纺织业,bad,\r\n"
        f"{first},重复,中北镇,纺织业,,\r\n"
    )
    async with client(local, "monitoring_reviewer") as staff:
        csv = {"Content-Type": "text/csv"}
        answer = await ok(await staff.post(f"{STAFF}:import", content=text.encode(), headers=csv))
        assert answer["created"] == 1
        assert [r["index"] for r in answer["rejected"]] == [1, 2]
        assert (await ok(await staff.get(f"{STAFF}/{first}")))["key_unit"] is True
        assert (await staff.post(f"{STAFF}:import", content=b"name\r\nx\r\n", headers=csv)).status_code == 422
        assert (await staff.post(f"{STAFF}:import", json=[])).status_code == 415


async def test_limit_in_force_judges_exceedances_and_only_reviewed_data_is_public(local: Stack) -> None:
    june30, july1, july2 = date(2021, 6, 30), date(2021, 7, 1), date(2021, 7, 2)
    async with client(local, "monitoring_reviewer") as staff, client(local) as anyone:
        code, station = await registered(staff, "outlet-pw")
        values = {june30: 40.0, july1: 40.0, july2: 20.0}
        pushed = await anyone.post(
            "/api/v1/monitoring/readings:batch", json=daily(station, values), headers=basic(station, "outlet-pw")
        )
        assert (await ok(pushed))["stored"] == 3
        found = await ok(await staff.get("/api/v1/monitoring/exceedances", params={"station": station}))
        assert [(e["value"], e["limit"]) for e in found["items"]] == [(40.0, 30.0)]  # 30 June was under its 50

        window = {"start": "2021-06-01T00:00:00+08:00", "end": "2021-08-01T00:00:00+08:00"}
        before = await ok(await anyone.get(f"{OPEN}/{code}/outlets/DW001/emissions", params=window))
        assert before["items"] == []
        assert before["reviewed_only"] is True
        assert (await ok(await anyone.get(f"{OPEN}/{code}/exceedances", params={"year": 2021})))["items"] == []
        review = {"station": station, "day": june30.isoformat(), "decision": "confirm", "reason": "数据正常"}
        await ok(await staff.post("/api/v1/monitoring/reviews", json=review))
        # The rest of a range at once: only the days still pending (1 July), not 30 June again.
        days = {"stations": [station], "first_day": "2021-06-01", "last_day": "2021-07-01", "decision": "confirm"}
        answer = await ok(await staff.post("/api/v1/monitoring/reviews:range", json={**days, "reason": "月度审核"}))
        assert answer["days"] == {station: 1}
        for bad in ({"last_day": "2021-05-31"}, {"last_day": "2022-07-01"}):
            refused = await staff.post("/api/v1/monitoring/reviews:range", json={**days, "reason": "x", **bad})
            assert refused.status_code == 422, refused.text
        unknown = {**days, "stations": [station, "NO-SUCH"], "reason": "x"}
        assert (await staff.post("/api/v1/monitoring/reviews:range", json=unknown)).status_code == 404

        series = await ok(await anyone.get(f"{OPEN}/{code}/outlets/DW001/emissions", params=window))
        shown = [(i["value"], i["limit"], i["over_limit"], i["valid"]) for i in series["items"]]
        assert shown == [(40.0, 50.0, False, True), (40.0, 30.0, True, True)]  # 2 July is not reviewed yet
        exceeded = await ok(await anyone.get(f"{OPEN}/{code}/exceedances", params={"year": 2021}))
        assert [(e["outlet"], e["parameter"], e["value"], e["limit"]) for e in exceeded["items"]] == [
            ("DW001", "cod", 40.0, 30.0)
        ]
        months = await ok(await anyone.get(f"{OPEN}/{code}/completeness", params={"year": 2021}))
        by_month = {m["month"]: (m["reported"], m["expected"], m["ratio"]) for m in months["items"]}
        assert by_month["2021-06"] == (1, 30, round(1 / 30, 4))
        assert by_month["2021-07"] == (1, 31, round(1 / 31, 4))

        listed = await ok(await anyone.get(OPEN, params={"town": "大寺镇"}))
        public = next(e for e in listed["items"] if e["code"] == code)
        assert public["outlets"][0]["limits"][1] == {**LIMITS[1], "valid_to": None}
        assert {"id", "station_code", "version"}.isdisjoint(public)
        assert "station_code" not in public["outlets"][0]
        csv = await anyone.get(f"{OPEN}/{code}/outlets/DW001/emissions", params={**window, "format": "csv"})
        assert csv.headers["content-type"].startswith("text/csv")
        assert "over_limit" in csv.text

        chart = await anyone.get(f"{OPEN}/{code}/outlets/DW001/chart", params={"year": 2021, "parameter": "cod"})
        assert chart.headers["content-type"] == "image/svg+xml"
        assert "<svg" in chart.text
        assert "许可限值" in chart.text
        again = await anyone.get(
            f"{OPEN}/{code}/outlets/DW001/chart",
            params={"year": 2021, "parameter": "cod"},
            headers={"If-None-Match": chart.headers["etag"]},
        )
        assert again.status_code == 304
        page = await anyone.get(f"{OPEN}/{code}/page", params={"year": 2021})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "天津某化工有限公司 2021年自行监测信息公开" in page.text
        assert "仅公开经审核确认的有效监测数据" in page.text
        assert "<script" not in page.text
        newest = await anyone.get(f"{OPEN}/{code}/page")  # by default the newest year with reviewed data
        assert "2021年自行监测信息公开" in newest.text
        assert "script-src" not in page.headers["content-security-policy"]

        for path, params in (
            (f"{OPEN}/NO-SUCH", {}),
            (f"{OPEN}/{code}/outlets/DW009/emissions", window),
            (f"{OPEN}/NO-SUCH/page", {"year": 2021}),
        ):
            assert (await anyone.get(path, params=params)).status_code == 404, path
        for path, params in (
            (f"{OPEN}/{code}/outlets/DW001/chart", {"year": 2021, "parameter": "so2"}),
            (f"{OPEN}/{code}/outlets/DW001/emissions", {**window, "end": window["start"]}),
            (f"{OPEN}/{code}/exceedances", {"year": 1900}),
            (f"{OPEN}/{code}/outlets/DW001/emissions", {**window, "cursor": "not-a-cursor"}),
        ):
            assert (await anyone.get(path, params=params)).status_code == 422, path
        # The outlet's station stays out of the ambient open API.
        assert (await anyone.get(f"/public/v1/monitoring/stations/{station}")).status_code == 404


async def test_a_station_without_an_outlet_keeps_its_own_emission_limit(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as staff:
        limits = {"cod": {"limit": 50, "unit": "mg/L"}}
        station = (await create_station(staff, "pollution_source", emission_limits=limits, parameters=["cod"]))["code"]
        day = date(2021, 7, 1)
        await ok(await staff.post("/api/v1/monitoring/readings:batch", json=daily(station, {day: 40.0})))
        await ok(
            await staff.post("/api/v1/monitoring/readings:batch", json=daily(station, {day + timedelta(days=1): 60.0}))
        )
        found = await ok(await staff.get("/api/v1/monitoring/exceedances", params={"station": station}))
        assert [(e["value"], e["limit"]) for e in found["items"]] == [(60.0, 50.0)]


PORTAL = "/portal/monitoring/enterprises"


async def test_the_portal_index_by_town_with_search_and_pages(local: Stack) -> None:
    """The portal's index (企业名录): 53 enterprises of two towns, 50 a page; a search by part of the name (a ``%``
    in it is a letter, not a wildcard); town and industry chosen; each links to its page, which answers there and
    at the open API's old address."""
    tag = uuid.uuid4().hex[:6].upper()
    lines = ["code,name,town,industry,key_unit"]
    lines += [f"{tag}-{n:03d},天津{tag}化工{n:03d}有限公司,大寺镇,化学原料和化学制品制造业,true" for n in range(50)]
    lines += [f"{tag}-1{n:02d},天津{tag}印染{n:02d}%公司,杨柳青镇,纺织业,false" for n in range(3)]
    async with client(local, "monitoring_reviewer") as staff:
        imported = await staff.post(
            f"{STAFF}:import", content="\n".join(lines).encode(), headers={"Content-Type": "text/csv"}
        )
        assert imported.status_code == 200, imported.text
    async with client(local) as anyone:
        first = await anyone.get(PORTAL, params={"q": tag, "town": "", "industry": ""})
        assert first.status_code == 200, first.text
        assert first.headers["content-type"].startswith("text/html")
        assert "script-src" not in first.headers["content-security-policy"]
        assert "default-src 'none'" in first.headers["content-security-policy"]
        assert "<script" not in first.text
        assert "共 53 家企业，第 1 / 2 页" in first.text
        assert first.text.index("大寺镇</h2>") < first.text.index(f"天津{tag}化工049有限公司")
        assert "杨柳青镇</h2>" not in first.text  # 大寺镇 sorts first and fills the page
        assert f'href="{PORTAL}?q={tag}&amp;page=2" rel="next"' in first.text
        assert '<option value="大寺镇">大寺镇</option>' in first.text
        second = await anyone.get(PORTAL, params={"q": tag, "page": 2})
        assert "杨柳青镇</h2>" in second.text
        assert "第 2 / 2 页" in second.text
        assert 'rel="prev"' in second.text
        assert 'rel="next"' not in second.text

        percent = await anyone.get(PORTAL, params={"q": f"{tag}印染00%"})
        assert "共 1 家企业" in percent.text
        assert f'<a href="{PORTAL}/{tag}-100">天津{tag}印染00%公司</a>' in percent.text
        assert "没有符合条件的企业" in (await anyone.get(PORTAL, params={"q": f"{tag}%化工"})).text
        chosen = await anyone.get(PORTAL, params={"q": tag, "town": "杨柳青镇", "industry": "纺织业"})
        assert "共 3 家企业，第 1 / 1 页" in chosen.text
        assert '<option value="纺织业" selected>纺织业</option>' in chosen.text
        again = await anyone.get(PORTAL, params={"q": tag}, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304

        page = await anyone.get(f"{PORTAL}/{tag}-100")
        assert page.status_code == 200
        assert f"天津{tag}印染00%公司" in page.text
        assert f'href="{PORTAL}"' in page.text  # back to the index
        assert page.text == (await anyone.get(f"{OPEN}/{tag}-100/page")).text
        assert (await anyone.get(f"{PORTAL}/NO-SUCH")).status_code == 404
        for params in ({"page": 0}, {"page": "x"}, {"q": "长" * 101}, {"year": 1900}):
            path = f"{PORTAL}/{tag}-100" if "year" in params else PORTAL
            refused = await anyone.get(path, params=params)
            assert refused.status_code in (400, 422), (params, refused.status_code)
            assert refused.headers["content-type"].startswith("application/problem+json")
