"""Coordinators see the outbox read-only and can send failed messages again."""

import pytest
from django.urls import reverse

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from matching.tests.factories import ActiveMatchFactory
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_outboxmessage_changelist")
SECRET_QUESTION = "Ik twijfel of ik bij mijn kantoor wil blijven (vertrouwelijk)"


@pytest.fixture
def coordinator(client):
    user = CoordinatorFactory()
    client.force_login(user)
    return user


@pytest.fixture
def failed():
    match = ActiveMatchFactory()
    return OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.MATCH_MENTEE,
        recipient=match.mentee,
        subject_type="matching.match",
        subject_id=match.pk,
        status=OutboxMessage.Status.FAILED,
        attempts=5,
        last_error="SMTPRecipientsRefused: mailbox full",
    )


def test_a_coordinator_sees_recipient_kind_status_attempts_and_error(client, coordinator, failed):
    response = client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert failed.recipient.full_name in html
    assert "Contactgegevens van haar mentor (mentee)".lower() in html.lower()
    assert "mislukt" in html
    assert "mailbox full" in html


def test_the_outbox_is_read_only(client, coordinator, failed):
    assert client.get(reverse("admin:notifications_outboxmessage_add")).status_code == 403
    detail = client.get(reverse("admin:notifications_outboxmessage_change", args=[failed.pk]))
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert client.post(reverse("admin:notifications_outboxmessage_delete", args=[failed.pk])).status_code == 403
    assert OutboxMessage.objects.filter(pk=failed.pk).exists()


def test_no_message_body_is_shown_in_the_admin(client, coordinator, failed, django_capture_on_commit_callbacks):
    detail = client.get(reverse("admin:notifications_outboxmessage_change", args=[failed.pk]))

    # The outbox stores no body at all, so nothing confidential can be read here.
    assert not {f.name for f in OutboxMessage._meta.fields} & {"body", "html", "content", "text"}
    assert SECRET_QUESTION not in detail.content.decode()


def test_resend_sends_a_failed_message_again(client, coordinator, failed, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {"action": "resend_failed", "_selected_action": [failed.pk]}, follow=True)

    assert "1 bericht wordt opnieuw verstuurd." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == OutboxMessage.Status.SENT
    assert [email.to for email in sent] == [[failed.recipient.email]]


def test_resend_skips_messages_that_did_not_fail(client, coordinator, failed, sent, django_capture_on_commit_callbacks):
    failed.status = OutboxMessage.Status.SENT
    failed.sent_at = failed.created_at
    failed.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {"action": "resend_failed", "_selected_action": [failed.pk]}, follow=True)

    assert "alleen mislukte berichten" in response.content.decode()
    assert sent == []


def test_members_cannot_open_the_outbox(client, failed):
    client.force_login(MemberFactory())
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_staff_without_the_coordinator_role_cannot_see_the_outbox(client, failed):
    client.force_login(MemberFactory(is_staff=True))
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_a_failed_account_mail_keeps_its_link_and_the_resend_refuses_only_an_expired_one(
    client, coordinator, failed, settings, django_capture_on_commit_callbacks
):
    import datetime
    import smtplib

    from django.core import mail
    from django.utils import timezone

    from notifications import delivery
    from notifications.outbox import account_message_record
    from notifications.tests.backends import FlakyBackend

    def reset_mail(link):
        return account_message_record(
            template="account/email/password_reset_key",
            to_email="vergeten@example.org",
            context={"password_reset_url": link, "language": "nl"},
        )

    fresh, old = reset_mail("https://example.org/reset/vers/"), reset_mail("https://example.org/reset/oud/")
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=4))
    already_sent = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.MATCH_MENTOR,
        recipient=failed.recipient,
        subject_type=failed.subject_type,
        subject_id=failed.subject_id,
        status=OutboxMessage.Status.SENT,
        sent_at=timezone.now(),
    )
    # The mail server refuses both for good.
    settings.EMAIL_BACKEND = "notifications.tests.backends.FlakyBackend"
    FlakyBackend.errors = [smtplib.SMTPDataError(554, b"5.7.1 Rejected"), smtplib.SMTPDataError(554, b"5.7.1 Rejected")]
    delivery.outbox_deliver_due()
    for message in (fresh, old):
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.FAILED
        assert message.sealed_context, "a failed account mail keeps its sealed link until it is sent or expires"

    # The coordinator looks at the failed ones (a filtered list) and sends the selection again.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{CHANGELIST}?status__exact={OutboxMessage.Status.FAILED.value}",
            {"action": "resend_failed", "_selected_action": [fresh.pk, old.pk, failed.pk, already_sent.pk]},
            follow=True,
        )

    page = response.content.decode()
    assert "2 berichten worden opnieuw verstuurd." in page
    assert "overgeslagen" not in page  # the sent one is not in the filtered list; none skipped, never a negative
    assert "1 accountbericht is niet opnieuw verstuurd: de link erin is verlopen." in page
    assert "Vraag haar een nieuwe link aan te vragen." in page
    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert statuses[fresh.pk] == statuses[failed.pk] == OutboxMessage.Status.SENT
    assert statuses[old.pk] == OutboxMessage.Status.FAILED
    assert any("https://example.org/reset/vers/" in email.body for email in mail.outbox)
    assert not any("https://example.org/reset/oud/" in email.body for email in mail.outbox)
