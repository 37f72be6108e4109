"""Detectors of personal data with a recognisable shape (去标识化, domain §3), each span with a reason and a confidence.

Every detector reads a folded copy of the text: full-width digits, letters, hyphens, spaces and the like become
their ASCII twins one character for one, so a span found in the copy has the same offsets in the original.
Numbers are read as whole runs of digits (grouped by spaces or hyphens) and then classified by length, check
character and the words before them: a run is an ID number, a phone number or an account, never half of one.
An organisation's unified social credit code is public (§3) and is left alone, however many digits it has.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Category(StrEnum):
    """Why a span was removed (the redaction report lists these, never the removed text itself)."""

    ID_NUMBER = "id_number"  # 身份证号码
    PHONE = "phone"  # 电话号码
    BANK_ACCOUNT = "bank_account"  # 银行账号
    BIRTH_DATE = "birth_date"  # 出生日期
    ADDRESS = "address"  # 住址
    EMAIL = "email"  # 电子邮箱
    PLATE = "vehicle_plate"  # 个人车辆号牌
    LONG_NUMBER = "long_number"  # 超长数字串: longer than any identifier, withheld whole
    KNOWN_IDENTIFIER = "known_identifier"  # a structured party field that is never published
    NAME = "name"  # a natural person's name, shown as surname + 某


@dataclass(frozen=True)
class Span:
    """One item to remove: ``text[start:end]`` becomes ``replacement`` (or the category's placeholder)."""

    start: int
    end: int
    category: Category
    confidence: float
    replacement: str | None = None


_FOLD = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        **dict.fromkeys("－—–‐‑−﹣", "-"),
        **dict.fromkeys("\u3000\u00a0\u2002\u2003\u2009\t", " "),
        "＋": "+",
        "＠": "@",
        "．": ".",
    }
)


_FOLDABLE = re.compile("[" + "".join(re.escape(chr(c)) for c in _FOLD) + "]")


def fold(text: str) -> str:
    """The text with full-width and look-alike characters as ASCII, offset for offset."""
    return text.translate(_FOLD) if _FOLDABLE.search(text) else text


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def valid_id_number(number: str) -> bool:
    """GB 11643: 17 digits and a mod-11 check character (``X`` for 10)."""
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit():
        return False
    return "10X98765432"[sum(int(c) * w for c, w in zip(number, _ID_WEIGHTS, strict=False)) % 11] == number[17]


def valid_credit_code(code: str) -> bool:
    """GB 32100-2015: 18 characters of the code alphabet, the last a mod-31 check character."""
    if len(code) != 18 or any(c not in _CREDIT_ALPHABET for c in code):
        return False
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(code, _CREDIT_WEIGHTS, strict=False))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31] == code[17]


def luhn(digits: str) -> bool:
    """The check digit of bank card numbers (ISO/IEC 7812)."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _plausible_birth(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2030


_NOT_DIGIT = re.compile(r"\D+")
_RUN = re.compile(r"(?<![0-9])\+?\d(?:[ \-]?\d)*")
_X_AFTER = re.compile(r"[ \-]?[Xx](?![A-Za-z])")
_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?\s*)\d{1,6}")
_AREA_BEFORE = re.compile(r"(?:\+?86\s*)?[(（]\s*0\d{2,3}\s*[)）]\s*-?\s*$")
_PHONE_CUE = re.compile(r"(?:电话|手机|座机|联系方式|号码|传真|热线|[Tt]el|TEL)[^，。；;\d]{0,4}$")
_ACCOUNT_CUE = re.compile(r"(?:账号|帐号|账户|帐户|卡号|银行卡|存折|收款)[^，,。；;\d]{0,8}$")
_MOBILE = re.compile(r"(?:0{0,2}86)?1[3-9]\d{9}")
_CREDIT_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NP-RT-UW-Y]{18}(?![0-9A-Z])")


_CREDIT_CUE = re.compile(r"(?:信用代码|注册号|组织机构代码|代码)[^，。；;\d]{0,4}$")


def personal_id_number(number: str) -> bool:
    """An ID number a person could hold: the check character and a birth date at 7–14. Used where the same 18
    characters are also a valid credit code after its cue: about one all-digit credit code in eleven passes the ID
    number's check too, but its characters 7–14 (the organisation code) are almost never a date."""
    return valid_id_number(number) and _plausible_birth(number[6:14])


