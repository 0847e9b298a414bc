"""Participants' pages: her personal link, the form, the thank-you, and the dashboard panel."""

import datetime

import pytest
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from evaluations.models import Question, Receipt, Response, Role, SealedBallot
from evaluations.tests.factories import EvaluationRoundFactory, answers_for, invitation_for_new_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(evaluation_round):
    return invitation_for_new_pair(evaluation_round, Role.MENTEE)


# --- Access matrix ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client, invitation):
    response = client.get(invitation.get_absolute_url())

    assert response.status_code == 302
    assert response.url.startswith("/account/login/")


def test_another_member_gets_a_friendly_page_that_says_nothing_about_whose_link_it_is(client, invitation):
    client.force_login(MemberFactory())

    response = client.get(invitation.get_absolute_url())

    assert response.status_code == 404
    content = response.content.decode()
    assert "Deze evaluatielink kun je niet gebruiken" in content
    assert invitation.user.full_name not in content
    assert invitation.round.name not in content


def test_a_coordinator_cannot_open_a_members_link(client, invitation):
    client.force_login(CoordinatorFactory())

    assert client.get(invitation.get_absolute_url()).status_code == 404


def test_an_unknown_token_gets_the_same_friendly_page(client, invitation):
    client.force_login(invitation.user)

    response = client.get("/evaluaties/dit-bestaat-niet/")

    assert response.status_code == 404
    assert "Deze evaluatielink kun je niet gebruiken" in response.content.decode()


def test_the_invited_member_sees_her_form_and_what_is_stored(client, invitation):
    client.force_login(invitation.user)

    response = client.get(invitation.get_absolute_url())

    assert response.status_code == 200
    content = response.content.decode()
    assert invitation.round.name in content
    assert "Wat we opslaan, en wie wat kan zien" in content
    for question in invitation.round.questions.all():
        assert question.text in content


def test_the_form_is_in_english_when_she_chose_english(client, invitation):
    client.force_login(invitation.user)
    client.post("/taal/", {"language": "en", "next": "/"})

    content = client.get(invitation.get_absolute_url()).content.decode()

    assert "What we store, and who can see what" in content
    assert "How well did you click with your mentor or mentee?" in content


# --- Submitting ---------------------------------------------------------------------------------------


def test_submitting_stores_the_answers_anonymously_and_thanks_her(client, invitation):
    client.force_login(invitation.user)

    response = client.post(invitation.get_absolute_url(), answers_for(invitation.round), follow=True)

    assert response.redirect_chain[-1][0] == "/evaluaties/bedankt/"
    assert "Bedankt voor je evaluatie" in response.content.decode()
    assert Receipt.objects.filter(invitation=invitation).exists()
    assert SealedBallot.objects.filter(round=invitation.round).count() == 1
    assert not Response.objects.exists()  # published only after the round closes


def test_a_submitted_form_cannot_be_reopened_or_sent_again(client, invitation):
    client.force_login(invitation.user)
    client.post(invitation.get_absolute_url(), answers_for(invitation.round))

    again = client.get(invitation.get_absolute_url())
    resent = client.post(invitation.get_absolute_url(), answers_for(invitation.round, scale=1))

    assert "Je hebt deze evaluatie al ingestuurd" in again.content.decode()
    assert '<form method="post" novalidate>' not in again.content.decode()
    assert "Je hebt deze evaluatie al ingestuurd" in resent.content.decode()
    assert SealedBallot.objects.count() == 1


def test_a_missing_required_answer_keeps_everything_she_answered(client, invitation):
    client.force_login(invitation.user)
    answers = answers_for(invitation.round, text="Mijn netwerk is echt gegroeid")
    required = invitation.round.questions.filter(required=True, kind=Question.Kind.SCALE).first()
    del answers[f"q_{required.pk}"]

    response = client.post(invitation.get_absolute_url(), answers)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Mijn netwerk is echt gegroeid" in content
    assert "Beantwoord deze vraag alsjeblieft." in content or "Dit veld is verplicht." in content
    # The site's one error summary opens the form, with this form's own first line and a link to the question.
    assert content.count("error-summary") == 1
    assert "Sommige antwoorden ontbreken" in content and f'href="#div_id_q_{required.pk}"' in content
    assert not Receipt.objects.exists()
    assert not SealedBallot.objects.exists()


def test_a_hand_made_scale_value_outside_1_to_5_is_refused(client, invitation):
    client.force_login(invitation.user)
    answers = answers_for(invitation.round)
    scale = invitation.round.questions.filter(kind=Question.Kind.SCALE).first()
    answers[f"q_{scale.pk}"] = "9"

    response = client.post(invitation.get_absolute_url(), answers)

    assert response.status_code == 200
    assert response.context["form"].errors[f"q_{scale.pk}"]
    assert not SealedBallot.objects.exists()


