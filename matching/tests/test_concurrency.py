"""Two coordinators confirm at the same moment: row locks keep every hard rule (PostgreSQL only)."""

import os
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.utils import translation

from accounts.models import Profile
from accounts.services import profile_reject
from matching import services
from matching.models import Match
from matching.tests.factories import ApplicationFactory, MentorApplicationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI runs on PostgreSQL: row locks must be tested there.", pytrace=False)
        pytest.skip("Row locks (SELECT ... FOR UPDATE) need PostgreSQL: set DATABASE_URL to run this test.")


def _race(*confirmations):
    """Run each confirmation in its own thread and database connection, released together."""
    barrier = threading.Barrier(len(confirmations))
    outcomes = [None] * len(confirmations)

    def run(index, confirm):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                outcomes[index] = confirm()
        except ValidationError as error:
            outcomes[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(confirmations)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_confirmations_for_a_mentors_last_place_exactly_one_wins(coordinator):
    mentor_application = MentorApplicationFactory(capacity=1)
    first, second = ApplicationFactory.create_batch(2, cycle=mentor_application.cycle)

    outcomes = _race(
        lambda: services.match_confirm(
            before_window_closes=True, mentor_application=mentor_application, mentee_application=first, by=coordinator
        ),
        lambda: services.match_confirm(
            before_window_closes=True, mentor_application=mentor_application, mentee_application=second, by=coordinator
        ),
    )

    wins = [outcome for outcome in outcomes if isinstance(outcome, Match)]
    losses = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(wins) == 1 and len(losses) == 1, outcomes
    assert "no free place" in " ".join(losses[0].messages)
    assert Match.objects.filter(mentor_application=mentor_application).count() == 1


def test_two_mentors_for_the_same_mentee_at_once_exactly_one_wins(coordinator):
    mentee_application = ApplicationFactory()
    first, second = MentorApplicationFactory.create_batch(2, cycle=mentee_application.cycle)

    outcomes = _race(
        lambda: services.match_confirm(
            before_window_closes=True, mentor_application=first, mentee_application=mentee_application, by=coordinator
        ),
        lambda: services.match_confirm(
            before_window_closes=True, mentor_application=second, mentee_application=mentee_application, by=coordinator
        ),
    )

    assert sum(isinstance(outcome, Match) for outcome in outcomes) == 1, outcomes
    assert Match.objects.filter(mentee=mentee_application.member).count() == 1


def test_two_proposals_over_the_same_mentors_in_opposite_order_never_deadlock(coordinator):
    first_mentor, second_mentor = MentorApplicationFactory.create_batch(2, capacity=2)
    cycle = first_mentor.cycle
    second_mentor.cycle = cycle
    second_mentor.save()
    mentees = ApplicationFactory.create_batch(4, cycle=cycle)

    outcomes = _race(
        lambda: services.proposal_confirm(
            before_window_closes=True,
            cycle=cycle,
            pairs=[(first_mentor.pk, mentees[0].pk), (second_mentor.pk, mentees[1].pk)],
            by=coordinator,
        ),
        lambda: services.proposal_confirm(
            before_window_closes=True,
            cycle=cycle,
            pairs=[(second_mentor.pk, mentees[2].pk), (first_mentor.pk, mentees[3].pk)],
            by=coordinator,
        ),
    )

    assert all(isinstance(outcome, list) for outcome in outcomes), outcomes
    assert Match.objects.filter(cycle=cycle).count() == 4


def test_a_verification_withdrawn_while_a_pair_is_confirmed_wins_over_the_confirmation(coordinator):
    # R2 at confirmation time: the confirmation locks the profiles, so it waits for the coordinator's
    # rejection (still uncommitted when it starts) and then reads it, instead of the old "verified".
    mentor_application = MentorApplicationFactory(capacity=1)
    mentee_application = ApplicationFactory(cycle=mentor_application.cycle)
    rejected = threading.Event()

    def reject_slowly():
        with transaction.atomic():
            profile = Profile.objects.get(user=mentor_application.member)
            profile_reject(profile=profile, by=coordinator, reason="Geen lid meer volgens de ledenlijst.")
            rejected.set()
            # Keep the rejection uncommitted while the confirmation runs into the locked profile.
            threading.Event().wait(0.5)
        return profile

    def confirm_after_the_rejection_started():
        rejected.wait(timeout=10)
        return services.match_confirm(
            before_window_closes=True,
            mentor_application=mentor_application,
            mentee_application=mentee_application,
            by=coordinator,
        )

    outcomes = _race(reject_slowly, confirm_after_the_rejection_started)

    assert isinstance(outcomes[1], ValidationError), outcomes
    assert "could not be verified" in " ".join(outcomes[1].messages)
    assert not Match.objects.exists()
