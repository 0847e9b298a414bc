import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.services import member_list_import, profile_reject, profile_verify
from accounts.tests.factories import CoordinatorFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def test_a_verified_member_gets_a_dutch_email(django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://mentor.example.org"
    profile = ProfileFactory(user__full_name="Anna de Boer")

    with django_capture_on_commit_callbacks(execute=True):
        profile_verify(profile=profile, by=CoordinatorFactory())

    (message,) = mail.outbox
    assert message.to == [profile.user.email]
    assert message.subject == "[Mentorprogramma] Je NOB-lidmaatschap is geverifieerd"
    assert "Beste Anna" in message.body
    # A link back to the site, built from SITE_URL: the worker has no request.
    assert "https://mentor.example.org/profiel/" in message.body


def test_a_rejected_member_reads_the_reason_in_her_own_language(django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://mentor.example.org"
    profile = ProfileFactory(user__language="en")

    with django_capture_on_commit_callbacks(execute=True):
        profile_reject(profile=profile, by=CoordinatorFactory(), reason="Number 200001 belongs to someone else.")

    (message,) = mail.outbox
    assert "could not be verified" in message.subject
    assert "Number 200001 belongs to someone else." in message.body
    assert "correct it in your profile" in message.body
    assert "https://mentor.example.org/profiel/" in message.body


def test_members_verified_by_an_import_are_told(django_capture_on_commit_callbacks):
    profile = ProfileFactory(membership_number="100201", user__email="anna@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        member_list_import(
            file=SimpleUploadedFile("l.csv", b"lidnummer;e-mail;soort lid\n100201;anna@example.org;lid\n"),
            uploaded_by=None,
        )

    assert [message.to for message in mail.outbox] == [[profile.user.email]]


def test_bulk_verify_leaves_already_verified_members_alone(client, django_capture_on_commit_callbacks):
    verified = ProfileFactory(verified=True)
    verified_at = verified.verified_at
    waiting = ProfileFactory()
    client.force_login(CoordinatorFactory())

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:accounts_profile_changelist"),
            {"action": "verify_selected", "_selected_action": [str(verified.pk), str(waiting.pk)]},
        )

    verified.refresh_from_db()
    assert verified.verified_at == verified_at
    assert [message.to for message in mail.outbox] == [[waiting.user.email]]


def test_verifying_an_already_verified_member_changes_nothing_and_sends_nothing(django_capture_on_commit_callbacks):
    """The rule lives in the service, so the verification page and any caller keep it too (R2)."""
    profile = ProfileFactory(verified=True)
    verified_at, verified_by = profile.verified_at, profile.verified_by_id

    with django_capture_on_commit_callbacks(execute=True):
        profile_verify(profile=profile, by=CoordinatorFactory())

    profile.refresh_from_db()
    assert (profile.verified_at, profile.verified_by_id) == (verified_at, verified_by)
    assert mail.outbox == []
