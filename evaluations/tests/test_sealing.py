"""R14 down to the database: whoever holds the database or a backup cannot tell whose answers are whose.

Answers are sealed (encrypted) on submission and published after the round closes, as one
shuffled batch in a transaction of its own. These tests read the database the way such a
reader would: every text column while the round is open, and the rows' transaction ids
(xmin/xmax) and physical order (ctid) after publication. PostgreSQL only: those are its
system columns, and CI runs on it.
"""

import datetime
import io
import logging
import random
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import close_old_connections, connection
from scipy.stats import kendalltau

from conftest import skip_or_fail
from evaluations import services
from evaluations.models import Receipt, Response, Role, SealedBallot
from evaluations.tests.factories import EvaluationRoundFactory, add_responses, answers_for, invitation_for_new_pair

pytestmark = pytest.mark.django_db(transaction=True)

PARTICIPANTS = 30
WEEK = datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":  # CI runs on PostgreSQL, so there this fails instead of skipping
        skip_or_fail("xmin, xmax and ctid are PostgreSQL's: set DATABASE_URL to run this test.")


def marker(n: int) -> str:
    return f"geheim-antwoord-{n:02d}-{random.randrange(10**9):09d}"


def submit_through_the_view(client, evaluation_round, count=PARTICIPANTS):
    """`count` participants, each answering with her own planted marker, submitting in random order.

    Returns the markers in the order the receipts were written.
    """
    invitations = [
        invitation_for_new_pair(evaluation_round, Role.MENTEE if n % 2 else Role.MENTOR) for n in range(count)
    ]
    random.shuffle(invitations)
    submitted = []
    for n, invitation in enumerate(invitations):
        planted = marker(n)
        client.force_login(invitation.user)
        response = client.post(
            invitation.get_absolute_url(), answers_for(evaluation_round, invitation.role, text=planted)
        )
        assert response.status_code == 302, response.content.decode()[:500]
        submitted.append((invitation, planted))
    by_receipt = {receipt.invitation_id: receipt.pk for receipt in Receipt.objects.all()}
    submitted.sort(key=lambda item: by_receipt[item[0].pk])
    return [planted for _invitation, planted in submitted]


