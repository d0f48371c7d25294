"""Byte-identical workbooks: openpyxl stamps the save time into ``docProps/core.xml`` and every zip
entry. One rule for every XLSX the project writes (published tables, survey exports, coding
templates), so a rerun with the same inputs gives the same bytes."""
from __future__ import annotations

import io
import re

XLSX_TIMESTAMP = "2000-01-01T00:00:00Z"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def deterministic_xlsx(data: bytes) -> bytes:
    """The same workbook bytes on every run: openpyxl stamps the save time into docProps/core.xml
    and every zip entry; both are replaced by fixed values."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + XLSX_TIMESTAMP.encode() + rb"\g<2>", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, body)
    return out.getvalue()
