"""API10:2023 Unsafe Consumption of APIs: what comes from other systems is validated, never trusted.

Fuzzed with hypothesis: the HJ 212 parser (monitoring stations' TCP packets: any bytes, and well-framed packets
with any content behind a valid CRC, give a packet or a ``PacketError``, nothing else; built packets parse back to
themselves), the readings batch rows (any JSON gives a reading or a ``RowError``), and redaction (personal data
placed anywhere in free text never survives; any text is handled). The answers of Credit China and the
procuratorate are checked in test_api7_ssrf.py; police systems' bodies are fuzzed in
tests/integration/test_referral_police_api.py (``test_any_body_is_answered_without_a_server_error``), and every
documented operation by tests/integration/test_api_fuzzing.py (schemathesis).
"""

from __future__ import annotations

import contextlib
import json
import os
import string

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from services.disclosure.domain.redaction import redact_text
from services.monitoring.domain import hj212
from services.monitoring.domain.readings import RowError, parse_row
from tests.support.redaction import FILLER, bank_accounts, id_numbers, phones

pytestmark = pytest.mark.unit

# Cases per test, the same on every run in CI; GREENLAW_FUZZ_EXAMPLES=5000 locally for a deeper, random search.
DEEP = "GREENLAW_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("GREENLAW_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES, derandomize=not DEEP, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PRINTABLE = string.ascii_letters + string.digits + ";=,&-.:_ "
CP = "DataTime=20240501080000;w01018-Rtd=12.5,w01018-Flag=N"
VALID = hj212.build(hj212.Packet("20240501080000000", "22", "2011", "123456", "MN0001", 5, CP))


def _parsed_or_refused(raw: bytes) -> hj212.Packet | None:
    try:
        packet = hj212.parse(raw)
    except hj212.PacketError as exc:
        reason = exc.reason
        assert reason  # every refusal names its reason (it labels the malformed-packet metric)
        return None
    with contextlib.suppress(hj212.PacketError):
        hj212.parse_cp(packet.cp)
    return packet


@FUZZ
@given(st.binary(max_size=600))
@example(b"")
@example(b"##")
@example(b"##0000\r\n")
@example(b"##9999" + b"9" * 20)
@example(VALID[:-6] + b"\xff\xfe" + VALID[-6:])
def test_any_bytes_give_a_packet_or_a_packet_error(raw: bytes) -> None:
    _parsed_or_refused(raw)
    _parsed_or_refused(hj212.HEADER + raw)


@FUZZ
@given(st.text(alphabet=PRINTABLE, max_size=400))
@example("QN=;ST=;CN=;PW=;MN=;Flag=;CP=&&&&")
@example("ST=22;CN=2011;PW=1;MN=1;Flag=x;CP=&&DataTime=99999999999999&&")
@example("ST=22;CN=2011;PW=1;MN=1;Flag=5;CP=&&DataTime=20240501080000;a-Rtd=nan,a-Rtd=inf&&")
@example("CP=&&" * 50)
def test_well_framed_packets_with_any_content_are_validated_past_the_crc(segment: str) -> None:
    _parsed_or_refused(hj212.frame(segment))


@FUZZ
@given(st.binary(min_size=1, max_size=8), st.integers(min_value=0, max_value=len(VALID) - 1))
def test_a_corrupted_packet_is_refused(noise: bytes, position: int) -> None:
    corrupted = VALID[:position] + noise + VALID[position + len(noise) :]
    if corrupted == VALID:
        return
    packet = _parsed_or_refused(corrupted)
    assert packet is None or hj212.build(packet).removesuffix(hj212.TRAILER) == corrupted.removesuffix(hj212.TRAILER)


FIELD = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=20)


@FUZZ
@given(
    qn=st.none() | st.from_regex(r"\A[0-9]{17}\Z"),
    cn=st.from_regex(r"\A[0-9]{4}\Z"),
    pw=FIELD,
    mn=FIELD,
    flag=st.integers(min_value=0, max_value=15),
    value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
def test_built_packets_parse_back_to_themselves(
    qn: str | None, cn: str, pw: str, mn: str, flag: int, value: float
) -> None:
    cp = f"DataTime=20240501080000;w01018-Rtd={value:.3f},w01018-Flag=N"
    packet = hj212.Packet(qn, "22", cn, pw, mn, flag, cp)
    parsed = hj212.parse(hj212.build(packet))
    assert (parsed.qn, parsed.cn, parsed.pw, parsed.mn, parsed.flag, parsed.cp) == (qn, cn, pw, mn, flag, cp)
    records = hj212.parse_cp(parsed.cp)
    assert records


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=12,
)
ROW = st.fixed_dictionaries(
    {},
    optional={
        "station": JSON | st.text(max_size=80),
        "parameter": JSON | st.sampled_from(["w01018", "a34004", "pm25"]),
        "time": JSON | st.sampled_from(["2024-05-01T00:00:00+08:00", "2024-13-01", "9999-12-31T23:59:59Z"]),
        "value": JSON | st.sampled_from(["1e309", "-0", "NaN", "0x10"]),
        "unit": JSON,
        "flag": JSON | st.sampled_from(["N", "F", "D"]),
        "interval": JSON | st.sampled_from(["hour", "minute", "day"]),
    },
)


@FUZZ
@given(JSON | ROW)
def test_any_json_row_is_a_reading_or_a_row_error(row: object) -> None:
    try:
        reading = parse_row(row)
    except RowError as exc:
        reason = str(exc)
        assert reason  # the batch answer names why each row was refused
        return
    json.dumps(reading._asdict(), default=str)  # what is accepted is plain data


@FUZZ
@given(
    before=FILLER,
    between=FILLER,
    after=FILLER,
    secrets=st.lists(id_numbers() | phones() | bank_accounts(), min_size=1, max_size=3),
    noise=st.text(max_size=60),
)
def test_personal_data_anywhere_in_free_text_is_removed(
    before: str, between: str, after: str, secrets: list[str], noise: str
) -> None:
    text = before + "：" + f"，{between}，".join(secrets) + "，" + after
    redacted = redact_text(text)
    for secret in secrets:
        assert secret not in redacted.text
    assert len(redacted.findings) >= len(secrets)
    redact_text(noise + text + noise)  # any text around it is handled without error


def test_an_id_number_inside_a_very_long_digit_run_is_removed() -> None:
    secret = "110105200001010008"
    assert secret not in redact_text("0" * 13 + secret).text
