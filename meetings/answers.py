"""Issue 26 §4: "Is jullie afspraak doorgegaan?", the signed one-click answers in the e-mail.

A link names the meeting, the member it was sent to and her answer, signed with SECRET_KEY
(django.core.signing, a salt of its own) and valid MEETING_ANSWER_LINK_DAYS days. It only opens a
confirmation page: nothing changes without her session, and only her POST changes anything.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import models
from django.utils.translation import gettext_lazy as _

SALT = "meetings.answer.v1"


class MeetingAnswer(models.TextChoices):
    HELD = "held", _("Yes, it took place")
    MOVED = "moved", _("It was moved")
    NOT_HELD = "not_held", _("No, it did not take place")


@dataclass(frozen=True)
class AnswerLink:
    meeting_id: int
    user_id: int
    answer: MeetingAnswer


class AnswerLinkExpired(Exception):
    """The signature is right but older than MEETING_ANSWER_LINK_DAYS."""


class AnswerLinkInvalid(Exception):
    """Tampered with, signed for something else, or not a link of ours at all."""


def answer_token(*, meeting_id: int, user_id: int, answer: str) -> str:
    return signing.dumps({"m": meeting_id, "u": user_id, "a": str(answer)}, salt=SALT)


def answer_read(token: str) -> AnswerLink:
    max_age = datetime.timedelta(days=settings.MEETING_ANSWER_LINK_DAYS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise AnswerLinkExpired from error
    except signing.BadSignature as error:
        raise AnswerLinkInvalid from error
    try:
        return AnswerLink(meeting_id=int(data["m"]), user_id=int(data["u"]), answer=MeetingAnswer(data["a"]))
    except (KeyError, TypeError, ValueError) as error:
        raise AnswerLinkInvalid from error