def public_codes(folded: str) -> list[tuple[int, int]]:
    """Unified social credit codes (public, §3): with a letter, or all digits after the words 信用代码."""
    return [
        (m.start(), m.end())
        for m in _CREDIT_CODE.finditer(folded)
        if valid_credit_code(m.group())
        and (
            (not m.group().isdigit() and not valid_id_number(m.group()))
            or (_CREDIT_CUE.search(folded, max(0, m.start() - 12), m.start()) and not personal_id_number(m.group()))
        )
    ]


def numbers(folded: str) -> Iterator[Span]:
    """ID numbers, phone numbers, accounts and over-long digit runs, each run classified as a whole."""
    for match in _RUN.finditer(folded):
        start, end = match.span()
        digits = _NOT_DIGIT.sub("", match.group())
        if len(digits) >= 17 and (x := _X_AFTER.match(folded, end)):
            digits, end = digits + "X", x.end()
        if _inside_code(folded, start, end) and not valid_id_number(digits):
            continue  # digits glued to letters belong to a code (a credit code, a permit number), not to a person
        before = folded[max(0, start - 20) : start]
        area = _AREA_BEFORE.search(before)
        grouped = len(match.group()) > len(digits)
        span = _classify(digits, before, bracketed_area=area is not None, grouped=grouped)
        if span is None:
            continue
        category, confidence = span
        if category == Category.PHONE:
            if area is not None:
                start -= len(before) - area.start()
            if ext := _EXTENSION.match(folded, end):
                end = ext.end()
        yield Span(start, end, category, confidence)


def _inside_code(folded: str, start: int, end: int) -> bool:
    return (start > 0 and folded[start - 1].isascii() and folded[start - 1].isalpha()) or (
        end < len(folded) and folded[end].isascii() and folded[end].isalpha()
    )


def _classify(digits: str, before: str, *, bracketed_area: bool, grouped: bool) -> tuple[Category, float] | None:
    n = len(digits)
    if n > 30:
        return Category.LONG_NUMBER, 0.9
    if n == 18:
        if valid_credit_code(digits) and _CREDIT_CUE.search(before) and not personal_id_number(digits):
            return None
        if valid_id_number(digits):
            return Category.ID_NUMBER, 0.99
        if digits.isdigit() and luhn(digits):
            return Category.BANK_ACCOUNT, 0.95
        return (Category.ID_NUMBER, 0.85) if _plausible_birth(digits[6:14]) else (Category.BANK_ACCOUNT, 0.7)
    if n == 15 and digits[0] != "0" and _plausible_birth("19" + digits[6:12]):
        return Category.ID_NUMBER, 0.8  # 15-digit legacy ID number: YYMMDD at 7–12
    if _MOBILE.fullmatch(digits):
        return Category.PHONE, 0.95
    if n >= 9 and _ACCOUNT_CUE.search(before):
        return Category.BANK_ACCOUNT, 0.95 if 16 <= n <= 19 and luhn(digits) else 0.9
    if digits.startswith("0") and 10 <= n <= 12:
        return Category.PHONE, 0.9  # area code (3–4) and local number (7–8)
    if digits.startswith("0") and n <= 15 and grouped:
        return Category.PHONE, 0.8  # … and an extension of up to 3 digits
    if bracketed_area and 7 <= n <= 11:
        return Category.PHONE, 0.9
    if 7 <= n <= 8 and _PHONE_CUE.search(before):
        return Category.PHONE, 0.85
    if n >= 12:
        if 16 <= n <= 19 and digits.isdigit() and luhn(digits):
            return Category.BANK_ACCOUNT, 0.95
        return Category.BANK_ACCOUNT, 0.7
    return None


