"""Home addresses (住址) as spans: where the address begins and, above all, where it ends.

An address is read with a small grammar: divisions (省/市/区/县/镇/乡/街道 …), places (路/街/道/村/庄/小区/花园 …)
and numbers (号/号楼/栋/单元/层/室/组/队 …, in digits or Chinese numerals), one after another; it ends at the first
word that is none of these. So ``住天津市西青区中北镇幸福路12号，`` loses the address and keeps the comma and all that
follows, and ``在其位于…601室的住所院内私设废机油收集点`` keeps 的住所院内私设废机油收集点.

An address counts as a home address when it is introduced by 住 / 住址 / 家住 / 现住 / 户籍地 / 居住于 / 住所地 /
经常居住地 and their kin, when it is 位于… followed by 的住所 / 家中 and the like, or when it stands alone in a
person's description (after 男/女, a nationality 汉族, an ID number or a birth date). An organisation's registered
address (…公司，住所…) and a business site are public (§3) and are not taken.

The divisions list (``data/divisions.txt``: province, city and county names) is the name column of the ``cpca``
package's data, shipped as a file: the package itself needs pandas at run time, too heavy for a name list, and
``jionlp`` is larger still. Nothing is downloaded at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

from services.disclosure.domain.detectors import Category, Span

_N = r"(?:(?![的在是并将对把被其从称说])[\u4e00-\u9fff])"
_ADMIN = r"(?:特别行政区|自治区|自治州|自治县|省|市|地区|盟|区|县|旗|镇|乡|街道|办事处)"
_PLACE = (
    r"(?:工业园区|开发区|工业区|园区|社区|居委会|村委会|小区|花园|家园|公寓|大厦|广场|新村|新城|胡同|大街|大道|公路|"
    r"村|庄|屯|寨|苑|园|里|弄|巷|路|道|街)"
)
_NUMBER = (
    r"(?:第?[0-9A-Za-z一二三四五六七八九十百零〇两]{1,6}(?:\s?-\s?[0-9A-Za-z]{1,6}){0,3}\s?"
    r"(?:号楼|号院|号|栋|幢|座|单元|层|楼|室|户|门|排|组|队|期|段)(?:之[0-9一二三四五六七八九十]+)?)"
)
_TAIL = r"(?:\s?[0-9]{1,5}(?:\s?-\s?[0-9]{1,5}){1,3}(?![0-9]))"
_COMPONENT = rf"(?:{_N}{{1,10}}?{_ADMIN}|{_N}{{0,10}}?{_PLACE}|{_NUMBER})"
ADDRESS = rf"(?:{_COMPONENT}\s?){{1,14}}{_TAIL}?"
_ADDRESS = re.compile(ADDRESS)
_HAS_NUMBER = re.compile(rf"{_NUMBER}|{_TAIL}|村|组|庄|屯")

_KEYS = [
    "家庭住址",
    "送达地址",
    "通讯地址",
    "通信地址",
    "联系地址",
    "家庭地址",
    "家庭住所",
    "现住址",
    "现住所",
    "现居住地",
    "现居住于",
    "现居于",
    "户籍地址",
    "户籍所在地",
    "户籍地",
    "经常居住地",
    "居住地址",
    "居住地",
    "住址",
    "住所地",
    "家住",
    "现住",
    "暂住",
    "居住于",
    "居住在",
    "住在",
    "住所",
    "住",
]
_KEYED = re.compile(
    "(?P<key>" + "|".join(sorted(_KEYS, key=len, reverse=True)) + r")\s*(?:[:：]|为|是|在|于)?\s*(?=\S)"
)
_WEAK_KEYS = frozenset({"住", "住所"})
_ORGANISATION_BEFORE = re.compile(r"(?:公司|厂|企业|合作社|中心|集团|单位|商行|经营部|门市部|店)[，,\s]*$")
_AT = re.compile(r"位于\s*")
# Checked after the address, not inside one pattern: a failed trailing word must not make the engine try every
# way of cutting a long run of place words into components.
_HOME_NOUN = re.compile(r"\s*(?:(?:的)?\s*(?:住所|住处|住宅|家中|家里|居所|自建房|民房|私宅)|的家)")
# The part of a person's description just before a bare address: sex, nationality, ID number, birth date, a
# person's role and name.
_PERSONAL_CUE = re.compile(
    r"\s*(?:男|女|[\u4e00-\u9fff]{1,4}族|［[^］]*］|.*身份.*|.*\d\s*[日月]\s*生|.*(?:出生|生于).*"
    r"|.*(?:证人|村民|员工|职工|邻居|亲属|其妻|其夫|户主|车主).{2,4}|当事人[\u4e00-\u9fff]{2,4})\s*"
)
_STANDALONE = re.compile(rf"(?<=[，,（(])\s*(?P<addr>{ADDRESS})")


@cache
def divisions() -> frozenset[str]:
    """Province, city and county names (行政区划)."""
    text = resources.files("services.disclosure.domain").joinpath("data/divisions.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def starts_with_division(text: str, pos: int) -> bool:
    known = divisions()
    return any(text[pos : pos + k] in known for k in range(2, 16))


def home_addresses(folded: str) -> Iterator[Span]:
    """Home addresses: after an address word, before 的住所 / 家中, or alone in a person's description."""
    yield from _keyed(folded)
    for at in _AT.finditer(folded):
        found = _ADDRESS.match(folded, at.end())
        if found is not None and _HOME_NOUN.match(folded, found.end()):
            yield _span(folded, found.start(), found.end(), 0.9)
    for match in _STANDALONE.finditer(folded):
        start, end = match.span("addr")
        if _KEYED.match(folded, start):
            continue  # an address word follows the comma: ``_keyed`` has it, with the word kept
        opened = match.start() - 1  # the comma or bracket before the address
        segment = re.split(r"[，,（(。；;]", folded[max(0, opened - 40) : opened])[-1]
        if _PERSONAL_CUE.fullmatch(segment) and _HAS_NUMBER.search(folded, start, end):
            yield _span(folded, start, end, 0.9 if starts_with_division(folded, start) else 0.75)


def _keyed(folded: str) -> Iterator[Span]:
    for key in _KEYED.finditer(folded):
        weak = key.group("key") in _WEAK_KEYS
        before = folded[max(0, key.start() - 12) : key.start()]
        if weak and (not _after_break(folded, key.start()) or _ORGANISATION_BEFORE.search(before)):
            continue  # 其住宅 / 入住 / 的住所 are no address words; …公司，住所 is a registered address (public)
        found = _ADDRESS.match(folded, key.end())
        if found is None:
            continue
        parts = len(re.findall(_COMPONENT, found.group()))
        if parts >= 2 or _HAS_NUMBER.search(found.group()) or not weak:
            yield _span(folded, found.start(), found.end(), 0.95 if parts >= 2 else 0.8)


def _after_break(folded: str, pos: int) -> bool:
    return pos == 0 or folded[pos - 1] in "，,（(、；;：: \n" or folded[pos - 1].isdigit()


def _span(folded: str, start: int, end: int, confidence: float) -> Span:
    while end > start and folded[end - 1].isspace():
        end -= 1
    return Span(start, end, Category.ADDRESS, confidence)
