"""The JSON guard's bounds on numbers: every literal a float cannot hold is refused, the rest parse as they are."""

from __future__ import annotations

import httpx
import pytest

from shared.json_guard import JsonBodyGuard, parse_json
from shared.problems import Problem

pytestmark = pytest.mark.unit

OUT_OF_RANGE = {
    "three-digit exponent": b"[1e999]",
    "signed exponent": b'{"v": -1E+400}',
    "exponent with leading zeros": b"[1e+000400]",
    "400 digits": b"7" * 400,
    "a long mantissa and a two-digit exponent": b"[1" + b"0" * 290 + b"e99]",
    "a long mantissa with a fraction": b"[1" + b"0" * 250 + b".5e+99]",
    "308 digits above 2**1023": b"9" * 308,
    # Not UTF-8: parsed by the standard library, whose document the byte scan cannot read.
    "UTF-16 with a three-digit exponent": '{"value": 1e999}'.encode("utf-16"),
    "UTF-32 integer beyond a float": ("[" + "9" * 340 + "]").encode("utf-32"),
}
IN_RANGE = {
    "largest float": (b"[1.7976931348623157e308]", [1.7976931348623157e308]),
    "underflow to zero": (b"[1e-400]", [0.0]),
    "207 digits and e99": (b"1" + b"0" * 206 + b"e99", 1e305),
    "307-digit integer": (b"1" + b"0" * 306, 10**306),
    "digits in texts": (b'{"t": "2024-01-01T00:00:00+00:00", "e": "e000", "n": 1.5e30}', None),
}


@pytest.mark.parametrize("case", list(OUT_OF_RANGE))
def test_a_number_a_float_cannot_hold_is_a_400_problem(case: str) -> None:
    with pytest.raises(Problem) as refused:
        parse_json(OUT_OF_RANGE[case])
    assert (refused.value.status, refused.value.slug) == (400, "json-number-range")


@pytest.mark.parametrize("case", list(IN_RANGE))
def test_numbers_within_range_parse_as_they_are(case: str) -> None:
    body, expected = IN_RANGE[case]
    value = parse_json(body)
    if expected is not None:
        assert value == expected


async def test_the_guard_leaves_a_body_to_the_routes_that_read_their_own() -> None:
    """A route on ``own_paths`` gets the body as sent and nothing parsed; any other route gets the bounds."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def echo(request: Request) -> JSONResponse:
        parsed = hasattr(request.state, "json_body")
        return JSONResponse({"bytes": len(await request.body()), "parsed": parsed})

    routes = [Route("/own", echo, methods=["POST"]), Route("/other", echo, methods=["POST"])]
    app = JsonBodyGuard(Starlette(routes=routes), own_paths=frozenset({"/own"}))
    deep = b"[" * 500 + b"]" * 500
    headers = {"Content-Type": "application/json"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        own = await http.post("/own", content=deep, headers=headers)
        assert own.json() == {"bytes": 1000, "parsed": False}
        other = await http.post("/other", content=deep, headers=headers)
        assert other.status_code == 400
        assert other.json()["type"].endswith("json-too-deep")
        assert (await http.post("/other", content=b"[1]", headers=headers)).json() == {"bytes": 3, "parsed": True}