_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_CN_DIGIT = "一二三四五六七八九〇零○Ｏ"
_YMD = (
    rf"(?:(?:19|20)\d{{2}}\s*年\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*[日号])?"
    rf"|(?:19|20)\d{{2}}\s*[-./]\s*\d{{1,2}}\s*[-./]\s*\d{{1,2}}"
    rf"|(?:19|20)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    rf"|[{_CN_DIGIT}]{{4}}\s*年\s*[一二三四五六七八九十]{{1,3}}\s*月(?:\s*[一二三四五六七八九十]{{1,3}}\s*[日号])?)"
)
_BIRTH_AFTER_CUE = re.compile(
    rf"(?:出生日期|出生年月日?|出生时间|生日|出生于|生于|出生)\s*(?:[:：]|为|是|在)?\s*(?P<date>{_YMD})"
)
_BIRTH_BEFORE_CUE = re.compile(rf"(?P<date>{_YMD})\s*(?:出生|生(?![产活态效成]))")


def emails(folded: str) -> Iterator[Span]:
    for match in _EMAIL.finditer(folded):
        yield Span(match.start(), match.end(), Category.EMAIL, 0.99)


def birth_dates(folded: str) -> Iterator[Span]:
    """A date next to 生 / 出生 / 生于 / 出生日期, in digits or Chinese numerals; the cue word stays."""
    for match in _BIRTH_AFTER_CUE.finditer(folded):
        yield Span(match.start("date"), match.end("date"), Category.BIRTH_DATE, 0.95)
    for match in _BIRTH_BEFORE_CUE.finditer(folded):
        yield Span(match.start(), match.end(), Category.BIRTH_DATE, 0.95)


_PLATE = re.compile(
    r"(?<![A-Za-z0-9])[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z]\s*[·•\-]?\s*"
    r"[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9])"
)


def plates(folded: str) -> Iterator[Span]:
    """Vehicle plates (号牌); only an individual's are personal, so the caller decides when to use this."""
    for match in _PLATE.finditer(folded):
        yield Span(match.start(), match.end(), Category.PLATE, 0.9)


_COUNTRY = re.compile(r"^(?:00)?86(?=1[3-9]\d{9}$|0\d{9,11}$)")


def phone_forms(phone: str) -> list[str]:
    """A recorded phone number as digits, and its local number when it has an area code (022-2739 1234 is also
    written 2739 1234); an extension (转 123) is left out, the number is found without it."""
    digits = _NOT_DIGIT.sub("", _EXTENSION.sub("", fold(phone)))
    digits = _COUNTRY.sub("", digits)
    forms = [digits]
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        forms.append(digits[3:] if digits[1] in "12" else digits[4:])  # 010, 02x: three digits; others four
    return forms


_GAPS = re.compile(r"[\s\-]+")
_LETTER = re.compile(r"[A-Za-z]")
_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)  # one character for one, unlike str.upper


def known_values(folded: str, values: Iterable[tuple[Category, str]]) -> Iterator[Span]:
    """Values the decision records for the party, wherever they recur, with or without spaces and hyphens (a line
    break too: a number split across two lines is still the number); ASCII letters in any case (``x`` for ``X``)."""
    needles = [(category, _GAPS.sub("", fold(value)).translate(_UPPER)) for category, value in values]
    needles = [(category, needle) for category, needle in needles if len(needle) >= 5]
    if not needles:
        return
    compact, at_gap, removed = _without_gaps(folded)
    upper = compact.translate(_UPPER) if any(_LETTER.search(needle) for _, needle in needles) else compact
    for category, needle in needles:
        at = upper.find(needle)
        while at >= 0:
            first, last = _original(at, at_gap, removed), _original(at + len(needle) - 1, at_gap, removed)
            yield Span(first, last + 1, category, 0.99)
            at = upper.find(needle, at + len(needle))


def _original(at: int, at_gap: list[int], removed: list[int]) -> int:
    k = bisect_right(at_gap, at)
    return at + removed[k - 1] if k else at


def _without_gaps(folded: str) -> tuple[str, list[int], list[int]]:
    """``folded`` without spaces and hyphens; where each gap was cut (in the compact text) and how many characters
    had been cut up to it, to map a compact offset back to the text."""
    at_gap: list[int] = []
    removed: list[int] = []
    cut = 0
    for gap in _GAPS.finditer(folded):
        at_gap.append(gap.start() - cut)
        cut += gap.end() - gap.start()
        removed.append(cut)
    return _GAPS.sub("", folded), at_gap, removed