def text_columns():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'bytea', 'character')
            """
        )
        return cursor.fetchall()


def rows_containing(needle: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE position(%s in "{column}"::text) > 0',  # noqa: S608
                [needle],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def after_close(evaluation_round):
    return evaluation_round.closes_on + datetime.timedelta(days=1)


def publish(evaluation_round):
    return services.rounds_publish_closed(day=after_close(evaluation_round))


def xids(sql: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {str(value) for (value,) in cursor.fetchall() if value is not None and str(value) != "0"}


def test_while_the_round_is_open_no_answer_is_anywhere_in_the_database(client, evaluation_round):
    markers = submit_through_the_view(client, evaluation_round)

    assert Response.objects.count() == 0  # nothing published while the round is open
    assert SealedBallot.objects.filter(round=evaluation_round).count() == PARTICIPANTS
    for planted in markers:
        assert rows_containing(planted) == [], planted


def test_after_publication_the_linkage_sql_pairs_nobody(client, evaluation_round):
    markers = submit_through_the_view(client, evaluation_round)

    report = publish(evaluation_round)

    assert report.published == {str(evaluation_round): PARTICIPANTS}
    with connection.cursor() as cursor:
        # The query that paired 7 of 7 respondents with their answers before answers were sealed.
        cursor.execute("SELECT count(*) FROM evaluations_receipt rc JOIN evaluations_response r ON r.xmin = rc.xmin")
        assert cursor.fetchone()[0] == 0
    response_xids = xids("SELECT xmin::text FROM evaluations_response")
    assert len(response_xids) == 1  # one publication transaction for the whole round
    person_xids = (
        xids("SELECT xmin::text FROM evaluations_receipt")
        | xids("SELECT xmax::text FROM evaluations_receipt")
        | xids("SELECT xmin::text FROM evaluations_invitation")
        | xids("SELECT xmax::text FROM evaluations_invitation")
    )
    assert response_xids.isdisjoint(person_xids)
    assert len(markers) == PARTICIPANTS


def test_published_rows_are_in_no_order_that_mirrors_the_receipts(client, evaluation_round):
    markers = submit_through_the_view(client, evaluation_round)
    publish(evaluation_round)

    with connection.cursor() as cursor:
        cursor.execute("SELECT answers::text FROM evaluations_response ORDER BY ctid")
        physical = [text for (text,) in cursor.fetchall()]
    published_order = [next(m for m in markers if m in text) for text in physical]
    receipt_rank = {planted: rank for rank, planted in enumerate(markers)}

    assert published_order != markers
    tau, _p = kendalltau(range(PARTICIPANTS), [receipt_rank[m] for m in published_order])
    # A real shuffle of 30 items has tau with standard deviation ~0.13: |tau| >= 0.6 is a 1-in-100,000 event.
    assert abs(tau) < 0.6


def test_published_answers_equal_the_submitted_ones_as_a_multiset(client, evaluation_round):
    markers = submit_through_the_view(client, evaluation_round)

    publish(evaluation_round)

    open_question_keys = {str(q.pk) for q in evaluation_round.questions.filter(kind="open")}
    published = sorted(
        value
        for response in Response.objects.all()
        for key, value in response.answers.items()
        if key in open_question_keys
    )
    assert published == sorted(planted for planted in markers for _question in open_question_keys)
    assert SealedBallot.objects.count() == 0


def sealed_ballot_file() -> bytes:
    """The sealed-ballot table's data files as they are on disk (superuser reads them via PostgreSQL itself).

    The table's own file and its TOAST relation's, where ballots (padded beyond 2 kB) keep their ciphertext.
    """
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")  # flush shared buffers, so the file holds what a backup would copy
        cursor.execute(
            """
            SELECT pg_read_binary_file(pg_relation_filepath(oid)) FROM pg_class
            WHERE oid = 'evaluations_sealedballot'::regclass
               OR oid = (SELECT reltoastrelid FROM pg_class WHERE oid = 'evaluations_sealedballot'::regclass)
            """
        )
        return b"".join(bytes(content) for (content,) in cursor.fetchall())


def test_the_sealed_ballots_leave_the_data_files(client, evaluation_round):
    # A round that is still open keeps its ballots in the same table, on the same pages.
    still_open = EvaluationRoundFactory(cycle=evaluation_round.cycle, closes_on=evaluation_round.closes_on + WEEK)
    services.round_add_default_questions(round=still_open)
    add_responses(still_open, Role.MENTEE, 2)
    waiting = [text[-60:].encode() for text in SealedBallot.objects.values_list("sealed", flat=True)]
    submit_through_the_view(client, evaluation_round, count=6)
    ballots = SealedBallot.objects.filter(round=evaluation_round).values_list("sealed", flat=True)
    published = [text[-60:].encode() for text in ballots]
    assert all(ciphertext in sealed_ballot_file() for ciphertext in published + waiting)  # the check can see them

    report = publish(evaluation_round)

    assert report.vacuumed
    assert report.files_clean
    on_disk = sealed_ballot_file()
    assert not any(ciphertext in on_disk for ciphertext in published)
    assert all(ciphertext in on_disk for ciphertext in waiting)


def test_a_snapshot_held_elsewhere_is_reported_and_the_next_run_finishes_the_job(client, evaluation_round, caplog):
    """Finding 21.6: with another transaction's snapshot open (a nightly pg_dump is enough), VACUUM cannot
    remove the deleted ballots. Publication said they left the data files; now it says they did not."""
    submit_through_the_view(client, evaluation_round, count=6)
    ballots = SealedBallot.objects.filter(round=evaluation_round).values_list("sealed", flat=True)
    published = [text[-60:].encode() for text in ballots]
    other = connection.get_new_connection(connection.get_connection_params())
    other.set_session(isolation_level="REPEATABLE READ")
    with other.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM evaluations_sealedballot")  # takes the snapshot, as pg_dump would
    out, err = io.StringIO(), io.StringIO()
    with connection.cursor() as cursor:
        # The other transaction also holds a lock on the table, as pg_dump does: a VACUUM FULL would wait
        # for it (before the fix: for as long as the dump ran). Fail instead of hanging.
        cursor.execute("SET lock_timeout = '20s'")
    try:
        with time_machine.travel(after_close(evaluation_round), tick=False), caplog.at_level(logging.WARNING):
            call_command("publish_closed_rounds", stdout=out, stderr=err)
        assert Response.objects.count() == 6
        assert any(ciphertext in sealed_ballot_file() for ciphertext in published)  # really still there
        assert "left the data files" not in out.getvalue()
        assert "no deleted ballot is left" not in out.getvalue()
        assert "6 deleted sealed ballot(s) are still in the table's data files" in err.getvalue()
        assert "next nightly run" in err.getvalue()
        assert "6 deleted sealed ballot(s) are still in the data files" in caplog.text
    finally:
        other.rollback()
        other.close()

    with time_machine.travel(after_close(evaluation_round), tick=False):
        report = services.rounds_publish_closed()  # the next nightly run

    assert report.published == {}
    assert report.files_clean
    assert report.ballots_held == 0
    assert not any(ciphertext in sealed_ballot_file() for ciphertext in published)


def test_two_tabs_submitting_at_once_leave_one_ballot(evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round)
    answers = answers_for(evaluation_round)
    barrier = threading.Barrier(4)
    outcomes = []

    def submit():
        try:
            barrier.wait(timeout=10)
            services.response_submit(invitation=invitation, user=invitation.user, answers=answers)
            outcomes.append("ok")
        except Exception as error:  # noqa: BLE001 - the refusal is what we count
            outcomes.append(type(error).__name__)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=submit) for _n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ValidationError"] * 3 + ["ok"]
    assert SealedBallot.objects.count() == 1
    assert Receipt.objects.count() == 1


def test_publication_waits_for_the_round_to_close(client, evaluation_round):
    submit_through_the_view(client, evaluation_round, count=3)

    report = services.rounds_publish_closed(day=evaluation_round.closes_on)

    assert report.published == {}
    assert Response.objects.count() == 0
    with time_machine.travel(after_close(evaluation_round), tick=False):
        assert services.rounds_publish_closed().published == {str(evaluation_round): 3}
