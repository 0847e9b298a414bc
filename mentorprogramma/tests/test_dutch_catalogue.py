"""Issue 28 §5: the Dutch right everywhere, kept so by scanning the compiled catalogue and the pages.

The slips listed here were each seen on a page or in a mail: allauth's formal "u"/"alstublieft" on the
second-step pages, English left in the admin ("Error: evaluatieronde toevoegen"), "1 vrije plaatsen",
"partner" for the other half of a pair (tax advisers read a firm's partner), "Beëindigd op" for a term
that simply ran its course, and abbreviated dates beside full ones.
"""

import datetime
import re
from pathlib import Path

import allauth
import polib
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from accounts.services import profile_verify
from accounts.tests.factories import CoordinatorFactory, MemberFactory, ProfileFactory
from matching import services as matching_services
from matching.models import Match
from matching.tests.factories import ActiveMatchFactory, CycleFactory

BASE = Path(settings.BASE_DIR)
COMPILED_NL = BASE / "locale" / "nl" / "LC_MESSAGES" / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")

# Words a careful Dutch reader stumbles over in this programme (matched on whole words, placeholders removed).
SLIPS = {
    "formal you": re.compile(r"\b(u|uw|U|Uw)\b(?!-)"),
    "alstublieft / a.u.b.": re.compile(r"alstublieft|a\.u\.b\.", re.I),
    "'Voer … in' instead of 'Vul … in'": re.compile(r"\bVoer\b"),
    "'authenticator app' without a hyphen": re.compile(r"authenticator app", re.I),
    "'authenticatiecode' instead of 'verificatiecode'": re.compile(r"authenticatiecode", re.I),
    "'partner' for the other half of the pair": re.compile(r"\bpartner", re.I),
}


def _texts(entry) -> list[str]:
    return [PLACEHOLDER.sub("", text) for text in [entry.msgstr, *entry.msgstr_plural.values()] if text]


def test_the_compiled_dutch_catalogue_is_free_of_the_listed_slips():
    found = [
        f"{name}: {entry.msgid[:70]!r} → {text[:90]!r}"
        for entry in polib.mofile(str(COMPILED_NL))
        if entry.msgid
        for text in _texts(entry)
        for name, slip in SLIPS.items()
        if slip.search(text)
    ]

    assert found == []


def _allauth_second_step_msgids() -> list[str]:
    catalogue = polib.pofile(str(Path(allauth.__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    return [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and not entry.msgid_plural and any("mfa" in path for path, _line in entry.occurrences)
    ]


def test_allauths_second_step_pages_speak_the_programmes_dutch():
    msgids = _allauth_second_step_msgids()
    assert len(msgids) > 50  # the scan really reads allauth's pages

    with translation.override("nl"):
        shown = {msgid: gettext(msgid) for msgid in msgids}
    slips = {
        msgid: text
        for msgid, text in shown.items()
        for slip in SLIPS.values()
        if slip.search(PLACEHOLDER.sub("", text))
    }

    assert slips == {}
    assert shown["Authenticator code"] == "Verificatiecode"
    assert (
        "authenticator-app"
        in shown["Your account is protected by two-factor authentication. Please enter an authenticator code:"]
    )


def test_the_admin_says_error_and_its_screen_reader_headers_in_dutch():
    with translation.override("nl"):
        assert gettext("Error:") == "Fout:"
        assert [gettext(text) for text in ("Model name", "Add link", "Change or view list link")] == [
            "Lijst",
            "Toevoegen",
            "Wijzigen of bekijken",
        ]


@pytest.mark.django_db
def test_an_admin_form_with_errors_is_titled_in_dutch(client):
    client.force_login(CoordinatorFactory())

    page = client.post(reverse("admin:evaluations_evaluationround_add"), {}).content.decode()

    assert "<title>Fout: " in page and "Error:" not in page


def test_counts_of_one_are_singular_in_dutch():
    with translation.override("nl"):
        closed = ngettext(
            "Matching for %(cycle)s is closed. %(count)s member without a pair receives an e-mail.",
            "Matching for %(cycle)s is closed. %(count)s members without a pair receive an e-mail.",
            1,
        ) % {"cycle": "2027", "count": 1}
        places = ngettext(
            "%(with_places)s with %(places)s free place in total.",
            "%(with_places)s with %(places)s free places in total.",
            1,
        ) % {"with_places": 1, "places": 1}

    assert "1 lid zonder mentorschap krijgt een e-mail" in closed
    assert "1 vrije plaats." in places


TEMPLATE_DIRS = [BASE / "templates", *BASE.glob("*/templates")]
# "F Y" is a month without a day (a goal's target month, "juni 2027"), written the same way.
ALLOWED_DATE_FORMATS = {"j F Y", "l j F Y", "j F Y, H:i", "l j F Y, H:i", "H:i", "F Y"}


def test_every_page_writes_dates_one_way():
    """Day, month in full, year ("21 januari 2027"); never "21 jan." beside it (the cockpit's year plan did)."""
    formats = {
        (path.relative_to(BASE).as_posix(), fmt)
        for folder in TEMPLATE_DIRS
        for path in folder.rglob("*.html")
        for fmt in re.findall(r"\|date:\"([^\"]*)\"", path.read_text())
    }

    assert {(path, fmt) for path, fmt in formats if fmt not in ALLOWED_DATE_FORMATS} == set()


@pytest.mark.django_db
def test_a_completed_term_is_completed_on_not_ended_on(client):
    start = timezone.localdate() - datetime.timedelta(days=400)
    term = ActiveMatchFactory(
        start_date=start,
        planned_end=start + datetime.timedelta(days=365),
        status=Match.Status.COMPLETED,
        ended_on=start + datetime.timedelta(days=365),
    )
    client.force_login(term.mentee)

    page = client.get(reverse("matching:pair_detail", kwargs={"pk": term.pk})).content.decode()

    assert "Afgerond op" in page and "Beëindigd op" not in page


@pytest.mark.django_db
def test_the_menu_item_and_the_page_title_agree(client):
    CycleFactory()  # applications are open, and she has no pair: the menu offers "Aanmelden"
    client.force_login(MemberFactory())

    page = client.get(reverse("matching:overview")).content.decode()

    assert 'href="/programma/">Aanmelden</a>' in page
    assert "<title>Aanmelden ·" in page and "<h1>Aanmelden</h1>" in page


@pytest.mark.django_db
def test_the_verification_mail_says_applications_are_open_while_a_cycle_is_open(django_capture_on_commit_callbacks):
    CycleFactory(name="2031")
    profile = ProfileFactory()

    with django_capture_on_commit_callbacks(execute=True):
        profile_verify(profile=profile, by=CoordinatorFactory())

    (verified,) = [email for email in mail.outbox if email.to == [profile.user.email]]
    assert "Aanmelden voor 2031 kan tot en met" in verified.body
    assert "zodra" not in verified.body


@pytest.mark.django_db
def test_a_pair_ended_for_a_re_match_does_not_thank_the_mentee_as_if_she_leaves(django_capture_on_commit_callbacks):
    pair = ActiveMatchFactory()

    with django_capture_on_commit_callbacks(execute=True):
        matching_services.match_end_early(match=pair, by=CoordinatorFactory(), reason="Past niet", category="fit")

    (to_mentee,) = [email for email in mail.outbox if email.to == [pair.mentee.email]]
    (to_mentor,) = [email for email in mail.outbox if email.to == [pair.mentor.email]]
    assert "Dank je wel" not in to_mentee.body and "nieuwe mentor" in to_mentee.body
    assert "Dank je wel voor de tijd en aandacht die je in dit mentorschap" in to_mentor.body
