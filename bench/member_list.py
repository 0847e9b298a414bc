"""Benchmark: reading member lists (issue 13 §5, issue 16 §3).

Run with `make bench` or `.venv/bin/python bench/member_list.py`. Three files, generated here:
- a small XLSX (a few kilobytes) whose sheet declares the largest possible dimension
  (A1:XFD1048576): it must be read as the rows it has, in well under a second;
- an XLSX of 10,000 members: read and checked in under 5 seconds;
- the same 10,000 members as Excel's "Unicode-tekst" (UTF-16, tabs): under 2 seconds;
- a small XLSX (about 120 KB) whose sheet declares no dimension and holds one row of 4,000,000
  cells (60 MB of XML): refused, naming the row, in under a second (issue 21.11; openpyxl's
  load_workbook took 25 s of CPU and 0.5 GB on it before the first row).
"""

import io
import os
import re
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorprogramma.settings_test")

import django  # noqa: E402

django.setup()

from openpyxl import Workbook  # noqa: E402

from accounts.member_list import parse_member_list  # noqa: E402

HEADER = ["Lidmaatschapsnummer", "E-mail adres", "Soort lidmaatschap"]


def workbook_bytes(count: int) -> bytes:
    # A normal workbook, so strings are shared as Excel itself stores them.
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Leden"
    sheet.append(["Ledenlijst"])
    sheet.append([])
    sheet.append(HEADER)
    for number in range(count):
        sheet.append([str(300000 + number), f"lid{number}@example.org", "Lid" if number % 5 else "Aspirant-lid"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheets(data: bytes, change) -> bytes:
    """The same workbook with every sheet's XML passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                content = change(content)
            archive.writestr(info, content)
    return target.getvalue()


def declaring(data: bytes, dimension: str) -> bytes:
    def change(content: bytes) -> bytes:
        content = re.sub(rb"<sheetData>", b'<dimension ref="' + dimension.encode() + b'"/><sheetData>', content)
        return re.sub(rb'<dimension ref="[^"]*"/>(?=.*<dimension)', b"", content, flags=re.S)

    return with_sheets(data, change)


def undeclared_with_a_wide_row(data: bytes, cells: int) -> bytes:
    def change(content: bytes) -> bytes:
        content = re.sub(rb"<dimension [^>]*/>", b"", content)
        return content.replace(b"</sheetData>", b"<row>" + b"<c><v>1</v></c>" * cells + b"</row></sheetData>")

    return with_sheets(data, change)


def timed(label: str, data: bytes, name: str, target: float, expected_rows: int, refused: bool = False) -> bool:
    started = time.perf_counter()
    parsed = parse_member_list(data=data, file_name=name)
    elapsed = time.perf_counter() - started
    if refused:
        ok = elapsed < target and bool(parsed.errors)
        outcome, expected = ("refused" if parsed.errors else "NOT refused"), "refused"
    else:
        ok = elapsed < target and len(parsed.rows) == expected_rows and not parsed.errors
        outcome, expected = f"{len(parsed.rows):,} rows", f"{expected_rows:,} rows"
    print(
        f"  {label} ({len(data) / 1024:.0f} KB): {elapsed:.3f} s, {outcome}; "
        f"target < {target} s and {expected}: {'ok' if ok else 'MISSED'}"
    )
    return ok


def main() -> int:
    print("member list: reading real exports")
    small = declaring(workbook_bytes(5), "A1:XFD1048576")
    big = workbook_bytes(10_000)
    wide = undeclared_with_a_wide_row(workbook_bytes(5), 4_000_000)
    # Warm up once (Django compiles its e-mail validator's patterns on first use).
    parse_member_list(data=b"lidnummer;e-mail;soort lid\n100201;a@example.org;lid\n", file_name="warm.csv")
    text = "\r\n".join(
        ["\t".join(HEADER)] + [f"{300000 + number}\tlid{number}@example.org\tLid" for number in range(10_000)]
    ).encode("utf-16")
    results = [
        timed("XLSX declaring A1:XFD1048576", small, "leden.xlsx", 0.5, 5),
        timed("XLSX with 10,000 members", big, "leden.xlsx", 5.0, 10_000),
        timed("Unicode text with 10,000 members", text, "leden.txt", 2.0, 10_000),
        timed("XLSX without dimension, one 4,000,000-cell row", wide, "leden.xlsx", 1.0, 0, refused=True),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
