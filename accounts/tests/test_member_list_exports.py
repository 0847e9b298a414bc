"""Member lists as membership administrations really export them (issue 16 §3, 13 §3, 13 §5).

Every file is generated here, in the shape the export takes: title rows, second sheets,
Excel's "Unicode-tekst", Windows encoding, `sep=`, Dutch headers, unknown membership types.
"""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts import member_list
from accounts.models import MemberListEntry, MemberListImport, MembershipType, VerificationStatus
from accounts.services import member_list_import, member_list_preview, profile_verify
from accounts.tests.factories import CoordinatorFactory, ProfileFactory, reauthenticate

pytestmark = pytest.mark.django_db

HEADER = ["Lidmaatschapsnummer", "E-mail adres", "Soort lidmaatschap"]
MEMBERS = [
    ["100201", "anna@example.org", "Lid"],
    ["100202", "bea@example.org", "Aspirant-lid"],
]


def _anna_and_bea():
    anna = ProfileFactory(membership_number="100201", user__email="anna@example.org")
    bea = ProfileFactory(
        membership_number="100202", user__email="bea@example.org", membership_type=MembershipType.ASPIRANT
    )
    return anna, bea


def _workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_dimension(data: bytes, dimension: str) -> bytes:
    """The same workbook with the sheet's declared size replaced, as some exporters write it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + dimension.encode() + b'"', content)
            target.writestr(info, content)
    return target_buffer.getvalue()


def _import(data: bytes, name: str, **kwargs):
    return member_list_import(file=SimpleUploadedFile(name, data), uploaded_by=None, **kwargs)


def _verified(*profiles) -> list[bool]:
    for profile in profiles:
        profile.refresh_from_db()
    return [profile.is_verified for profile in profiles]


# --- Files as exported ----------------------------------------------------------------------


def test_an_xlsx_with_a_title_and_blank_row_above_the_header_on_the_second_sheet():
    anna, bea = _anna_and_bea()
    workbook = Workbook()
    workbook.active.title = "Toelichting"
    workbook.active.append(["Deze export bevat alle leden per 1 januari."])
    sheet = workbook.create_sheet("Leden")
    sheet.append(["Ledenlijst NOB Vrouwennetwerk"])
    sheet.append([])
    sheet.append(HEADER)
    for row in MEMBERS:
        sheet.append(row)
    sheet.append(["12x", "c@example.org", "Lid"])

    report = _import(_workbook_bytes(workbook), "export.xlsx")

    # The bad line carries the spreadsheet's own row number.
    assert report.errors == ["Regel 6: lidnummer “12x” bestaat niet uit 4 tot 8 cijfers."]
    sheet.delete_rows(6)
    report = _import(_workbook_bytes(workbook), "export.xlsx")
    assert report.ok, report.errors
    assert (report.sheet_name, report.header_line, report.row_count) == ("Leden", 3, 2)
    assert _verified(anna, bea) == [True, True]


def test_excel_unicode_text_utf16_with_tabs_is_read():
    anna, bea = _anna_and_bea()
    text = "\r\n".join("\t".join(row) for row in [HEADER, *MEMBERS]) + "\r\n"

    report = _import(text.encode("utf-16"), "leden.txt")  # with byte order mark, as Excel saves it

    assert report.ok, report.errors
    assert _verified(anna, bea) == [True, True]


def test_a_tab_separated_utf8_file_is_read():
    anna, _bea = _anna_and_bea()
    text = "\n".join("\t".join(row) for row in [HEADER, MEMBERS[0]])

    report = _import(text.encode(), "leden.tsv")

    assert report.ok, report.errors
    assert _verified(anna) == [True]


def test_a_first_line_sep_names_the_separator_and_line_numbers_stay_real():
    _anna_and_bea()
    text = "sep=;\nlidnummer;e-mail;soort lid\n100201;anna@example.org;lid\n100202;fout-adres;lid\n"

    report = _import(text.encode(), "leden.csv")

    assert report.errors == ["Regel 4: “fout-adres” is geen geldig e-mailadres."]


def test_a_windows_1252_file_with_accents_is_read():
    anna, _bea = _anna_and_bea()
    text = "Naam;Lidnummer;E-mailadres;Soort lid\nAnna Müller-Hoëvenaars;100201;anna@example.org;lid\n"

    report = _import(text.encode("cp1252"), "leden.csv")

    assert report.ok, report.errors
    assert _verified(anna) == [True]


def test_a_utf8_file_with_a_title_line_and_commas():
    anna, _bea = _anna_and_bea()
    text = "Export ledenadministratie 2027\n\nlidnr,Email,Soort lid\n100201,anna@example.org,Gewoon lid\n"

    report = _import(text.encode(), "leden.csv")

    assert report.ok, report.errors
    assert report.header_line == 3
    assert _verified(anna) == [True]


def test_a_file_without_a_header_names_what_is_missing_without_blaming_line_one():
    report = _import(b"Titel\nlidnummer;naam\n100201;Anna\n", "leden.csv")

    assert len(report.errors) == 1
    assert "Regel 1" not in report.errors[0]
    assert "e-mail, soort lid" in report.errors[0]


# --- Membership numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(("on_profile", "on_list"), [("12345", "012345"), ("012345", "12345"), ("12345", "12345")])
def test_leading_zeros_do_not_count_on_either_side(on_profile, on_list):
    profile = ProfileFactory(membership_number=on_profile, user__email="anna@example.org")

    report = _import(f"lidnummer;e-mail;soort lid\n{on_list};anna@example.org;lid\n".encode(), "l.csv")

    assert report.ok, report.errors
    assert _verified(profile) == [True]
    assert MemberListEntry.objects.get().membership_number == "12345"


def test_the_same_number_with_and_without_zeros_is_a_duplicate():
    report = _import(b"lidnummer;e-mail;soort lid\n12345;a@example.org;lid\n012345;b@example.org;lid\n", "l.csv")

    assert report.errors == ["Regel 3: lidnummer 012345 staat al op regel 2."]


# --- Unknown membership types -----------------------------------------------------------------


UNKNOWN_TYPES = """lidnummer;e-mail;soort lid
100201;anna@example.org;lid
100202;bea@example.org;Erelid
100203;cor@example.org;Buitengewoon lid
100204;dirk@example.org;buitengewoon  lid
"""


def test_unknown_membership_types_wait_for_a_decision_and_change_nothing():
    bea = ProfileFactory(membership_number="100202", user__email="bea@example.org")

    preview = member_list_preview(file=SimpleUploadedFile("l.csv", UNKNOWN_TYPES.encode()))

    assert not preview.errors
    assert {key: (unknown.label, unknown.lines) for key, unknown in preview.unknown_types.items()} == {
        "erelid": ("Erelid", [3]),
        "buitengewoon lid": ("Buitengewoon lid", [4, 5]),
    }
    report = _import(UNKNOWN_TYPES.encode(), "l.csv")
    assert not report.ok
    assert any("Erelid" in error for error in report.errors)
    assert not MemberListEntry.objects.exists()
    assert _verified(bea) == [False]


def test_a_decision_per_unknown_type_counts_or_skips_its_lines():
    bea = ProfileFactory(membership_number="100202", user__email="bea@example.org")
    choices = {"erelid": MembershipType.MEMBER, "buitengewoon lid": member_list.SKIP}

    report = _import(UNKNOWN_TYPES.encode(), "l.csv", type_choices=choices)

    assert report.ok, report.errors
    assert (report.row_count, report.skipped) == (2, 2)
    assert sorted(MemberListEntry.objects.values_list("membership_number", flat=True)) == ["100201", "100202"]
    assert _verified(bea) == [True]


# --- Number AND e-mail (issue 13 §3) ----------------------------------------------------------


def test_a_number_with_another_e_mail_is_flagged_with_the_reason_not_verified():
    claimant = ProfileFactory(membership_number="100105", user__email="claimant@example.org")
    owner_list = b"lidnummer;e-mail;soort lid\n100105;owner@example.org;lid\n"

    preview = member_list_preview(file=SimpleUploadedFile("l.csv", owner_list))
    assert preview.verified == []
    assert preview.flag_reasons == {claimant.pk: "haar lidnummer staat op de ledenlijst met een ander e-mailadres"}

    report = _import(owner_list, "l.csv")

    claimant.refresh_from_db()
    assert report.ok
    assert claimant.verification_status == VerificationStatus.PENDING
    assert claimant.needs_review


def test_an_e_mail_differing_only_in_case_and_spaces_matches():
    anna = ProfileFactory(membership_number="100201", user__email="Anna.de.Boer@Example.org")

    _import(b"lidnummer;e-mail;soort lid\n100201;  anna.DE.boer@example.ORG \n".replace(b" \n", b" ;lid\n"), "l.csv")

    assert _verified(anna) == [True]


def test_an_older_automatic_verification_by_number_alone_is_flagged_for_review():
    squatter = ProfileFactory(membership_number="100105", user__email="claimant@example.org", verified=True)

    _import(b"lidnummer;e-mail;soort lid\n100105;owner@example.org;lid\n", "l.csv")

    squatter.refresh_from_db()
    assert squatter.needs_review
    assert squatter.is_verified  # a coordinator decides


def test_a_coordinator_can_still_verify_by_hand_and_the_next_import_leaves_her_be():
    claimant = ProfileFactory(membership_number="100105", user__email="claimant@example.org")
    owner_list = b"lidnummer;e-mail;soort lid\n100105;owner@example.org;lid\n"
    _import(owner_list, "l.csv")

    profile_verify(profile=claimant, by=CoordinatorFactory())
    _import(owner_list, "l.csv")

    claimant.refresh_from_db()
    assert claimant.is_verified
    assert not claimant.needs_review


def test_a_list_without_an_e_mail_for_her_number_does_not_verify():
    anna = ProfileFactory(membership_number="100201", user__email="anna@example.org")

    report = _import(b"lidnummer;e-mail;soort lid\n100201;;lid\n", "l.csv")

    assert report.ok
    assert _verified(anna) == [False]
    assert "zonder e-mailadres" in report.flag_reasons[anna.pk]


# --- XLSX limits (issue 13 §5) ----------------------------------------------------------------


def _members_workbook(count: int) -> bytes:
    workbook = Workbook()
    workbook.active.append(HEADER)
    for number in range(count):
        workbook.active.append([str(300000 + number), f"lid{number}@example.org", "lid"])
    return _workbook_bytes(workbook)


def test_a_sheet_declaring_a_huge_dimension_is_read_as_the_rows_it_has():
    data = _with_dimension(_members_workbook(3), "A1:XFD1048576")

    rows = [row for _name, sheet in member_list._xlsx_sheets(data) for row in sheet]

    # Only what is stored: no million padded rows of sixteen thousand empty cells.
    assert [line for line, _cells in rows] == [1, 2, 3, 4]
    assert max(len(cells) for _line, cells in rows) == 3
    assert _import(data, "l.xlsx").row_count == 3


def test_a_sheet_understating_its_dimension_loses_no_rows():
    data = _with_dimension(_members_workbook(5), "A1:C2")

    report = _import(data, "l.xlsx")

    assert report.ok, report.errors
    assert report.row_count == 5


def test_an_oversized_sheet_is_refused_with_a_message(monkeypatch):
    monkeypatch.setattr(member_list, "MAX_ROWS", 10)

    report = _import(_members_workbook(40), "l.xlsx")

    assert not report.ok
    assert report.errors == ["Het bestand heeft meer dan 10 regels. Splits het, of haal lege en andere regels weg."]
    assert not MemberListImport.objects.exists()


def test_a_sheet_whose_only_row_sits_at_the_bottom_is_counted_not_padded():
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.cell(row=1_048_576, column=1, value="100201")

    rows = [row for _name, sheet in member_list._xlsx_sheets(_workbook_bytes(workbook)) for row in sheet]

    assert [line for line, _cells in rows] == [1, 1_048_576]


def test_an_xlsx_that_unpacks_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(member_list, "MAX_XLSX_UNPACKED_BYTES", 1000)

    report = _import(_members_workbook(100), "l.xlsx")

    assert not report.ok


# --- The preview in the admin ---------------------------------------------------------------


def test_the_admin_preview_asks_per_unknown_type_and_only_the_confirmation_writes(client):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    reauthenticate(client, coordinator)  # the import asks for her password again
    bea = ProfileFactory(membership_number="100202", user__email="bea@example.org")
    url = reverse("admin:accounts_memberlistimport_add")

    preview = client.post(url, {"file": SimpleUploadedFile("l.csv", UNKNOWN_TYPES.encode())})
    page = preview.content.decode()
    assert "4 regels gelezen" in page
    assert "“Buitengewoon lid” (2 regels)" in page
    assert 'name="type:erelid"' in page
    token = preview.context["token"]

    undecided = client.post(url, {"token": token, "action": "confirm"})
    assert undecided.status_code == 200
    assert not MemberListEntry.objects.exists()

    response = client.post(
        url,
        {"token": token, "action": "confirm", "type:erelid": MembershipType.MEMBER, "type:buitengewoon lid": "skip"},
    )
    assert response.status_code == 302
    assert MemberListEntry.objects.count() == 2
    assert _verified(bea) == [True]

    # The kept file is gone after the import.
    again = client.post(url, {"token": token, "action": "confirm"}, follow=True)
    assert "verlopen" in again.content.decode()


def test_another_coordinator_cannot_confirm_someone_elses_preview(client):
    first = CoordinatorFactory()
    client.force_login(first)
    reauthenticate(client, first)
    url = reverse("admin:accounts_memberlistimport_add")
    token = client.post(url, {"file": SimpleUploadedFile("l.csv", b"lidnummer;e-mail;soort lid\n100201;a@b.nl;lid\n")})
    token = token.context["token"]

    second = CoordinatorFactory()
    client.force_login(second)
    reauthenticate(client, second)
    client.post(url, {"token": token, "action": "confirm"})

    assert not MemberListEntry.objects.exists()
