import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.models import MemberListEntry, MemberListImport, MembershipType, Profile, VerificationStatus
from accounts.services import member_list_import
from accounts.tests.factories import CoordinatorFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def csv_file(text: str, name: str = "ledenlijst.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, name: str = "ledenlijst.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


CLEAN_LIST = """lidnummer;e-mail;soort lid
100201;anna@example.org;lid
100202;bea@example.org;aspirant-lid
100203;cor@example.org;lid
"""


def _state():
    return sorted(
        Profile.objects.values_list("membership_number", "verification_status", "needs_review", "verified_at")
    )


def test_a_clean_file_verifies_the_matching_profiles():
    anna = ProfileFactory(membership_number="100201", user__email="anna@example.org")
    bea = ProfileFactory(
        membership_number="100202", user__email="bea@example.org", membership_type=MembershipType.ASPIRANT
    )
    stranger = ProfileFactory(membership_number="999999")
    coordinator = CoordinatorFactory()

    report = member_list_import(file=csv_file(CLEAN_LIST), uploaded_by=coordinator)

    assert report.ok
    assert report.row_count == 3
    assert {profile.pk for profile in report.verified} == {anna.pk, bea.pk}
    for profile in (anna, bea):
        profile.refresh_from_db()
        assert profile.verification_status == VerificationStatus.VERIFIED
        assert profile.verified_at is not None
        assert profile.verified_by is None  # automatic
    stranger.refresh_from_db()
    assert stranger.verification_status == VerificationStatus.PENDING
    record = MemberListImport.objects.get()
    assert (record.uploaded_by, record.row_count, record.verified_count) == (coordinator, 3, 2)
    assert MemberListEntry.objects.count() == 3


def test_a_file_with_one_bad_row_changes_nothing_and_names_the_line():
    ProfileFactory(membership_number="100201", user__email="anna@example.org")
    member_list_import(file=csv_file("lidnummer,e-mail,soort lid\n100300,oud@example.org,lid\n"), uploaded_by=None)
    before = _state()

    report = member_list_import(
        file=csv_file("lidnummer;e-mail;soort lid\n100201;anna@example.org;lid\n12ab;bea@example.org;lid\n"),
        uploaded_by=None,
    )

    assert not report.ok
    assert len(report.errors) == 1
    assert report.errors[0].startswith("Regel 3:")
    assert "12ab" in report.errors[0]
    assert _state() == before
    assert list(MemberListEntry.objects.values_list("membership_number", flat=True)) == ["100300"]
    assert MemberListImport.objects.count() == 1


@pytest.mark.parametrize(
    ("bad_row", "fragment"),
    [
        ("100210;geen-adres;lid", "geen geldig e-mailadres"),
        ("100210;x@example.org;", "soort lidmaatschap is leeg"),
        ("100201;x@example.org;lid", "regel 2"),
    ],
)
def test_every_kind_of_bad_row_is_reported_with_its_line(bad_row, fragment):
    report = member_list_import(
        file=csv_file(f"lidnummer;e-mail;soort lid\n100201;a@example.org;lid\n{bad_row}\n"), uploaded_by=None
    )

    assert not report.ok
    assert report.errors[0].startswith("Regel 3:")
    assert fragment in report.errors[0]
    assert not MemberListEntry.objects.exists()


def test_a_file_without_the_expected_headers_is_refused():
    report = member_list_import(file=csv_file("nummer,naam\n100201,Anna\n"), uploaded_by=None)

    assert not report.ok
    assert "kopregel" in report.errors[0]
    assert "soort lid" in report.errors[0]


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("ledenlijst.pdf", b"%PDF-1.4"),
        SimpleUploadedFile("ledenlijst.xlsx", b"this is not a zip file"),
        SimpleUploadedFile("ledenlijst.csv", b""),
        SimpleUploadedFile("ledenlijst.csv", b"\xff\xfe\x00\x00garbage"),
    ],
)
def test_an_unreadable_file_is_refused_without_an_error_page(upload):
    report = member_list_import(file=upload, uploaded_by=None)

    assert not report.ok
    assert not MemberListEntry.objects.exists()


def test_re_importing_the_same_list_changes_nothing():
    ProfileFactory(membership_number="100201", user__email="anna@example.org")
    member_list_import(file=csv_file(CLEAN_LIST), uploaded_by=None)
    before = _state()

    report = member_list_import(file=csv_file(CLEAN_LIST), uploaded_by=None)

    assert report.ok
    assert report.verified == [] and report.flagged == []
    assert _state() == before
    assert MemberListEntry.objects.count() == 3


