"""HJ 212-2017 packets: ``##`` + 4-digit data length + data segment + 4-hex CRC16 + CRLF.

The data segment is ``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;CP=&&…&&``; the CRC is computed over the data segment only.
"""

from __future__ import annotations

import sys
from array import array
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NamedTuple

HEADER = b"##"
TRAILER = b"\r\n"
# HJ 212-2017 §6.3.1: the data segment is 0–1,024 bytes (the four-digit length field could say more).
MAX_DATA_LENGTH = 1024

# Flag bits: bit 0 A = a response is required; bit 1 D = the packet is split (PNUM/PNO present).
FLAG_ACK = 0b1
FLAG_SPLIT = 0b10
FLAG_V2017 = 0b100  # version bits V5..V0 = 000001 for HJ 212-2017

# QnRtn of a 9011 answer (请求命令返回), HJ 212-2017 table 7. The listener sends 2, 3, 4, 5, 6, 7, 8, 9 and 100;
# 1 (ready to run a request) never, as it takes no request commands (see the service README).
QN_READY = "1"
QN_REFUSED = "2"
QN_PASSWORD_ERROR = "3"  # noqa: S105 - a protocol return code, not a password
QN_MN_ERROR = "4"
QN_ST_ERROR = "5"
QN_FLAG_ERROR = "6"
QN_QN_ERROR = "7"
QN_CN_ERROR = "8"
QN_CRC_ERROR = "9"
QN_UNKNOWN_ERROR = "100"

QN_LENGTH = 17  # YYYYMMDDhhmmsszzz


