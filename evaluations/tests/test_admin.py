"""Coordinators define rounds and read only aggregated results (R14)."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import CoordinatorFactory, MemberFactory, reauthenticate
from evaluations.models import EvaluationRound, Question, Role
from evaluations.tests.factories import EvaluationRoundFactory, add_responses, invitation_for_new_pair, publish
from matching.tests.factories import ActiveMatchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client):
    client.force_login(CoordinatorFactory())
    return client


def results_url(evaluation_round):
    return reverse("admin:evaluations_evaluationround_results", args=[evaluation_round.pk])


def after_close(evaluation_round):
    return time_machine.travel(
        datetime.datetime.combine(evaluation_round.closes_on + datetime.timedelta(days=1), datetime.time(12)),
        tick=False,
    )


def test_a_coordinator_can_define_a_round_with_questions(coordinator_client, evaluation_round):
    cycle = evaluation_round.cycle
    form = {
        "cycle": cycle.pk,
        "name": "Afsluitende evaluatie",
        "kind": EvaluationRound.Kind.FINAL,
        "audience": EvaluationRound.Audience.MENTEES,
        "opens_on": "2027-06-01",
        "closes_on": "2027-06-30",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-0-order": "1",
        "questions-0-kind": Question.Kind.SCALE,
        "questions-0-asked_of": "both",
        "questions-0-required": "on",
        "questions-0-text": "Hoe tevreden ben je?",
        "questions-0-text_en": "How satisfied are you?",
        "questions-0-scale_low": "niet",
        "questions-0-scale_high": "zeer",
    }

    response = coordinator_client.post(reverse("admin:evaluations_evaluationround_add"), form)

    assert response.status_code == 302, response.context["adminform"].errors if response.context else ""
    created = EvaluationRound.objects.get(name="Afsluitende evaluatie")
    assert created.questions.get().text_en == "How satisfied are you?"


def test_a_round_cannot_close_before_it_opens(coordinator_client, evaluation_round):
    response = coordinator_client.post(
        reverse("admin:evaluations_evaluationround_add"),
        {
            "cycle": evaluation_round.cycle.pk,
            "name": "Verkeerd om",
            "kind": "interim",
            "audience": "both",
            "opens_on": "2027-06-30",
            "closes_on": "2027-06-01",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert not EvaluationRound.objects.filter(name="Verkeerd om").exists()


def test_the_admin_actions_add_default_questions_and_invite_participants(coordinator_client):
    evaluation_round = EvaluationRoundFactory()
    ActiveMatchFactory(cycle=evaluation_round.cycle)
    changelist = reverse("admin:evaluations_evaluationround_changelist")

    coordinator_client.post(changelist, {"action": "add_default_questions", "_selected_action": [evaluation_round.pk]})
    coordinator_client.post(changelist, {"action": "create_invitations", "_selected_action": [evaluation_round.pk]})

    assert evaluation_round.questions.count() >= 6
    assert evaluation_round.invitations.count() == 2


def test_a_coordinator_cannot_read_individual_responses_in_the_admin(coordinator_client, evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 1, text="Heel persoonlijk antwoord")

    index = coordinator_client.get(reverse("admin:index")).content.decode()
    response_list = coordinator_client.get("/admin/evaluations/response/")
    round_page = coordinator_client.get(reverse("admin:evaluations_evaluationround_change", args=[evaluation_round.pk]))

    assert "/admin/evaluations/response/" not in index
    assert response_list.status_code == 404
    assert "Heel persoonlijk antwoord" not in round_page.content.decode()


def test_the_invitation_list_shows_who_submitted_but_never_the_token(coordinator_client, evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round)

    listing = coordinator_client.get(reverse("admin:evaluations_invitation_changelist")).content.decode()
    detail = coordinator_client.get(
        reverse("admin:evaluations_invitation_change", args=[invitation.pk])
    ).content.decode()

    assert invitation.user.full_name in listing
    assert invitation.token not in listing
    assert invitation.token not in detail


def test_questions_are_locked_once_answers_came_in(coordinator_client, evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 1)

    page = coordinator_client.get(reverse("admin:evaluations_evaluationround_change", args=[evaluation_round.pk]))

    assert 'name="questions-0-text"' not in page.content.decode()


def test_results_page_is_for_coordinators_only(client, evaluation_round):
    assert client.get(results_url(evaluation_round)).status_code == 302  # to the admin login
    client.force_login(MemberFactory())
    assert client.get(results_url(evaluation_round)).status_code == 302
    client.force_login(CoordinatorFactory())
    assert client.get(results_url(evaluation_round)).status_code == 200
    assert client.get("/admin/evaluations/evaluationround/999999/resultaten/").status_code == 404


def test_while_the_round_is_open_only_the_response_rate_is_shown(coordinator_client, evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 6)

    content = coordinator_client.get(results_url(evaluation_round)).content.decode()

    assert "Responspercentage" in content
    assert "De resultaten verschijnen nadat de ronde sluit" in content
    assert "Gemiddelde" not in content


def test_after_the_round_closes_a_large_enough_group_is_shown_and_a_small_one_is_not(client, evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 5, scale=4)
    add_responses(evaluation_round, Role.MENTOR, 4, scale=2)
    publish(evaluation_round)

    with after_close(evaluation_round):
        coordinator_client = client
        coordinator = CoordinatorFactory()
        coordinator_client.force_login(coordinator)
        reauthenticate(coordinator_client, coordinator)  # the CSV export asks for her password again
        content = coordinator_client.get(results_url(evaluation_round)).content.decode()
        csv_response = coordinator_client.get(
            reverse("admin:evaluations_evaluationround_results_csv", args=[evaluation_round.pk])
        )

    assert "Gemiddelde: 4,0" in content
    assert "Gemiddelde: 2,0" not in content
    assert content.count("verborgen") >= 2  # the mentors, and therefore the total
    assert csv_response["Content-Type"].startswith("text/csv")
    csv_text = csv_response.content.decode("utf-8-sig")
    assert ";gemiddelde;4.0" in csv_text
    assert ";gemiddelde;2.0" not in csv_text


def test_a_closed_round_cannot_be_reopened_to_let_late_answers_in(client, evaluation_round):
    # Results are shown only after the close; reopening and closing again would let a coordinator
    # compare the results before and after and read the late answers. So the dates are fixed once closed.
    change_url = reverse("admin:evaluations_evaluationround_change", args=[evaluation_round.pk])
    closes_on = evaluation_round.closes_on
    with after_close(evaluation_round):
        client.force_login(CoordinatorFactory())
        page = client.get(change_url)
        form = page.context["adminform"].form
        data = {name: form[name].value() for name in ("cycle", "name", "kind", "audience")}
        data.update(
            {
                "opens_on": evaluation_round.opens_on.isoformat(),
                "closes_on": (closes_on + datetime.timedelta(days=30)).isoformat(),
                "questions-TOTAL_FORMS": "0",
                "questions-INITIAL_FORMS": "0",
            }
        )
        response = client.post(change_url, data)

    assert response.status_code == 200
    assert "Deze ronde is gesloten" in response.content.decode()
    evaluation_round.refresh_from_db()
    assert evaluation_round.closes_on == closes_on


def round_form(client, evaluation_round, **changes):
    """The round's change form as the admin renders it, with its inline questions, plus changes."""
    page = client.get(reverse("admin:evaluations_evaluationround_change", args=[evaluation_round.pk]))
    data = {}
    for form in [
        page.context["adminform"].form,
        *(f for fs in page.context["inline_admin_formsets"] for f in fs.formset),
    ]:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            data[key] = value.isoformat() if hasattr(value, "isoformat") else value
    management = page.context["inline_admin_formsets"][0].formset.management_form
    data.update({management.add_prefix(name): management[name].value() for name in management.fields})
    data.update(changes)
    return data


