"""The HJ 212 fast paths agree with the plain ones: the CRC two bytes at a time, one DataTime converted once a
packet; and more than one listener process only on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.monitoring.data.loader import load_hj212_codes, load_standards
from services.monitoring.domain import hj212
from services.monitoring.hj212_listener import readings_of
from services.monitoring.hj212_workers import WorkersNeedPostgres, check_workers_allowed
from services.monitoring.settings import MonitoringSettings
from services.monitoring.tables import Station

pytestmark = pytest.mark.unit


def crc_byte_by_byte(data: bytes) -> int:
    """The standard's algorithm as written: per byte reg = (reg >> 8) ^ byte, then eight shifts with 0xA001."""
    reg = 0xFFFF
    for byte in data:
        reg = (reg >> 8) ^ byte
        for _ in range(8):
            carry = reg & 1
            reg >>= 1
            if carry:
                reg ^= 0xA001
    return reg


@given(st.binary(max_size=1100))
def test_crc_two_bytes_at_a_time_is_the_standards_crc(data: bytes) -> None:
    assert hj212.crc16(data) == crc_byte_by_byte(data)


def test_crc_of_every_short_length() -> None:  # the odd and even tails, around the pairs' cut
    data = bytes(range(7, 250))
    for length in range(len(data)):
        assert hj212.crc16(data[:length]) == crc_byte_by_byte(data[:length]), length


def test_a_packets_readings_share_its_datatime_in_utc() -> None:
    standards = load_standards(MonitoringSettings().standards_dirs)
    station = Station(code="ST1", kind="air_station", name="站", town="杨柳青镇", level="district")
    cp = "DataTime=20210601100000;a34004-Avg=35.2,a34004-Flag=N;a21026-Avg=8,a21026-Flag=D;x99999-Avg=1"
    packet = hj212.Packet("20210601100000001", "22", "2061", "pw", "ST1", 5, cp)
    readings = readings_of(packet, station, load_hj212_codes(), standards)
    assert [(r.parameter, r.interval, r.value, r.flag) for r in readings] == [
        ("pm25", "hour", 35.2, "N"),
        ("so2", "hour", 8.0, "D"),
    ]
    assert {r.time for r in readings} == {datetime(2021, 6, 1, 2, tzinfo=UTC)}  # Beijing time → UTC, once
    early = hj212.Packet("20000601100000001", "22", "2061", "pw", "ST1", 5, cp.replace("20210601", "19900601"))
    with pytest.raises(hj212.PacketError, match="predates the validity rules"):
        readings_of(early, station, load_hj212_codes(), standards)


def test_several_listener_processes_need_postgres() -> None:
    one, two = MonitoringSettings(hj212_workers=1), MonitoringSettings(hj212_workers=2)
    check_workers_allowed(one, "sqlite")
    check_workers_allowed(two, "postgresql")
    with pytest.raises(WorkersNeedPostgres, match="HJ212_WORKERS=2 needs PostgreSQL"):
        check_workers_allowed(two, "sqlite")
    with pytest.raises(ValidationError):
        MonitoringSettings(hj212_workers=0)
