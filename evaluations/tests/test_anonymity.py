"""R14: who answered is kept apart from what was answered, down to the schema."""

import logging
import uuid

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.contrib import admin
from django.core import mail
from django.core.cache import cache
from django.db import connection, models
from scipy.stats import kendalltau

from evaluations import services
from evaluations.models import Receipt, Response, Role, SealedBallot
from evaluations.tests.factories import answers_for, invitation_for_new_pair, publish

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


def test_a_sealed_ballot_has_only_its_round_in_clear():
    fields = {field.name: field for field in SealedBallot._meta.get_fields()}

    assert set(fields) == {"id", "round", "sealed"}
    assert isinstance(fields["id"], models.UUIDField)
    assert not any(isinstance(field, models.DateField | models.DateTimeField) for field in fields.values())


def test_response_keys_are_random_uuids_so_their_order_reveals_nothing(evaluation_round):
    for _n in range(3):
        invitation = invitation_for_new_pair(evaluation_round)
        services.response_submit(invitation=invitation, user=invitation.user, answers=answers_for(evaluation_round))
    publish(evaluation_round)

    ids = list(Response.objects.values_list("id", flat=True))
    assert len(ids) == 3
    assert all(isinstance(pk, uuid.UUID) and pk.version == 4 for pk in ids)


def test_submitting_writes_a_receipt_and_a_sealed_ballot_and_no_response(evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round)
    secret = "Mijn mentor kwam nooit opdagen"

    services.response_submit(
        invitation=invitation, user=invitation.user, answers=answers_for(evaluation_round, text=secret)
    )

    assert Receipt.objects.filter(invitation=invitation).exists()
    assert not Response.objects.exists()
    ballot = SealedBallot.objects.get()
    assert ballot.round == evaluation_round
    for clear in (secret, invitation.token, invitation.user.email, Role.MENTEE.value):
        assert clear not in ballot.sealed
    # A Fernet token carries its creation time in clear: ours say 0, so no submission time is stored.
    assert Fernet._get_unverified_token_data(ballot.sealed.encode())[0] == 0


def test_publishing_turns_her_ballot_into_an_anonymous_response(evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round)
    services.response_submit(invitation=invitation, user=invitation.user, answers=answers_for(evaluation_round))

    publish(evaluation_round)

    response = Response.objects.get()
    assert response.round == evaluation_round
    assert response.role == Role.MENTEE
    stored = str(response.answers)
    assert invitation.token not in stored
    assert invitation.user.email not in stored
    assert not SealedBallot.objects.exists()


def _all_rows():
    """Every row of every table of the project's apps, as plain values."""
    return {
        model._meta.label: sorted(map(str, model._default_manager.values_list()))
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "matching", "meetings", "evaluations", "notifications"}
    }


def cache_keys() -> set:
    """Every key in the cache, whether it is Redis (CI) or local memory (laptop)."""
    backend = cache._cache
    if isinstance(backend, dict):
        return set(backend)
    return set(backend.get_client(None, write=False).keys("*"))


def test_submitting_writes_nothing_else_that_could_carry_the_link(client, evaluation_round, caplog):
    invitation = invitation_for_new_pair(evaluation_round)
    client.force_login(invitation.user)
    client.get(invitation.get_absolute_url())
    before = _all_rows()
    cache_before = cache_keys()

    with caplog.at_level(logging.DEBUG):
        response = client.post(invitation.get_absolute_url(), answers_for(evaluation_round, text="Een geheim"))

    assert response.status_code == 302
    after = _all_rows()
    changed = {label for label in before if before[label] != after[label]}
    # Only that she submitted, and the sealed ballot. No outbox row, no changed invitation (no updated_at).
    assert changed == {"evaluations.Receipt", "evaluations.SealedBallot"}
    assert [record.getMessage() for record in caplog.records] == []
    assert cache_keys() == cache_before
    assert mail.outbox == []


def test_answers_appear_in_no_log_and_no_email_when_published(evaluation_round, caplog):
    invitation = invitation_for_new_pair(evaluation_round)
    secret = "Mijn mentor kwam nooit opdagen"

    with caplog.at_level(logging.DEBUG):
        services.response_submit(
            invitation=invitation, user=invitation.user, answers=answers_for(evaluation_round, text=secret)
        )
        publish(evaluation_round)

    assert secret not in caplog.text
    assert mail.outbox == []
    assert secret not in str(Response.objects.get())


def test_responses_and_answers_are_not_in_the_admin():
    registered = {model._meta.model_name for model in admin.site._registry}

    assert "response" not in registered
    assert "receipt" not in registered
    assert "sealedballot" not in registered


def test_publication_shuffles_the_ballots_on_every_database(evaluation_round):
    """The published responses lie in the table in no order that mirrors who submitted when (R14).

    On any database (test_sealing checks PostgreSQL's physical row order too): the insertion order,
    read back by SQLite's rowid or PostgreSQL's ctid, is compared with the order of submission.
    """
    participants = 30
    markers = []
    for n in range(participants):
        invitation = invitation_for_new_pair(evaluation_round)
        planted = f"antwoord-{n:02d}-{uuid.uuid4().hex}"
        services.response_submit(
            invitation=invitation, user=invitation.user, answers=answers_for(evaluation_round, text=planted)
        )
        markers.append(planted)

    assert publish(evaluation_round) == participants

    position = {"sqlite": "rowid", "postgresql": "ctid"}[connection.vendor]
    table = connection.ops.quote_name(Response._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT answers FROM {table} ORDER BY {position}")  # noqa: S608 - names from the model
        stored = [str(answers) for (answers,) in cursor.fetchall()]
    published_order = [next(rank for rank, planted in enumerate(markers) if planted in text) for text in stored]
    assert sorted(published_order) == list(range(participants))
    assert published_order != list(range(participants))
    tau, _p = kendalltau(range(participants), published_order)
    # A real shuffle of 30 items has tau with standard deviation ~0.13: |tau| >= 0.6 is a 1-in-100,000 event.
    assert abs(tau) < 0.6
