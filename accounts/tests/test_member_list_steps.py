"""The import page's steps as services, without HTTP: upload and preview, decide on unknown types, confirm.

The file waits in the cache for the coordinator who uploaded it; nothing is written before she confirms.
"""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import selectors, services
from accounts.member_list import SKIP
from accounts.models import MemberListEntry, MemberListImport, MembershipType
from accounts.services import MemberListStage
from accounts.tests.factories import CoordinatorFactory, ProfileFactory

pytestmark = pytest.mark.django_db

LIST = b"lidnummer;e-mail;soort lid\n100201;anna@example.org;lid\n100202;bea@example.org;Erelid\n"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _upload(data=LIST):
    return SimpleUploadedFile("leden.csv", data)


def test_an_upload_is_previewed_and_kept_for_her_only_without_writing_anything():
    coordinator, other = CoordinatorFactory(), CoordinatorFactory()
    anna = ProfileFactory(membership_number="100201", user__email="anna@example.org")

    step = services.member_list_upload(user=coordinator, upload=_upload())

    assert step.stage == MemberListStage.PREVIEW
    assert step.token
    assert [profile.pk for profile in step.report.verified] == [anna.pk]
    assert set(step.report.unknown_types) == {"erelid"}
    assert services.member_list_preview_file(user=coordinator, token=step.token).read() == LIST
    assert services.member_list_preview_file(user=other, token=step.token) is None
    assert not MemberListEntry.objects.exists()
    anna.refresh_from_db()
    assert not anna.is_verified


def test_a_file_with_errors_is_previewed_but_not_kept():
    step = services.member_list_upload(user=CoordinatorFactory(), upload=_upload(b"lidnummer;e-mail\n"))

    assert step.stage == MemberListStage.PREVIEW
    assert step.report.errors
    assert step.token == ""


def test_a_confirmation_with_an_undecided_type_stays_on_the_preview_and_keeps_the_file():
    coordinator = CoordinatorFactory()
    token = services.member_list_upload(user=coordinator, upload=_upload()).token

    step = services.member_list_decide(user=coordinator, token=token, type_choices={}, confirm=True)

    assert step.stage == MemberListStage.PREVIEW
    assert step.token == token
    assert any("Erelid" in error for error in step.report.errors)
    assert not MemberListImport.objects.exists()
    assert services.member_list_preview_file(user=coordinator, token=token) is not None


def test_deciding_previews_again_and_confirming_imports_once_and_forgets_the_file():
    coordinator = CoordinatorFactory()
    anna = ProfileFactory(membership_number="100201", user__email="anna@example.org")
    token = services.member_list_upload(user=coordinator, upload=_upload()).token
    choices = services.member_list_type_choices({"type:erelid": MembershipType.MEMBER, "type:x": "nonsense", "p": "1"})
    assert choices == {"erelid": MembershipType.MEMBER}

    again = services.member_list_decide(user=coordinator, token=token, type_choices=choices, confirm=False)
    assert again.stage == MemberListStage.PREVIEW and again.report.ok and not MemberListImport.objects.exists()
    rows = selectors.member_list_type_rows(report=again.report, choices=choices)
    assert [(row["key"], row["count"], row["lines"], row["choice"]) for row in rows] == [
        ("erelid", 1, [3], MembershipType.MEMBER)
    ]

    done = services.member_list_decide(user=coordinator, token=token, type_choices=choices, confirm=True)

    assert done.stage == MemberListStage.IMPORTED
    assert done.report.member_list_import.uploaded_by == coordinator
    assert MemberListEntry.objects.count() == 2
    anna.refresh_from_db()
    assert anna.is_verified
    assert services.member_list_preview_file(user=coordinator, token=token) is None
    expired = services.member_list_decide(user=coordinator, token=token, type_choices=choices, confirm=True)
    assert expired.stage == MemberListStage.EXPIRED
    assert MemberListImport.objects.count() == 1


def test_a_skipped_type_leaves_its_lines_out():
    coordinator = CoordinatorFactory()
    token = services.member_list_upload(user=coordinator, upload=_upload()).token

    done = services.member_list_decide(user=coordinator, token=token, type_choices={"erelid": SKIP}, confirm=True)

    assert done.stage == MemberListStage.IMPORTED
    assert list(MemberListEntry.objects.values_list("membership_number", flat=True)) == ["100201"]


def test_an_expired_or_forged_token_is_expired():
    coordinator = CoordinatorFactory()
    token = services.member_list_upload(user=coordinator, upload=_upload()).token
    cache.clear()  # the preview's time ran out

    assert services.member_list_decide(user=coordinator, token=token, type_choices={}, confirm=False).stage == (
        MemberListStage.EXPIRED
    )
    assert services.member_list_decide(user=coordinator, token="x" * 500, type_choices={}, confirm=True).stage == (
        MemberListStage.EXPIRED
    )