def test_a_member_missing_from_a_newer_list_is_flagged_not_deleted():
    anna = ProfileFactory(membership_number="100201", user__email="anna@example.org")
    bea = ProfileFactory(
        membership_number="100202", user__email="bea@example.org", membership_type=MembershipType.ASPIRANT
    )
    member_list_import(file=csv_file(CLEAN_LIST), uploaded_by=None)

    report = member_list_import(
        file=csv_file("lidnummer;e-mail;soort lid\n100201;anna@example.org;lid\n"), uploaded_by=None
    )

    assert [profile.pk for profile in report.flagged] == [bea.pk]
    bea.refresh_from_db()
    anna.refresh_from_db()
    assert bea.needs_review
    assert bea.verification_status == VerificationStatus.VERIFIED  # a coordinator decides
    assert not anna.needs_review
    assert Profile.objects.count() == 2

    # Back on a later list: the reason for the review is gone.
    member_list_import(file=csv_file(CLEAN_LIST), uploaded_by=None)
    bea.refresh_from_db()
    assert not bea.needs_review


def test_a_different_membership_type_is_not_verified_but_reported():
    profile = ProfileFactory(
        membership_number="100202", user__email="bea@example.org", membership_type=MembershipType.MEMBER
    )

    report = member_list_import(file=csv_file(CLEAN_LIST), uploaded_by=None)

    assert [p.pk for p in report.type_mismatches] == [profile.pk]
    profile.refresh_from_db()
    assert profile.verification_status == VerificationStatus.PENDING


def test_a_rejected_member_stays_rejected_until_a_coordinator_decides():
    profile = ProfileFactory(
        membership_number="100201", verification_status=VerificationStatus.REJECTED, verification_note="Geen vrouw"
    )

    member_list_import(file=csv_file(CLEAN_LIST), uploaded_by=None)

    profile.refresh_from_db()
    assert profile.verification_status == VerificationStatus.REJECTED


def test_profiles_registered_after_the_import_are_verified_at_the_next_one_too():
    member_list_import(file=csv_file(CLEAN_LIST), uploaded_by=None)
    later = ProfileFactory(membership_number="100203", user__email="cor@example.org")

    report = member_list_import(file=csv_file(CLEAN_LIST), uploaded_by=None)

    assert [profile.pk for profile in report.verified] == [later.pk]


def test_an_excel_file_with_comma_headers_and_numbers_as_numbers_is_read():
    profile = ProfileFactory(membership_number="100201", user__email="anna@example.org")

    report = member_list_import(
        file=xlsx_file([["Lidnummer", "E-mail", "Soort lid"], [100201, "ANNA@example.org", "Lid"], [None, None, None]]),
        uploaded_by=None,
    )

    assert report.ok, report.errors
    assert report.row_count == 1
    profile.refresh_from_db()
    assert profile.is_verified
    assert MemberListEntry.objects.get().email == "anna@example.org"


def test_an_excel_file_with_a_bad_row_names_the_spreadsheet_row():
    report = member_list_import(
        file=xlsx_file([["lidnummer", "e-mail", "soort lid"], ["100201", "", "lid"], ["x", "", "lid"]]),
        uploaded_by=None,
    )

    assert report.errors[0].startswith("Regel 3:")


def test_a_comma_separated_file_with_a_byte_order_mark_is_read():
    ProfileFactory(membership_number="100201", user__email="anna@example.org")
    upload = SimpleUploadedFile(
        "lijst.csv", "\ufefflidnummer,email,soort_lid\r\n100201,anna@example.org,lid\r\n".encode()
    )

    report = member_list_import(file=upload, uploaded_by=None)

    assert report.ok, report.errors
    assert len(report.verified) == 1


def test_a_new_list_replaces_the_previous_one_at_once_as_the_privacy_statement_says(client):
    member_list_import(file=csv_file("lidnummer,e-mail,soort lid\n100300,oud@example.org,lid\n"), uploaded_by=None)

    member_list_import(file=csv_file(CLEAN_LIST), uploaded_by=None)

    # Only the latest list is kept, from the moment it is imported; the older import keeps its counts and date.
    assert sorted(MemberListEntry.objects.values_list("membership_number", flat=True)) == ["100201", "100202", "100203"]
    assert MemberListImport.objects.count() == 2
    privacy = client.get("/privacyverklaring/").content.decode()
    assert "elke nieuwe lijst vervangt meteen de vorige" in privacy