def test_a_closed_round_says_so_and_accepts_nothing(client, invitation):
    evaluation_round = invitation.round
    evaluation_round.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    evaluation_round.opens_on = evaluation_round.closes_on - datetime.timedelta(days=14)
    evaluation_round.save()
    client.force_login(invitation.user)

    response = client.post(invitation.get_absolute_url(), answers_for(evaluation_round))

    assert "Deze evaluatie is niet open" in response.content.decode()
    assert not SealedBallot.objects.exists()


def test_the_thank_you_page_needs_a_login(client):
    assert client.get("/evaluaties/bedankt/").status_code == 302


# --- Dashboard ----------------------------------------------------------------------------------------


def test_the_dashboard_lists_her_open_evaluations_until_she_submits(client, invitation):
    client.force_login(invitation.user)

    before = client.get("/overzicht/").content.decode()
    client.post(invitation.get_absolute_url(), answers_for(invitation.round))
    after = client.get("/overzicht/").content.decode()

    assert "Openstaande evaluaties" in before
    assert invitation.get_absolute_url() in before
    assert "Openstaande evaluaties" not in after


def test_the_dashboard_of_someone_without_invitations_has_no_evaluation_panel(client, invitation):
    client.force_login(MemberFactory())

    content = client.get("/overzicht/").content.decode()

    assert "Openstaande evaluaties" not in content
    assert invitation.token not in content


def test_answers_are_kept_out_of_error_reports(client, invitation):
    client.force_login(invitation.user)

    response = client.post(invitation.get_absolute_url(), answers_for(invitation.round))

    # Django's error reporter replaces every POST value with stars for this request.
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"


def test_the_confidentiality_page_says_when_answers_are_sealed_and_published(client):
    content = client.get("/vertrouwelijkheid/").content.decode()

    assert "Evaluaties: wat we wanneer opslaan" in content
    assert "verzegeld" in content
    assert "nachtelijke taak" in content
    assert "Wat buiten het bereik van de applicatie blijft" in content


def test_her_form_tells_her_that_answers_are_sealed_until_the_round_is_published(client, invitation):
    client.force_login(invitation.user)

    content = client.get(invitation.get_absolute_url()).content.decode()

    assert "worden je antwoorden verzegeld" in content
    assert "De verzegelde exemplaren worden daarna verwijderd" in content


def test_a_second_tab_that_submits_first_wins_and_this_one_says_already_submitted(client, invitation, monkeypatch):
    # The other tab submits between this tab's check and its own submission: the service refuses,
    # and the view shows the same friendly page as for a reopened link, keeping one ballot.
    from evaluations import selectors, services

    client.force_login(invitation.user)
    services.response_submit(invitation=invitation, user=invitation.user, answers=answers_for(invitation.round))
    answers_seen = iter([False, True])
    monkeypatch.setattr(selectors, "invitation_is_submitted", lambda _invitation: next(answers_seen))

    response = client.post(invitation.get_absolute_url(), answers_for(invitation.round, scale=1))

    assert response.status_code == 200
    assert "Je hebt deze evaluatie al ingestuurd" in response.content.decode()
    assert SealedBallot.objects.count() == 1


def test_her_open_evaluations_are_listed_soonest_closing_first_then_by_name_and_role():
    """Sorted in Python since issue 24: the order the database gave (closing day, round name, role)."""
    from evaluations.models import Invitation
    from evaluations.selectors import open_invitations_for_user

    member = MemberFactory()
    today = timezone.localdate()
    later = EvaluationRoundFactory(name="A later one", closes_on=today + datetime.timedelta(days=20))
    second = EvaluationRoundFactory(name="Eindevaluatie", closes_on=today + datetime.timedelta(days=5))
    first = EvaluationRoundFactory(name="Begin", closes_on=today + datetime.timedelta(days=5))
    closed = EvaluationRoundFactory(name="Over", closes_on=today - datetime.timedelta(days=1))
    for evaluation_round, role in [(later, "mentee"), (second, "mentor"), (first, "mentor"), (first, "mentee")]:
        Invitation.objects.create(round=evaluation_round, user=member, role=role, token=f"t{evaluation_round.pk}{role}")
    Invitation.objects.create(round=closed, user=member, role="mentee", token="closed")

    listed = [(i.round.name, i.role) for i in open_invitations_for_user(member)]

    assert listed == [("Begin", "mentee"), ("Begin", "mentor"), ("Eindevaluatie", "mentor"), ("A later one", "mentee")]
