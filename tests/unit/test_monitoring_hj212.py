"""HJ 212-2017 packets: CRC vectors, build/parse round trips, malformed and truncated packets."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.monitoring.domain.hj212 import (
    Packet,
    PacketError,
    build,
    crc16,
    data_response,
    frame,
    parse,
    parse_cp,
    request_response,
)

pytestmark = pytest.mark.unit

# The example packet printed in HJ 212-2017 for CN 1062 (set the real-time data interval): data length 0101 and
# CRC 1C80 as printed there, reproduced here by the algorithm the standard gives. The CRC covers the data segment
# only (from QN= to the closing &&), not ## or the length.
STANDARD_EXAMPLE = (
    b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
    b"1C80\r\n"
)


def test_crc_of_the_standards_example() -> None:
    data = STANDARD_EXAMPLE[6:-6]
    assert len(data) == 101
    assert crc16(data) == 0x1C80


def test_crc_vectors_of_the_algorithm() -> None:
    # Derived by hand from the standard's algorithm: no bytes leave the register at 0xFFFF; one zero byte gives
    # (0xFFFF >> 8) ^ 0x00 = 0x00FF, then eight shift-and-xor-0xA001 steps:
    # A07E, 503F, 881E, 440F, 8206, 4103, 8080, 4040.
    assert crc16(b"") == 0xFFFF
    assert crc16(b"\x00") == 0x4040
    assert crc16(b"A") != crc16(b"B")


def test_parse_the_standards_example() -> None:
    packet = parse(STANDARD_EXAMPLE)
    assert (packet.qn, packet.st, packet.cn, packet.pw, packet.mn, packet.flag) == (
        "20160801085857223",
        "32",
        "1062",
        "100000",
        "010000A8900016F000169DC0",
        5,
    )
    assert packet.cp == "RtdInterval=30"
    assert packet.wants_response
    assert build(packet) == STANDARD_EXAMPLE


def test_data_upload_cp() -> None:
    cp = "DataTime=20210601100000;a34004-Avg=35.2,a34004-Flag=N;a21005-Avg=0.8,a21005-Flag=D"
    records = {r.code: r for r in parse_cp(cp)}
    assert records["a34004"].fields == {"Avg": "35.2", "Flag": "N"}
    assert records["a21005"].fields["Flag"] == "D"
    assert records["a34004"].data_time == datetime(2021, 6, 1, 10)


def test_responses() -> None:
    request = parse(STANDARD_EXAMPLE)
    ack = parse(build(data_response(request)))
    assert (ack.cn, ack.st, ack.qn, ack.flag, ack.cp) == ("9014", "91", request.qn, 4, "")
    refused = parse(build(request_response(request, "3")))
    assert (refused.cn, refused.cp) == ("9011", "QnRtn=3")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "bad_header"),
        (b"##01", "truncated"),
        (b"$$0101" + STANDARD_EXAMPLE[6:], "bad_header"),
        (b"##01x1" + STANDARD_EXAMPLE[6:], "bad_length"),
        (STANDARD_EXAMPLE[:50] + b"\r\n", "length_mismatch"),
        (STANDARD_EXAMPLE.replace(b"1C80", b"1C81"), "crc_mismatch"),
        (STANDARD_EXAMPLE.replace(b"1C80", b"ZZZZ"), "bad_crc_field"),
    ],
)
def test_malformed_packets_say_why(raw: bytes, reason: str) -> None:
    with pytest.raises(PacketError) as caught:
        parse(raw)
    assert caught.value.reason == reason


def test_bad_segments_with_a_valid_crc() -> None:
    from services.monitoring.domain.hj212 import frame

    for segment, reason in [
        ("QN=1;ST=22;CN=2011;PW=1;MN=2;Flag=5", "bad_cp"),
        ("ST=22;CN=2011;MN=2;Flag=5;CP=&&&&", "missing_field"),
        ("ST=22;CN=2011;PW=1;MN=2;Flag=x;CP=&&&&", "bad_flag"),
        ("ST=22;CN;PW=1;MN=2;Flag=4;CP=&&&&", "bad_field"),
    ]:
        with pytest.raises(PacketError) as caught:
            parse(frame(segment))
        assert caught.value.reason == reason
    with pytest.raises(PacketError):
        parse_cp("a34004-Avg=3")  # no DataTime


TEXT = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=24)


@given(TEXT, TEXT, st.integers(min_value=0, max_value=7), st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_build_parse_round_trip(pw: str, mn: str, flag: int, value: float) -> None:
    packet = Packet("20210601000000000", "22", "2061", pw, mn, flag, f"DataTime=20210601000000;a34004-Avg={value}")
    assert parse(build(packet)) == packet


@given(st.integers(min_value=6, max_value=100), st.integers(min_value=0, max_value=7))
def test_any_single_bit_flip_in_the_data_is_caught(position: int, bit: int) -> None:
    raw = bytearray(STANDARD_EXAMPLE)
    raw[position] ^= 1 << bit
    with pytest.raises(PacketError):
        parse(bytes(raw))


def _segment_of(size: int) -> str:
    """A data upload whose data segment is exactly ``size`` bytes (padded inside a CP field)."""
    head = "QN=20210601000000000;ST=22;CN=2011;PW=pw;MN=MN1;Flag=5;CP=&&DataTime=20210601000000;a34004-Rtd=1;x-Info="
    return head + "0" * (size - len(head) - 2) + "&&"


def _raw_frame(segment: str) -> bytes:
    data = segment.encode()
    return b"##" + f"{len(data):04d}".encode() + data + f"{crc16(data):04X}".encode() + b"\r\n"


def test_the_data_segment_is_at_most_1024_bytes() -> None:
    # HJ 212-2017: data segment 0–1,024 bytes; the length field's four digits do not widen that.
    assert len(_segment_of(1024)) == 1024
    assert parse(_raw_frame(_segment_of(1024))).cn == "2011"
    for size in (1025, 9999):
        with pytest.raises(PacketError) as caught:
            parse(_raw_frame(_segment_of(size)))
        assert caught.value.reason == "too_long"
    with pytest.raises(PacketError) as refused:
        frame(_segment_of(1025))
    assert refused.value.reason == "too_long"


@pytest.mark.parametrize(
    ("segment", "reason", "answer"),
    [
        ("QN=20210601000000000;ST=2X;CN=2011;PW=p;MN=m;Flag=5;CP=&&&&", "bad_st", "QnRtn=5"),
        ("QN=20210601000000000;ST=22;CN=2011;PW=p;MN=m;Flag=A;CP=&&&&", "bad_flag", "QnRtn=6"),
        ("QN=20210601000000000;ST=22;CN=2011;PW=p;MN=m;Flag=4;CP=&&&&", None, None),
        ("QN=2021;ST=22;CN=2011;PW=p;MN=m;Flag=5;CP=&&&&", "bad_qn", "QnRtn=7"),
        ("QN=2021;ST=22;CN=2011;PW=p;MN=m;Flag=4;CP=&&&&", "bad_qn", None),  # no answer asked for
        ("ST=22;CN=2011;PW=p;MN=m;Flag=5;CP=&&", "bad_cp", None),  # no header to answer to
    ],
)
def test_header_faults_are_answered_with_their_return_code(
    segment: str, reason: str | None, answer: str | None
) -> None:
    from services.monitoring.domain.hj212 import frame, refusal

    if reason is None:
        parse(frame(segment))
        return
    with pytest.raises(PacketError) as caught:
        parse(frame(segment))
    assert caught.value.reason == reason
    refused = refusal(caught.value)
    assert (refused.cp if refused else None) == answer
    if refused is not None:
        assert parse(build(refused)).cn == "9011"  # the answer is itself a well-formed packet


def test_a_crc_error_is_answered_when_the_header_still_reads() -> None:
    from services.monitoring.domain.hj212 import refusal

    with pytest.raises(PacketError) as caught:
        parse(STANDARD_EXAMPLE.replace(b"1C80", b"1C81"))
    refused = refusal(caught.value)
    assert refused is not None
    assert (refused.cn, refused.qn, refused.cp) == ("9011", "20160801085857223", "QnRtn=9")
