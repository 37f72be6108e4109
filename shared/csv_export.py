"""The one CSV writer of the system: every CSV export (public, staff, statistics, ledgers, readings) goes through it.

Spreadsheet programs run a cell as a formula when it starts with ``=``, ``+``, ``-`` or ``@`` (Excel also after
leading spaces, and for the full-width ``＝＋－＠``), or with a tab or carriage return; a party name such as
``=HYPERLINK(…)`` would then run on the desk of whoever opens the file (CSV injection). Following the OWASP guidance,
such a cell is prefixed with a single quote, and every cell is quoted. A cell that is a plain number (``-12.5``,
``-3e-2``) is left as it is, so negative values stay numbers; ``-2+3`` is not a plain number and is guarded.
The JSON answers are not touched: only the CSV rendering changes the text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

BOM = "\ufeff"
# OWASP's formula triggers and the full-width forms Excel reads alike.
_FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_CONTROL_STARTS = frozenset("\t\r\n")
_PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?", re.ASCII)


def is_dangerous(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula."""
    if text[:1] in _CONTROL_STARTS:
        return True
    stripped = text.strip()
    return stripped[:1] in _FORMULA_STARTS and _PLAIN_NUMBER.fullmatch(stripped) is None


def neutralise(value: object) -> str:
    """The cell's text, with a leading ``'`` when it could run as a formula; ``None`` is an empty cell."""
    text = "" if value is None else str(value)
    return "'" + text if is_dangerous(text) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False) -> str:
    """A CSV document (RFC 4180, CRLF, every cell quoted and neutralised); ``bom`` for files made for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return (BOM if bom else "") + buffer.getvalue()
