import pytest
from django.core.management import call_command

from matching.models import Cycle, Match

pytestmark = pytest.mark.django_db


def test_demo_has_an_open_cycle_and_the_demo_pair_and_loads_twice_without_duplicates():
    call_command("load_demo_data")
    call_command("load_demo_data")

    match = Match.objects.get(status=Match.Status.ACTIVE)
    assert (match.mentor.email, match.mentee.email) == ("marieke@example.org", "lotte@example.org")
    assert Match.objects.count() == 1
    assert Cycle.objects.filter(status=Cycle.Status.OPEN).count() == 1
    assert match.agreement.mission


def test_the_demo_mentee_sees_her_mentor_on_her_pair_page(client):
    call_command("load_demo_data")
    match = Match.objects.get()
    client.force_login(match.mentee)

    page = client.get(f"/programma/mentorschap/{match.pk}/").content.decode()

    assert "marieke@example.org" in page
