"""Finding 21.11: member-list uploads have limits, and the preview never waits in the cache as plaintext."""

import collections
import datetime
import io
import zipfile

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.forms import MemberListImportForm
from accounts.member_list import MAX_CELLS_PER_ROW, MAX_COLUMNS, parse_member_list
from accounts.models import MemberListImport
from accounts.tests.factories import CoordinatorFactory, ProfileFactory, reauthenticate

pytestmark = pytest.mark.django_db


def raw_cache() -> bytes:
    """Every value in the cache as stored, whether it is Redis (CI) or local memory (laptop)."""
    backend = cache._cache
    if isinstance(backend, dict):
        return b"".join(bytes(value) for value in backend.values())
    client = backend.get_client(None, write=False)
    return b"".join(client.get(key) or b"" for key in client.keys("*"))


def test_the_preview_waits_in_the_cache_encrypted_and_still_imports(client):
    coordinator = CoordinatorFactory()
    profile = ProfileFactory(membership_number="100201", user__email="a@example.org")
    client.force_login(coordinator)
    reauthenticate(client, coordinator)
    url = reverse("admin:accounts_memberlistimport_add")
    listed = b"lidnummer;e-mail;soort lid\n100201;a@example.org;lid\n100299;geheim.lid@example.org;lid\n"

    preview = client.post(url, {"file": SimpleUploadedFile("lijst.csv", listed)})

    assert preview.status_code == 200 and preview.context["token"]
    stored = raw_cache()
    assert stored  # the preview is there ...
    assert b"geheim.lid@example.org" not in stored and b"100299" not in stored  # ... but not readable
    response = client.post(url, {"token": preview.context["token"], "action": "confirm"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.is_verified
    assert MemberListImport.objects.get().row_count == 2


def test_a_file_over_10_mb_is_refused_with_a_clear_message():
    big = SimpleUploadedFile("lijst.csv", b"lidnummer;e-mail;soort lid\n" + b"x" * (10 * 1024 * 1024))

    form = MemberListImportForm(files={"file": big})

    assert not form.is_valid()
    assert "10 MB" in " ".join(form.errors["file"])


def wide_xlsx(cells: int) -> bytes:
    """A small XLSX (the cells compress to almost nothing) whose second row has `cells` cells."""
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>lidnummer</t></is></c></row>'
    wide = '<row r="2">' + '<c t="n"><v>1</v></c>' * cells + "</row>"
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{header}{wide}</sheetData></worksheet>"
    )
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            target.writestr(item, data)
    return out.getvalue()


def test_a_very_wide_row_is_refused_after_reading_a_bounded_number_of_cells(monkeypatch):
    data = wide_xlsx(200_000)
    assert len(data) < 100_000  # a small upload ...
    read = []
    parse_cell = member_list_parser().parse_cell
    monkeypatch.setattr(
        member_list_parser(), "parse_cell", lambda self, element: read.append(1) or parse_cell(self, element)
    )

    parsed = parse_member_list(data=data, file_name="lijst.xlsx")

    assert parsed.errors and "1.000" in parsed.errors[0]
    assert len(read) <= 1 + MAX_COLUMNS  # ... whose cells beyond the columns read are never turned into values


def test_a_stray_cell_far_to_the_right_does_not_stop_a_member_list():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["lidnummer", "e-mail", "soort lid"])
    workbook.active.append(["100201", "a@example.org", "lid"])
    workbook.active.cell(row=2, column=5000, value="opmerking")
    buffer = io.BytesIO()
    workbook.save(buffer)

    parsed = parse_member_list(data=buffer.getvalue(), file_name="lijst.xlsx")

    assert parsed.errors == [] and [row.membership_number for row in parsed.rows] == ["100201"]
    assert MAX_CELLS_PER_ROW > 3


def member_list_parser():
    from openpyxl.worksheet._reader import WorkSheetParser

    return WorkSheetParser


# --- A sheet without a declared size (finding 21.11, "without building rows wider than the columns read") ---

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_PATH = "xl/worksheets/sheet1.xml"


