"""One decision of who may see what (issue 21 §1): every surface asks `core.disclosure`.

Per private field, walk every surface as the other partner: the pair page, *Mijn gegevens* and its
ZIP (JSON and readable page), the e-mail she gets. The reason and the note must appear nowhere.
"""

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import data_rights
from accounts.tests.factories import CoordinatorFactory
from core import disclosure
from matching import services as matching_services
from matching.models import FitCheck
from matching.tests.factories import ActiveMatchFactory
from meetings import services as meeting_services
from meetings.tests.factories import HeldMeetingFactory
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

EVA_REASON = "Privé-reden van Eva: ik ga verhuizen naar Singapore."
COORDINATOR_REASON = "Coördinator: de mentee antwoordde bij de klikcheck 'niet'."
FIT_NOTE = "Klikcheck-notitie alleen voor coördinatoren."
NOTE = "Eva's eigen aantekening, niet voor de mentor."


def surfaces(client, viewer, match) -> str:
    """Everything the viewer can read about the pair: pair page, Mijn gegevens, the ZIP and her mail."""
    client.force_login(viewer)
    seen = [client.get(reverse("matching:pair_detail", args=[match.pk])).content.decode()]
    seen.append(client.get(reverse("my_data:overview")).content.decode())
    archive = zipfile.ZipFile(io.BytesIO(data_rights.export_zip(viewer)))
    seen.extend(archive.read(name).decode() for name in archive.namelist())
    from notifications.emails.build import build_email

    for message in OutboxMessage.objects.filter(recipient=viewer):
        email = build_email(message)
        seen.append(email.subject + email.body + "".join(str(part[0]) for part in email.alternatives))
    return "\n".join(seen)


def test_a_reason_she_did_not_share_reaches_her_partner_on_no_surface(client, django_capture_on_commit_callbacks):
    match = ActiveMatchFactory()
    eva, mentor = match.mentee, match.mentor
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.match_end_early(match=match, by=eva, reason=EVA_REASON, category="other", reason_shared=False)

    assert EVA_REASON not in surfaces(client, mentor, match)
    assert EVA_REASON in surfaces(client, eva, match)  # her own words stay hers
    match.refresh_from_db()
    assert disclosure.may_see(CoordinatorFactory(), match, "end_reason")


def test_a_reason_she_shared_reaches_her_partner(client, django_capture_on_commit_callbacks):
    match = ActiveMatchFactory()
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.match_end_early(
            match=match, by=match.mentee, reason=EVA_REASON, category="other", reason_shared=True
        )

    assert EVA_REASON in surfaces(client, match.mentor, match)


def test_the_coordinators_end_reason_reaches_neither_partner(client, django_capture_on_commit_callbacks):
    match = ActiveMatchFactory()
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.match_end_early(
            match=match, by=CoordinatorFactory(), reason=COORDINATOR_REASON, category="fit"
        )

    for partner in (match.mentor, match.mentee):
        assert COORDINATOR_REASON not in surfaces(client, partner, match)


def test_fit_check_answers_are_for_coordinators_only(client):
    match = ActiveMatchFactory()
    check = FitCheck.objects.create(
        match=match, member=match.mentee, answer=FitCheck.Answer.NO, note=FIT_NOTE, answered_at=timezone.now()
    )

    assert FIT_NOTE not in surfaces(client, match.mentor, match)
    assert not disclosure.may_see(match.mentor, check, "note")
    assert not disclosure.may_see(match.mentor, check, "answer")
    assert disclosure.may_see(match.mentee, check, "note")  # her own answer, in her own export
    assert disclosure.may_see(CoordinatorFactory(), check, "answer")


def test_private_notes_are_only_the_authors(client):
    meeting = HeldMeetingFactory()
    match = meeting.match
    note = meeting_services.private_note_save(meeting=meeting, author=match.mentee, text=NOTE)

    assert NOTE not in surfaces(client, match.mentor, match)
    assert not disclosure.may_see(match.mentor, note, "ciphertext")
    assert not disclosure.may_see(CoordinatorFactory(), note, "ciphertext")
    assert disclosure.may_see(match.mentee, note, "ciphertext")


def test_every_private_field_has_one_rule():
    assert {
        "matching.match.end_reason",
        "matching.fitcheck.answer",
        "matching.fitcheck.note",
        "meetings.privatenote.ciphertext",
        "accounts.memberlistentry.email",
    } <= set(disclosure.private_fields())


def test_the_admin_asks_the_same_rule(client, monkeypatch, django_capture_on_commit_callbacks):
    match = ActiveMatchFactory()
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.match_end_early(match=match, by=match.mentee, reason=EVA_REASON, category="other")
    client.force_login(CoordinatorFactory())
    page = reverse("admin:matching_match_change", args=[match.pk])

    assert EVA_REASON in client.get(page).content.decode()  # coordinators may read a reason
    # A rule that says no is obeyed by the admin too, without the admin knowing the rule.
    entry = disclosure._rules["matching.match.end_reason"]
    monkeypatch.setitem(
        disclosure._rules, "matching.match.end_reason", disclosure.PrivateField(entry.label, lambda *_: False, "")
    )
    assert EVA_REASON not in client.get(page).content.decode()
