"""R11: private notes are for their author only, and encrypted at rest."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from meetings import crypto, selectors, services
from meetings.checks import meeting_notes_keys_check
from meetings.models import PrivateNote

from .factories import HeldMeetingFactory

pytestmark = pytest.mark.django_db

SECRET = "Ze twijfelt of ze bij haar werkgever wil blijven."


@pytest.fixture
def meeting(pair):
    return HeldMeetingFactory(match=pair)


def test_the_author_writes_and_reads_her_own_note(client, meeting):
    client.force_login(meeting.match.mentor)

    client.post(reverse("meetings:detail", args=[meeting.pk]), {"text": SECRET})
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()

    assert SECRET in page
    assert PrivateNote.objects.get().author == meeting.match.mentor


def test_the_partner_never_sees_the_note(client, meeting):
    services.private_note_save(meeting=meeting, author=meeting.match.mentor, text=SECRET)
    client.force_login(meeting.match.mentee)

    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    ics = client.get(reverse("meetings:list", args=[meeting.match_id])).content.decode()

    assert SECRET not in page
    assert SECRET not in ics
    assert selectors.private_note_text(meeting=meeting, user=meeting.match.mentee) == ""


def test_each_partner_keeps_her_own_note(meeting):
    services.private_note_save(meeting=meeting, author=meeting.match.mentor, text="van de mentor")
    services.private_note_save(meeting=meeting, author=meeting.match.mentee, text="van de mentee")

    assert selectors.private_note_text(meeting=meeting, user=meeting.match.mentor) == "van de mentor"
    assert selectors.private_note_text(meeting=meeting, user=meeting.match.mentee) == "van de mentee"


def test_the_database_holds_only_ciphertext(meeting):
    services.private_note_save(meeting=meeting, author=meeting.match.mentee, text=SECRET)

    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM meetings_privatenote")
        (stored,) = cursor.fetchone()

    assert SECRET not in stored
    assert "twijfelt" not in stored
    assert crypto.decrypt(stored) == SECRET


def test_notes_are_not_in_the_admin(admin_client, meeting):
    services.private_note_save(meeting=meeting, author=meeting.match.mentee, text=SECRET)

    index = admin_client.get(reverse("admin:index")).content.decode()
    stats = admin_client.get(reverse("admin:meetings_pairmeetingstatistics_changelist")).content.decode()

    assert SECRET not in index + stats
    assert "privatenote" not in index.lower()
    assert "admin/meetings/meeting/" not in index


def test_emptying_the_note_deletes_it(client, meeting):
    services.private_note_save(meeting=meeting, author=meeting.match.mentee, text=SECRET)
    client.force_login(meeting.match.mentee)

    client.post(reverse("meetings:detail", args=[meeting.pk]), {"text": "  "})

    assert not PrivateNote.objects.exists()


def test_a_too_long_note_is_refused_and_kept_in_the_form(client, meeting):
    client.force_login(meeting.match.mentee)
    text = "x" * (services.MAX_NOTE_LENGTH + 1)

    response = client.post(reverse("meetings:detail", args=[meeting.pk]), {"text": text})

    assert response.status_code == 200
    assert response.context["note_form"].errors["text"]
    assert text in response.content.decode()
    assert not PrivateNote.objects.exists()


def test_key_rotation_re_encrypts_with_the_new_key(settings, meeting):
    old_key = Fernet.generate_key().decode()
    settings.MEETING_NOTES_KEYS = [old_key]
    services.private_note_save(meeting=meeting, author=meeting.match.mentee, text=SECRET)
    new_key = Fernet.generate_key().decode()
    settings.MEETING_NOTES_KEYS = [new_key, old_key]

    call_command("rotate_meeting_notes_keys")
    settings.MEETING_NOTES_KEYS = [new_key]

    assert selectors.private_note_text(meeting=meeting, user=meeting.match.mentee) == SECRET


def test_a_note_no_key_opens_shows_a_warning_not_an_error(client, settings, meeting):
    services.private_note_save(meeting=meeting, author=meeting.match.mentee, text=SECRET)
    settings.MEETING_NOTES_KEYS = [Fernet.generate_key().decode()]
    client.force_login(meeting.match.mentee)

    response = client.get(reverse("meetings:detail", args=[meeting.pk]))

    assert response.status_code == 200
    assert response.context["note_unreadable"] is True


@pytest.mark.parametrize(
    ("production", "keys", "ok"),
    [
        (True, [], False),  # production never falls back to a key derived from SECRET_KEY
        (True, ["not-a-fernet-key"], False),
        (True, [Fernet.generate_key().decode()], True),
        (False, [], True),  # development derives its key from SECRET_KEY
        (False, ["not-a-fernet-key"], False),
    ],
)
def test_a_missing_or_broken_notes_key_fails_the_system_check(settings, production, keys, ok):
    settings.PRODUCTION = production
    settings.MEETING_NOTES_KEYS = keys

    errors = meeting_notes_keys_check()

    assert (errors == []) is ok
    assert all(error.id == "meetings.E001" for error in errors)


def test_a_post_without_the_text_field_never_deletes_the_note(client, meeting):
    """Issue 13 §5: only an explicit empty submission by the author deletes her note."""
    services.private_note_save(meeting=meeting, author=meeting.match.mentor, text=SECRET)
    client.force_login(meeting.match.mentor)

    response = client.post(reverse("meetings:detail", args=[meeting.pk]), {})

    assert response.status_code == 200
    assert "er is niets veranderd" in response.content.decode()
    assert selectors.private_note_text(meeting=meeting, user=meeting.match.mentor) == SECRET


def test_key_rotation_never_reverts_a_note_saved_while_it_runs(settings, meeting, monkeypatch):
    old_key = Fernet.generate_key().decode()
    settings.MEETING_NOTES_KEYS = [old_key]
    services.private_note_save(meeting=meeting, author=meeting.match.mentee, text="Oude tekst")
    new_key = Fernet.generate_key().decode()
    settings.MEETING_NOTES_KEYS = [new_key, old_key]
    rotate = crypto.rotate
    saved_meanwhile = []

    def rotate_while_she_saves(token):
        # Between the rotation's read and its write she saves a newer version (a web process).
        if not saved_meanwhile:
            services.private_note_save(meeting=meeting, author=meeting.match.mentee, text="Nieuwe tekst")
            saved_meanwhile.append(True)
        return rotate(token)

    monkeypatch.setattr(crypto, "rotate", rotate_while_she_saves)
    call_command("rotate_meeting_notes_keys")
    settings.MEETING_NOTES_KEYS = [new_key]

    assert saved_meanwhile
    assert selectors.private_note_text(meeting=meeting, user=meeting.match.mentee) == "Nieuwe tekst"