def test_an_open_round_can_still_be_extended(coordinator_client, evaluation_round):
    change_url = reverse("admin:evaluations_evaluationround_change", args=[evaluation_round.pk])
    later = evaluation_round.closes_on + datetime.timedelta(days=7)

    response = coordinator_client.post(change_url, round_form(coordinator_client, evaluation_round, closes_on=later))

    assert response.status_code == 302
    evaluation_round.refresh_from_db()
    assert evaluation_round.closes_on == later


def test_a_closed_round_awaiting_publication_says_results_follow_the_nightly_publication(client, evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 6, scale=4)

    with after_close(evaluation_round):
        client.force_login(CoordinatorFactory())
        before = client.get(results_url(evaluation_round)).content.decode()
        publish(evaluation_round)
        after = client.get(results_url(evaluation_round)).content.decode()

    assert "na de nachtelijke publicatie" in before
    assert "6 ingestuurde formulieren zijn nog verzegeld" in before
    assert "Gemiddelde" not in before
    assert "Gemiddelde: 4,0" in after
    assert "nachtelijke publicatie" not in after


def test_questions_cannot_be_changed_once_answers_came_in_even_by_posting(coordinator_client, evaluation_round):
    data = round_form(coordinator_client, evaluation_round)
    add_responses(evaluation_round, Role.MENTEE, 1)
    question = evaluation_round.questions.order_by("order", "pk").first()
    data["questions-0-text"] = "Een andere vraag"

    coordinator_client.post(reverse("admin:evaluations_evaluationround_change", args=[evaluation_round.pk]), data)

    question.refresh_from_db()
    assert question.text != "Een andere vraag"


def test_the_round_page_asks_once_whether_answers_came_in(coordinator_client, evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 1)
    change_url = reverse("admin:evaluations_evaluationround_change", args=[evaluation_round.pk])

    with CaptureQueriesContext(connection) as queries:
        page = coordinator_client.get(change_url)

    assert page.status_code == 200
    asked = [query["sql"] for query in queries.captured_queries if "evaluations_sealedballot" in query["sql"]]
    assert len(asked) == 1, asked


def test_open_answers_on_the_results_page_are_escaped_and_keep_their_lines(client, evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 8, text="<script>alert(1)</script>\nTweede regel & meer")
    publish(evaluation_round)

    with after_close(evaluation_round):
        client.force_login(CoordinatorFactory())
        content = client.get(results_url(evaluation_round)).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt;<br>Tweede regel &amp; meer</li>" in content
