"""A member's text never pushes the pair page sideways, however long a word (issue 15 §7)."""

import pytest

from matching.tests.factories import ActiveMatchFactory, ApplicationFactory
from matching.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_word_as_long_as_the_mentoring_question_may_be_stays_within_the_page(live_server, page):
    match = ActiveMatchFactory()
    # 1,998 characters without a space: the longest word the 2,000-character limit lets through.
    application = ApplicationFactory(cycle=match.cycle, member=match.mentee, mentoring_question="belasting" * 222)
    match.mentee_application = application
    match.save()
    log_in(page, live_server, match.mentor.email)

    page.goto(f"{live_server.url}/programma/mentorschap/{match.pk}/")

    assert page.get_by_text("belastingbelasting").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
