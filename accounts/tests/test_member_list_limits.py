"""Finding 21.11: member-list uploads have limits, and the preview never waits in the cache as plaintext."""

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