def hand_written_xlsx(rows, repeat: bytes = b"", times: int = 0, tail: bytes = b"", strings=None) -> bytes:
    """A minimal XLSX written part by part, as a hostile tool would: no <dimension>, no styles.
    The sheet is `rows`, then `repeat` written `times` times, then `tail`; the repetition
    compresses to almost nothing, so a sheet of tens of megabytes is a small upload. `strings`,
    (what, times), makes a shared-strings part the same way."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/{SHEET_PATH}" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            + (
                '<Override PartName="/xl/sharedStrings.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                if strings
                else ""
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{OFFICE_RELS}">'
            '<sheets><sheet name="Leden" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{OFFICE_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open(SHEET_PATH, "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode())
            sheet.write(rows.encode())
            chunk = repeat * 10_000
            for _ in range(times // 10_000):
                sheet.write(chunk)
            sheet.write(repeat * (times % 10_000))
            sheet.write(tail + b"</sheetData></worksheet>")
        if strings:
            what, count = strings
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                part.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode())
                for _ in range(count // 10_000):
                    part.write(what * 10_000)
                part.write(what * (count % 10_000) + b"</sst>")
    return out.getvalue()


def inline(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = '<row r="1">' + inline("A1", "lidnummer") + inline("B1", "e-mail") + inline("C1", "soort lid") + "</row>"


@pytest.fixture
def bytes_read(monkeypatch):
    """How many bytes of uncompressed XML the reader actually takes from each part of the zip."""
    read = collections.Counter()
    original_open = zipfile.ZipFile.open

    class Counting:
        def __init__(self, stream):
            self._stream = stream

        def read(self, size=-1):
            data = self._stream.read(size)
            read[self._stream.name] += len(data)
            return data

        def __getattr__(self, name):
            return getattr(self._stream, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._stream.close()

    def open_counting(archive, name, mode="r", *args, **kwargs):
        stream = original_open(archive, name, mode, *args, **kwargs)
        return Counting(stream) if mode == "r" else stream

    monkeypatch.setattr(zipfile.ZipFile, "open", open_counting)
    return read


def test_one_huge_row_in_a_sheet_without_dimension_is_refused_after_reading_little(bytes_read):
    cell = b"<c><v>1</v></c>"
    data = hand_written_xlsx(HEADER_ROW + '<row r="2">', cell, 1_000_000, b"</row>")
    assert len(data) < 100_000  # a small upload: 1,000,000 cells, 15 MB of sheet XML

    parsed = parse_member_list(data=data, file_name="lijst.xlsx")

    assert parsed.errors == [
        "Regel 2 van werkblad “Leden” heeft meer dan 1.000 cellen. "
        "Verwijder de overbodige kolommen en probeer het opnieuw."
    ]
    assert 0 < bytes_read[SHEET_PATH] < 1024 * 1024


def test_a_sheet_without_dimension_and_a_million_rows_is_refused_after_reading_little(bytes_read, monkeypatch):
    from accounts import member_list

    monkeypatch.setattr(member_list, "MAX_ROWS", 1000)  # 50,000 in production: the same stop, sooner
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    data = hand_written_xlsx(HEADER_ROW, row, 1_000_000)
    assert len(data) < 200_000  # 50 MB of sheet XML

    parsed = parse_member_list(data=data, file_name="lijst.xlsx")

    assert parsed.errors == ["Het bestand heeft meer dan 1.000 regels. Splits het, of haal lege en andere regels weg."]
    assert 0 < bytes_read[SHEET_PATH] < 1024 * 1024  # what 1,000 rows take, not the 50 MB there are


def test_a_sheet_of_many_rows_of_1000_cells_is_refused_after_reading_a_bounded_number(monkeypatch):
    from accounts import member_list

    monkeypatch.setattr(member_list, "MAX_CELLS", 50_000)  # 1,000,000 in production: the same stop, sooner
    data = hand_written_xlsx(HEADER_ROW, b"<row>" + b"<c/>" * 1000 + b"</row>", 10_000)  # 10,000,000 cells
    assert len(data) < 100_000
    parsed_cells = []
    parse_cell = member_list_parser().parse_cell
    monkeypatch.setattr(
        member_list_parser(), "parse_cell", lambda self, element: parsed_cells.append(1) or parse_cell(self, element)
    )

    parsed = parse_member_list(data=data, file_name="lijst.xlsx")

    assert parsed.errors == [
        "Het bestand heeft meer dan 50.000 cellen. Verwijder de overbodige kolommen en probeer het opnieuw."
    ]
    assert len(parsed_cells) <= 50 * MAX_COLUMNS + 3


def test_millions_of_shared_strings_are_refused_after_reading_a_bounded_number(bytes_read, monkeypatch):
    from accounts import member_list

    monkeypatch.setattr(member_list, "MAX_CELLS", 1000)  # 1,000,000 in production: the same stop, sooner
    data = hand_written_xlsx(HEADER_ROW, strings=(b"<si><t>x</t></si>", 1_000_000))  # 17 MB of XML
    assert len(data) < 100_000

    parsed = parse_member_list(data=data, file_name="lijst.xlsx")

    assert parsed.errors == [
        "Het bestand heeft meer dan 1.000 cellen. Verwijder de overbodige kolommen en probeer het opnieuw."
    ]
    assert 0 < bytes_read["xl/sharedStrings.xml"] < 1024 * 1024


def test_shared_strings_read_as_openpyxl_reads_them_and_used_by_reference():
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.reader.strings import read_string_table

    from accounts import member_list

    strings = (
        b"<si><t>lidnummer</t></si>"
        b"<si><t/></si>"
        b'<si><t xml:space="preserve">  E-mail </t></si>'
        b'<si><r><t>soort</t></r><r><rPr><b/></rPr><t xml:space="preserve"> lid</t></r></si>'
        b'<si><t>Lid</t><rPh sb="0" eb="1"><t>hint</t></rPh></si>'
        b"<si><t>a_x005F_x000D_b</t></si>"
        b"<si><t>0100201</t></si>"
    )
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>2</v></c><c r="C1" t="s"><v>3</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>6</v></c><c r="C2" t="s"><v>4</v></c><c r="D2" t="s"><v>1</v></c></row>'
    )
    data = hand_written_xlsx(sheet, strings=(strings, 1))
    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read_manifest()
    with reader.archive.open("xl/sharedStrings.xml") as source:
        expected = read_string_table(source)

    assert member_list._shared_strings(reader) == expected
    assert expected[2:4] == ["  E-mail ", "soort lid"]
    rows = [(name, list(table)) for name, table in member_list._xlsx_sheets(data)]
    assert rows == [("Leden", [(1, ["lidnummer", "  E-mail ", "soort lid"]), (2, ["0100201", None, "Lid", ""])])]


def test_date_formats_are_decided_as_openpyxl_decides_them():
    from openpyxl import Workbook, load_workbook

    from accounts import member_list

    workbook = Workbook()
    sheet = workbook.active
    for row, number_format in enumerate(
        ["General", "0", "yyyy-mm-dd", "d-m-yy", "dd/mm/yyyy hh:mm", "[h]:mm:ss", "0.00%", '"dag" 0', "mmm-yy", "@"], 1
    ):
        sheet.cell(row=row, column=1, value=1).number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    expected = load_workbook(io.BytesIO(buffer.getvalue()))

    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        dates, durations = member_list._date_formats(archive)

    assert dates == set(expected._date_formats) and len(dates) == 5
    assert durations == set(expected._timedelta_formats) and len(durations) == 1


def test_a_style_sheet_of_100000_formats_is_refused_without_building_it():
    data = hand_written_xlsx(HEADER_ROW)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
        target.writestr(
            "xl/styles.xml",
            f'<styleSheet xmlns="{MAIN}"><cellXfs>'.encode()
            + b'<xf numFmtId="14"/>' * 100_000
            + b"</cellXfs></styleSheet>",
        )

    parsed = parse_member_list(data=out.getvalue(), file_name="lijst.xlsx")

    assert parsed.errors == [
        "Het bestand kon niet worden gelezen. Sla het op als CSV, Unicode-tekst of XLSX en probeer het opnieuw."
    ]


def test_cells_are_read_as_before_shared_and_inline_strings_numbers_booleans_dates_and_skipped_columns():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Export"
    sheet.append(["Lidnummer", "E-mail", "Soort lid", "Actief", "Lid sinds", "Bedrag"])
    sheet.append(["0100201", "Anna@Example.org", "Lid", True, datetime.date(2020, 3, 1), 12.5])
    sheet.append([100202, "bea@example.org", "Aspirant-lid", False, None, 12.0])
    sheet["A5"], sheet["C5"], sheet["F5"] = 100203, "lid", "opmerking"  # B5, D5 and E5 are not stored
    buffer = io.BytesIO()
    workbook.save(buffer)

    from accounts import member_list

    rows = [(name, list(table)) for name, table in member_list._xlsx_sheets(buffer.getvalue())]

    assert rows == [
        (
            "Export",
            [
                (1, ["Lidnummer", "E-mail", "Soort lid", "Actief", "Lid sinds", "Bedrag"]),
                (2, ["0100201", "Anna@Example.org", "Lid", True, datetime.datetime(2020, 3, 1), 12.5]),
                (3, [100202, "bea@example.org", "Aspirant-lid", False, None, 12]),
                (5, [100203, None, "lid", None, None, "opmerking"]),
            ],
        )
    ]
    parsed = parse_member_list(data=buffer.getvalue(), file_name="lijst.xlsx")
    assert parsed.errors == []
    assert [(row.line, row.membership_number, row.email) for row in parsed.rows] == [
        (2, "100201", "anna@example.org"),
        (3, "100202", "bea@example.org"),
        (5, "100203", ""),
    ]


def test_a_sheet_with_a_doctype_is_not_read():
    entity = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    data = hand_written_xlsx(HEADER_ROW + '<row r="2">' + inline("A2", "&b;") + "</row>")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read(SHEET_PATH).replace(b"<worksheet", entity.encode() + b"<worksheet", 1)
        others = {name: archive.read(name) for name in archive.namelist() if name != SHEET_PATH}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in others.items():
            archive.writestr(name, content)
        archive.writestr(SHEET_PATH, sheet)

    parsed = parse_member_list(data=out.getvalue(), file_name="lijst.xlsx")

    assert parsed.rows == []
    assert parsed.errors == [
        "Het bestand kon niet worden gelezen. Sla het op als CSV, Unicode-tekst of XLSX en probeer het opnieuw."
    ]
