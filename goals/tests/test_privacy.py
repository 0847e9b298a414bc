"""Issue 26 §3: goal texts and notes are the pair's own: encrypted, in each partner's export, never in the admin."""

import json

import pytest
from cryptography.fernet import Fernet
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import data_rights
from accounts.tests.factories import UserFactory
from goals import services
from goals.models import Goal, GoalEvent
from goals.selectors import pair_goals
from matching.models import Match

from .factories import GoalFactory

pytestmark = pytest.mark.django_db

MARKER = "GEHEIM-MARKER-c0ffee"


@pytest.fixture
def goal(pair):
    goal = GoalFactory(match=pair, text=f"{MARKER} doel", next_step=f"{MARKER} stap")
    services.goals_progress_record(match=pair, by=pair.mentor, notes={goal.pk: f"{MARKER} voortgang"})
    return goal


@pytest.mark.parametrize("who", ["mentee", "mentor"])
def test_each_partner_finds_the_goals_decrypted_in_her_export(goal, who):
    person = getattr(goal.match, who)

    document = json.dumps(data_rights.export_document(person), ensure_ascii=False)

    assert f"{MARKER} doel" in document
    assert f"{MARKER} stap" in document
    assert f"{MARKER} voortgang" in document
    assert "gAAAA" not in document  # no ciphertext


def test_another_member_and_the_former_mentor_after_an_early_end_export_no_goal(goal, other_member):
    Match.objects.filter(pk=goal.match_id).update(status=Match.Status.ENDED_EARLY, ended_on=timezone.localdate())

    assert MARKER not in json.dumps(data_rights.export_document(other_member), ensure_ascii=False)
    assert MARKER not in json.dumps(data_rights.export_document(goal.match.mentor), ensure_ascii=False)
    assert MARKER in json.dumps(data_rights.export_document(goal.match.mentee), ensure_ascii=False)


def test_the_admin_registers_nothing_of_the_goals():
    assert Goal not in admin.site._registry
    assert GoalEvent not in admin.site._registry


def test_no_admin_page_shows_a_goal_text(client, goal):
    """Every admin list and the pair's change view, as a superuser: no goal text, no note."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        pages.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    pages.append(reverse("admin:matching_match_change", args=[goal.match_id]))

    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 302), page
        assert MARKER not in response.content.decode(), page


def test_erasing_the_mentee_erases_the_goals_of_her_pairs(goal):
    data_rights.member_erase(member=goal.match.mentee)

    assert not Goal.objects.exists()
    assert not GoalEvent.objects.exists()


def test_erasing_the_mentor_keeps_the_mentees_goals(goal):
    mentor = goal.match.mentor

    data_rights.member_erase(member=mentor)

    goal.refresh_from_db()
    assert goal.created_by == goal.match.mentee
    assert GoalEvent.objects.filter(kind=GoalEvent.Kind.PROGRESS, actor__isnull=True).count() == 1


def test_one_rotation_re_encrypts_meeting_notes_and_goals(settings, pair):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MEETING_NOTES_KEYS = [old_key]
    goal = services.goal_add(match=pair, by=pair.mentee, text="Nieuw doel", next_step="Stap")
    services.goals_progress_record(match=pair, by=pair.mentor, notes={goal.pk: "Voortgang"})
    settings.MEETING_NOTES_KEYS = [new_key, old_key]

    call_command("rotate_meeting_notes_keys", verbosity=0)
    settings.MEETING_NOTES_KEYS = [new_key]

    (view,) = pair_goals(match=pair)
    assert (view.text, view.next_step) == ("Nieuw doel", "Stap")
    assert [line.note for line in view.history if line.note] == ["Voortgang"]
