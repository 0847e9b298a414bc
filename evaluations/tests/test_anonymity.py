"""R14: who answered is kept apart from what was answered, down to the schema."""

import logging
import uuid

import pytest
from django.contrib import admin
from django.core import mail
from django.db import models

from evaluations import services
from evaluations.models import Receipt, Response, Role
from evaluations.tests.factories import answers_for, invitation_for_new_pair

pytestmark = pytest.mark.django_db


def test_response_has_only_round_role_and_answers_and_nothing_that_identifies_a_person():
    fields = {field.name: field for field in Response._meta.get_fields()}

    # Explicitly: no user, invitation, token, IP, user agent or timestamp.
    assert set(fields) == {"id", "round", "role", "answers"}
    assert isinstance(fields["id"], models.UUIDField)
    assert fields["id"].primary_key
    relations = {name for name, field in fields.items() if field.is_relation}
    assert relations == {"round"}
    assert fields["round"].related_model._meta.label == "evaluations.EvaluationRound"
    assert not any(isinstance(field, models.DateField | models.DateTimeField) for field in fields.values())


def test_receipt_records_only_that_she_submitted():
    fields = {field.name for field in Receipt._meta.get_fields()}

    assert fields == {"id", "invitation"}


def test_response_keys_are_random_uuids_so_their_order_reveals_nothing(evaluation_round):
    for _n in range(3):
        invitation = invitation_for_new_pair(evaluation_round)
        services.response_submit(invitation=invitation, user=invitation.user, answers=answers_for(evaluation_round))

    ids = list(Response.objects.values_list("id", flat=True))
    assert len(ids) == 3
    assert all(isinstance(pk, uuid.UUID) and pk.version == 4 for pk in ids)


def test_submitting_writes_receipt_and_response_without_linking_them(evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round)

    services.response_submit(invitation=invitation, user=invitation.user, answers=answers_for(evaluation_round))

    assert Receipt.objects.filter(invitation=invitation).exists()
    response = Response.objects.get()
    assert response.round == evaluation_round
    assert response.role == Role.MENTEE
    stored = str(response.answers)
    assert invitation.token not in stored
    assert invitation.user.email not in stored


def test_answers_appear_in_no_log_and_no_email(evaluation_round, caplog):
    invitation = invitation_for_new_pair(evaluation_round)
    secret = "Mijn mentor kwam nooit opdagen"

    with caplog.at_level(logging.DEBUG):
        services.response_submit(
            invitation=invitation, user=invitation.user, answers=answers_for(evaluation_round, text=secret)
        )

    assert secret not in caplog.text
    assert mail.outbox == []
    assert secret not in str(Response.objects.get())


def test_responses_and_answers_are_not_in_the_admin():
    registered = {model._meta.model_name for model in admin.site._registry}

    assert "response" not in registered
    assert "receipt" not in registered
