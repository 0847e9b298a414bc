"""Issue 13 §2: "may see her contact details" has one home (matching.selectors.may_see_contact_details).

Her partner sees phone, e-mail and LinkedIn only while their pair is active (R8); never once the
year is completed or after an early end (R11, R13: e.g. after unwanted behaviour). The profile
page, the pair page and the e-mail all ask the same selector. Everyone outside the pair gets 404.
"""

import pytest
from django.urls import reverse

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from matching import renewal, selectors, services
from matching.models import Match
from matching.tests.factories import ActiveMatchFactory

pytestmark = pytest.mark.django_db

PHONE = "+31 6 11112222"
LINKEDIN = "https://www.linkedin.com/in/de-mentor"


@pytest.fixture
def pair():
    match = ActiveMatchFactory()
    profile = match.mentor.profile
    profile.phone, profile.linkedin_url = PHONE, LINKEDIN
    profile.save()
    return match


def _end_early(match):
    services.match_end_early(match=match, by=match.mentee, reason="Ongewenst gedrag", category="fit")


def _complete(match):
    Match.objects.filter(pk=match.pk).update(status=Match.Status.COMPLETED, ended_on=match.planned_end)


def _renew(match):
    """Both said yes and the coordinator started the new term: the old term is completed, the new one active."""
    for member in (match.mentor, match.mentee):
        match.renewal_answers.create(member=member, wants_to_continue=True)
    return renewal.match_renew(match=match, by=CoordinatorFactory())


def _what_she_sees(client, viewer, match) -> str:
    client.force_login(viewer)
    profile_page = client.get(reverse("matching:partner_profile", args=[match.mentor.profile.pk]))
    pair_page = client.get(reverse("matching:pair_detail", args=[match.pk]))
    assert (profile_page.status_code, pair_page.status_code) == (200, 200)
    return profile_page.content.decode() + pair_page.content.decode()


@pytest.mark.parametrize(
    "change, visible",
    [
        (None, True),  # active
        (_complete, False),  # the year is completed
        (_end_early, False),  # ended early, e.g. for unwanted behaviour
        (_renew, True),  # renewed: the old term is completed, but they are partners in the active new term
    ],
    ids=["active", "completed", "ended-early", "renewed"],
)
def test_contact_details_are_shown_only_while_the_pair_is_active(client, pair, change, visible):
    if change is not None:
        change(pair)
    pair.refresh_from_db()

    assert selectors.may_see_contact_details(viewer=pair.mentee, person=pair.mentor) is visible
    assert selectors.may_see_contact_details(viewer=pair.mentor, person=pair.mentee) is visible
    page = _what_she_sees(client, pair.mentee, pair)
    assert (PHONE in page, LINKEDIN in page, pair.mentor.email in page) == (visible, visible, visible)


def test_nobody_outside_the_pair_may_see_contact_details(pair):
    for outsider in (MemberFactory(), CoordinatorFactory(), ActiveMatchFactory().mentee):
        assert not selectors.may_see_contact_details(viewer=outsider, person=pair.mentor)
    assert not selectors.may_see_contact_details(viewer=pair.mentor, person=pair.mentor)


def test_a_proposed_pair_sees_no_contact_details_yet(pair):
    Match.objects.filter(pk=pair.pk).update(status=Match.Status.PROPOSED)

    assert not selectors.may_see_contact_details(viewer=pair.mentee, person=pair.mentor)


def test_the_contact_mail_built_after_an_early_end_holds_no_contact_details(pair):
    """The mail is built at sending time: if the pair ended before it went out, no details go out."""
    from notifications.emails.build import build_email
    from notifications.models import OutboxMessage

    message = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.MATCH_MENTEE, recipient=pair.mentee, subject_type="matching.match", subject_id=pair.pk
    )
    assert PHONE in build_email(message).body
    _end_early(pair)

    email = build_email(message)

    assert PHONE not in email.body and LINKEDIN not in email.body


# --- The partner's profile page: anonymous, outsider, coordinator, herself, her partner ---


def test_anonymous_visitors_are_sent_to_login(client, pair):
    response = client.get(reverse("matching:partner_profile", args=[pair.mentor.profile.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_another_member_and_a_coordinator_get_404(client, pair):
    url = reverse("matching:partner_profile", args=[pair.mentor.profile.pk])
    for outsider in (MemberFactory(), CoordinatorFactory(), ActiveMatchFactory().mentee):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    assert client.get(reverse("matching:partner_profile", args=[999999])).status_code == 404
    assert client.get("/programma/partner/99999999999999999999999999/").status_code == 404


def test_the_owner_is_sent_to_her_own_profile_page(client, pair):
    client.force_login(pair.mentor)

    response = client.get(reverse("matching:partner_profile", args=[pair.mentor.profile.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")


def test_after_an_early_end_she_still_sees_who_her_partner_was_but_not_how_to_reach_her(client, pair):
    _end_early(pair)
    client.force_login(pair.mentee)

    page = client.get(reverse("matching:partner_profile", args=[pair.mentor.profile.pk])).content.decode()

    assert pair.mentor.full_name in page
    assert PHONE not in page and pair.mentor.email not in page
    assert "alleen gedeeld zolang jullie mentorschap loopt" in page
