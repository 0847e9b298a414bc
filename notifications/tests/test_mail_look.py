"""Issue 28 §2: e-mails that look like the site, with headers every client reads right.

HTML in the programme's colours and a readable sans-serif, styled inline; the text part as before; the
role named in the subject when she is mentor in one pair and mentee in another; a folded subject that
starts on its own line and decodes without a leading space; Date in local time; Content-Language.
"""

import datetime
import re
from email import message_from_bytes, policy

import pytest
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from matching import services as matching_services
from matching.tests.factories import ActiveMatchFactory
from meetings import services as meeting_services

pytestmark = pytest.mark.django_db

ACCENT = "#7a1f5c"


def _send(django_capture_on_commit_callbacks, action):
    with django_capture_on_commit_callbacks(execute=True):
        action()


def _html(email) -> str:
    (html,) = [content for content, mime in email.alternatives if mime == "text/html"]
    return html


def _plan(pair, by, days=5):
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    return meeting_services.meeting_plan(match=pair, by=by, starts_at=starts, duration_minutes=60)


def test_the_html_part_wears_the_programmes_colours_inline_and_the_text_part_stays_plain(
    mailoutbox, django_capture_on_commit_callbacks
):
    pair = ActiveMatchFactory(start_date=timezone.localdate() - datetime.timedelta(days=30))
    _send(django_capture_on_commit_callbacks, lambda: _plan(pair, pair.mentee))

    (email,) = mailoutbox
    html = _html(email)
    assert "<style" not in html and "stylesheet" not in html  # mail clients drop both
    assert ACCENT in html and "sans-serif" in html and "font-size:16px" in html
    # Every paragraph and table cell carries its own style.
    assert re.findall(r"<p(?![^>]*style=)[ >]", html) == []
    assert re.findall(r"<td(?![^>]*style=)[ >]", html) == []
    # The main action is a button in the accent colour.
    assert re.search(rf'<a href="[^"]+/afspraken/\d+/" style="[^"]*background-color:{ACCENT}', html)
    # The text part: the same words, no markup.
    assert "<" not in email.body and "style" not in email.body
    assert "heeft een afspraak met je gepland" in email.body and "Met vriendelijke groet" in email.body


def test_headers_date_with_the_local_offset_and_the_language(mailoutbox, django_capture_on_commit_callbacks):
    pair = ActiveMatchFactory(
        mentor=MemberFactory(language="en"), start_date=timezone.localdate() - datetime.timedelta(days=30)
    )
    _send(django_capture_on_commit_callbacks, lambda: _plan(pair, pair.mentee))
    _send(django_capture_on_commit_callbacks, lambda: _plan(pair, pair.mentor, days=6))

    to_mentor, to_mentee = (
        message_from_bytes(email.message().as_bytes(), policy=policy.default) for email in mailoutbox
    )
    offset = timezone.localtime().strftime("%z")
    assert to_mentor["Date"].endswith(offset) and offset != "-0000"
    assert (to_mentor["Content-Language"], to_mentee["Content-Language"]) == ("en", "nl")


def test_a_long_subject_is_folded_without_a_leading_space(mailoutbox, django_capture_on_commit_callbacks):
    pair = ActiveMatchFactory(
        mentor=MemberFactory(full_name="Geertruida Cornelia Bastiaansen-van der Heijden-Oosterbeek"),
        mentee=MemberFactory(full_name="Anne-Marie Ümit"),
    )
    _send(
        django_capture_on_commit_callbacks,
        lambda: matching_services.match_end_early(
            match=pair, by=CoordinatorFactory(), reason="Past niet", category="fit"
        ),
    )

    email = [email for email in mailoutbox if email.to == [pair.mentee.email]][0]
    raw = email.message().as_bytes().decode()
    (first_line,) = [line for line in raw.splitlines() if line.startswith("Subject:")]
    assert first_line.strip() != "Subject:"  # the subject starts on its own line, not on the next
    decoded = str(message_from_bytes(raw.encode(), policy=policy.default)["Subject"])
    assert decoded == email.subject and not decoded.startswith(" ")
    assert "beëindigd" in decoded and "Bastiaansen-van der Heijden-Oosterbeek" in decoded


def test_the_subject_names_her_role_when_she_has_two(mailoutbox, django_capture_on_commit_callbacks):
    both = MemberFactory(full_name="Petra Dubbel")
    as_mentor = ActiveMatchFactory(mentor=both, start_date=timezone.localdate() - datetime.timedelta(days=30))
    as_mentee = ActiveMatchFactory(mentee=both, start_date=timezone.localdate() - datetime.timedelta(days=30))
    single = ActiveMatchFactory(start_date=timezone.localdate() - datetime.timedelta(days=30))

    _send(django_capture_on_commit_callbacks, lambda: _plan(as_mentor, as_mentor.mentee))
    _send(django_capture_on_commit_callbacks, lambda: _plan(as_mentee, as_mentee.mentor))
    _send(django_capture_on_commit_callbacks, lambda: _plan(single, single.mentee))

    subjects = [email.subject for email in mailoutbox]
    assert subjects[0].endswith("(als mentor)")
    assert subjects[1].endswith("(als mentee)")
    assert "(als " not in subjects[2]  # one role: nothing to tell apart
