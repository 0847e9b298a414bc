"""For any app's tests: the e-mails as a member receives them.

Mail is recorded in the outbox with the change and sent after the commit; a test's
transaction never commits, so this runs the delivery job (as the every-minute job would)
and returns what Django's test backend received.
"""

from django.core import mail


def delivered() -> list:
    from notifications.delivery import outbox_deliver_due

    outbox_deliver_due()
    return mail.outbox