class PacketError(ValueError):
    """A packet that is not well formed; ``reason`` is a stable label for metrics. When the header could still be
    read (``request``) and the standard has a code for the fault (``qn_rtn``), the packet can be answered."""

    def __init__(self, reason: str, detail: str, *, qn_rtn: str | None = None, request: Packet | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.qn_rtn = qn_rtn
        self.request = request


def _crc_step(index: int) -> int:
    reg = index
    for _ in range(8):
        carry = reg & 1
        reg >>= 1
        if carry:
            reg ^= 0xA001
    return reg


# After ``reg = (reg >> 8) ^ byte`` the register holds 8 bits, so the 8 shifts are a lookup in a 256-entry table.
_CRC_TABLE = tuple(_crc_step(index) for index in range(256))
# Only the register's high byte reaches the next step, so two steps are one lookup too: indexed by the 16-bit word
# (first byte low) XOR the high byte, it gives the high byte after both bytes (half the Python loop).
_HIGH = tuple(value >> 8 for value in _CRC_TABLE)
_CRC_PAIRS = bytes(_HIGH[_HIGH[index & 0xFF] ^ (index >> 8)] for index in range(65536))


def crc16(data: bytes) -> int:
    """The CRC16 given in HJ 212-2017: register 0xFFFF; per byte reg = (reg >> 8) ^ byte, then 8 shifts (0xA001)."""
    if len(data) < 3:
        reg = 0xFFFF
        for byte in data:
            reg = _CRC_TABLE[(reg >> 8) ^ byte]
        return reg
    cut = (len(data) - 1) & ~1  # pairs, leaving the last one or two bytes for the full register
    words = array("H", bytes(data[:cut]))  # from bytes: a memoryview would be read item by item
    if sys.byteorder == "big":
        words.byteswap()
    high, pairs = 0xFF, _CRC_PAIRS
    for word in words:
        high = pairs[word ^ high]
    table, reg = _CRC_TABLE, high << 8
    for byte in data[cut:]:
        reg = table[(reg >> 8) ^ byte]
    return reg


@dataclass(frozen=True)
class Packet:
    qn: str | None
    st: str
    cn: str
    pw: str
    mn: str
    flag: int
    cp: str
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def wants_response(self) -> bool:
        return bool(self.flag & FLAG_ACK)


def frame(segment: str) -> bytes:
    data = segment.encode("ascii")
    if len(data) > MAX_DATA_LENGTH:
        raise PacketError("too_long", f"data segment of {len(data)} bytes")
    return HEADER + f"{len(data):04d}".encode() + data + f"{crc16(data):04X}".encode() + TRAILER


def build(packet: Packet) -> bytes:
    fields = [f"QN={packet.qn}"] if packet.qn else []
    fields += [f"ST={packet.st}", f"CN={packet.cn}", f"PW={packet.pw}", f"MN={packet.mn}", f"Flag={packet.flag}"]
    fields += [f"{k}={v}" for k, v in packet.extra.items()]
    return frame(";".join(fields) + f";CP=&&{packet.cp}&&")


def parse(raw: bytes) -> Packet:
    """One framed packet (with or without the trailing CRLF) → Packet; PacketError says what is wrong."""
    body = raw.removesuffix(TRAILER)
    if not body.startswith(HEADER):
        raise PacketError("bad_header", "packet does not start with ##")
    if len(body) < 2 + 4 + 4:
        raise PacketError("truncated", f"{len(body)} bytes")
    length_text = body[2:6]
    if not length_text.isdigit():
        raise PacketError("bad_length", f"length field {length_text!r}")
    length = int(length_text)
    if length > MAX_DATA_LENGTH:
        raise PacketError("too_long", f"data segment of {length} bytes, at most {MAX_DATA_LENGTH}")
    data, crc_text = body[6:-4], body[-4:]
    if len(data) != length:
        raise PacketError("length_mismatch", f"declared {length}, got {len(data)}")
    try:
        sent_crc = int(crc_text, 16)
    except ValueError as exc:
        raise PacketError("bad_crc_field", f"CRC field {crc_text!r}") from exc
    if crc16(data) != sent_crc:
        detail = f"CRC {crc_text.decode(errors='replace')} ≠ {crc16(data):04X}"
        raise PacketError("crc_mismatch", detail, qn_rtn=QN_CRC_ERROR, request=_readable(data))
    try:
        segment = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise PacketError("not_ascii", "data segment is not ASCII") from exc
    return _fields(segment)


def _readable(data: bytes) -> Packet | None:
    """The header fields of a data segment whose CRC failed, when they still read as a packet (to answer it)."""
    try:
        return _fields(data.decode("ascii"))
    except (UnicodeDecodeError, PacketError):
        return None


def _fields(segment: str) -> Packet:
    head, sep, rest = segment.partition("CP=&&")
    if not sep or not rest.endswith("&&"):
        raise PacketError("bad_cp", "no CP=&&…&& field")
    values: dict[str, str] = {}
    for item in filter(None, head.split(";")):
        key, eq, value = item.partition("=")
        if not eq:
            raise PacketError("bad_field", f"field {item!r} has no '='")
        values[key] = value
    missing = [k for k in ("ST", "CN", "PW", "MN", "Flag") if k not in values]
    if missing:
        raise PacketError("missing_field", ", ".join(missing))
    flag_text = values["Flag"]
    known = {"QN", "ST", "CN", "PW", "MN", "Flag"}
    packet = Packet(
        qn=values.get("QN"),
        st=values["ST"],
        cn=values["CN"],
        pw=values["PW"],
        mn=values["MN"],
        flag=int(flag_text) if flag_text.isascii() and flag_text.isdigit() else 0,
        cp=rest[:-2],
        extra={k: v for k, v in values.items() if k not in known},
    )
    if not (flag_text.isascii() and flag_text.isdigit()):
        raise PacketError("bad_flag", flag_text, qn_rtn=QN_FLAG_ERROR, request=packet)
    if not (len(packet.st) == 2 and packet.st.isascii() and packet.st.isdigit()):
        raise PacketError("bad_st", f"ST {packet.st!r} is not a two-digit system code", qn_rtn=QN_ST_ERROR,
                          request=packet)  # fmt: skip
    if packet.qn is not None and not (len(packet.qn) == QN_LENGTH and packet.qn.isascii() and packet.qn.isdigit()):
        raise PacketError("bad_qn", f"QN {packet.qn!r} is not YYYYMMDDhhmmsszzz", qn_rtn=QN_QN_ERROR, request=packet)
    return packet


def refusal(error: PacketError) -> Packet | None:
    """The CN 9011 answer a malformed packet gets, or None: only when its header could be read, the standard has a
    code for the fault, and the packet asked for an answer — or its Flag could not be read, so it cannot say it did
    not."""
    request = error.request
    if request is None or error.qn_rtn is None:
        return None
    if not request.wants_response and error.qn_rtn != QN_FLAG_ERROR:
        return None
    if error.qn_rtn == QN_QN_ERROR:  # a QN that is not one is not echoed: the answer stays a well-formed packet
        request = replace(request, qn=None)
    return request_response(request, error.qn_rtn)


class DataRecord(NamedTuple):
    """One pollutant's values at ``data_time`` (local time as sent): e.g. {"Rtd": "12.3", "Flag": "N"}."""

    data_time: datetime
    code: str
    fields: dict[str, str]


def parse_cp(cp: str) -> list[DataRecord]:
    """CP of a data upload: ``DataTime=YYYYMMDDhhmmss;code-Rtd=v,code-Flag=N;…``."""
    groups = [g for g in cp.split(";") if g]
    data_time: datetime | None = None
    by_code: dict[str, dict[str, str]] = {}
    for group in groups:
        for item in group.split(","):
            key, eq, value = item.partition("=")
            if not eq:
                raise PacketError("bad_cp", f"CP item {item!r} has no '='")
            if key == "DataTime":
                data_time = _data_time(value)
                continue
            code, dash, kind = key.partition("-")
            if dash:
                by_code.setdefault(code, {})[kind] = value
    if data_time is None:
        raise PacketError("bad_cp", "CP has no DataTime")
    return [DataRecord(data_time, code, fields) for code, fields in by_code.items()]


def _data_time(text: str) -> datetime:
    digits = text[:14]
    if len(digits) == 14 and digits.isascii() and digits.isdigit():
        try:  # fixed width: what strptime gives, several times faster
            return datetime(
                int(digits[:4]), int(digits[4:6]), int(digits[6:8]), int(digits[8:10]), int(digits[10:12]),
                int(digits[12:]),
            )  # fmt: skip
        except ValueError:
            pass  # strptime words the error
    try:
        return datetime.strptime(digits, "%Y%m%d%H%M%S")
    except ValueError as exc:
        raise PacketError("bad_cp", f"DataTime {text!r}") from exc


def request_qn(now: datetime) -> str:
    """QN: YYYYMMDDhhmmsszzz (milliseconds)."""
    return now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"


def data_response(request: Packet) -> Packet:
    """CN 9014 数据应答 to an upload that asked for one: the request's QN, an empty CP."""
    return Packet(request.qn, "91", "9014", request.pw, request.mn, FLAG_V2017, "")


def request_response(request: Packet, qn_rtn: str) -> Packet:
    """CN 9011 请求应答 with QnRtn (1 ready, 2 refused, 3 PW error, 4 MN error, 5 ST error, 6 Flag error, 7 QN
    error, 8 CN error, 9 CRC error, 100 unknown)."""
    return Packet(request.qn, "91", "9011", request.pw, request.mn, FLAG_V2017, f"QnRtn={qn_rtn}")
