"""Benchmark: reading member lists (issue 13 §5, issue 16 §3).

Run with `make bench` or `.venv/bin/python bench/member_list.py`. Three files, generated here:
- a small XLSX (a few kilobytes) whose sheet declares the largest possible dimension
  (A1:XFD1048576): it must be read as the rows it has, in well under a second;
- an XLSX of 10,000 members: read and checked in under 5 seconds;
- the same 10,000 members as Excel's "Unicode-tekst" (UTF-16, tabs): under 2 seconds.
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


def declaring(data: bytes, dimension: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(rb"<sheetData>", b'<dimension ref="' + dimension.encode() + b'"/><sheetData>', content)
                content = re.sub(rb'<dimension ref="[^"]*"/>(?=.*<dimension)', b"", content, flags=re.S)
            archive.writestr(info, content)
    return target.getvalue()


def timed(label: str, data: bytes, name: str, target: float, expected_rows: int) -> bool:
    started = time.perf_counter()
    parsed = parse_member_list(data=data, file_name=name)
    elapsed = time.perf_counter() - started
    ok = elapsed < target and len(parsed.rows) == expected_rows and not parsed.errors
    print(
        f"  {label} ({len(data) / 1024:.0f} KB): {elapsed:.3f} s for {len(parsed.rows):,} rows; "
        f"target < {target} s and {expected_rows:,} rows: {'ok' if ok else 'MISSED'}"
    )
    return ok


def main() -> int:
    print("member list: reading real exports")
    small = declaring(workbook_bytes(5), "A1:XFD1048576")
    big = workbook_bytes(10_000)
    # Warm up once (Django compiles its e-mail validator's patterns on first use).
    parse_member_list(data=b"lidnummer;e-mail;soort lid\n100201;a@example.org;lid\n", file_name="warm.csv")
    text = "\r\n".join(
        ["\t".join(HEADER)] + [f"{300000 + number}\tlid{number}@example.org\tLid" for number in range(10_000)]
    ).encode("utf-16")
    results = [
        timed("XLSX declaring A1:XFD1048576", small, "leden.xlsx", 0.5, 5),
        timed("XLSX with 10,000 members", big, "leden.xlsx", 5.0, 10_000),
        timed("Unicode text with 10,000 members", text, "leden.txt", 2.0, 10_000),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
