"""Issue 26 §5: the participation certificate, its content read back from the PDF, its public check, who gets it."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from accounts.tests.factories import MemberFactory
from matching.models import Cycle
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory
from meetings import services
from meetings.models import Meeting, ParticipationCertificate
from meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

SECRET = "GEHEIM-26b"


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def pair(settings):
    settings.SITE_URL = "https://mentor.example.org"
    settings.PROGRAMME_CONTACT_EMAIL = "vrouwennetwerk@nob.net"
    start = datetime.date(2026, 2, 1)
    cycle = Cycle.objects.create(
        name="Cyclus 2026",
        applications_open=datetime.date(2025, 11, 1),
        applications_close=datetime.date(2026, 1, 1),
        planned_start=start,
        status=Cycle.Status.RUNNING,
    )
    mentee = MemberFactory(full_name="Zoë Wiśniewska-Çelik")
    mentor = MemberFactory(full_name="Marieke Partnernaam")
    match = ActiveMatchFactory(
        cycle=cycle, mentee=mentee, mentor=mentor, start_date=start, planned_end=datetime.date(2027, 2, 1)
    )
    application = ApplicationFactory(cycle=cycle, member=mentee, mentoring_question=f"Mentorvraag {SECRET}")
    match.mentee_application = application
    match.save()
    if hasattr(match, "agreement"):
        match.agreement.mission = f"Missie {SECRET}"
        match.agreement.save()
    first = MeetingFactory(
        match=match,
        starts_at=at(datetime.date(2026, 2, 10)),
        duration_minutes=60,
        status=Meeting.Status.HELD,
        topics=["mission"],
    )
    MeetingFactory(
        match=match, starts_at=at(datetime.date(2026, 3, 17), 14), duration_minutes=90, status=Meeting.Status.HELD
    )
    MeetingFactory(match=match, starts_at=at(datetime.date(2026, 4, 1)), status=Meeting.Status.CANCELLED)
    services.private_note_save(meeting=first, author=mentee, text=f"Notitie {SECRET}")
    return match


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def download(client, user, match):
    client.force_login(user)
    return client.get(reverse("meetings:certificate", args=[match.pk]))


def test_the_certificate_holds_exactly_what_is_listed(client, pair):
    response = download(client, pair.mentee, pair)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    certificate = ParticipationCertificate.objects.get()
    words = pdf_text(response.content).split()
    code = certificate.code_display
    expected = f"""
        Mentorprogramma NOB Vrouwennetwerk
        Deelnamebewijs mentorprogramma
        Hierbij verklaren wij dat
        Zoë Wiśniewska-Çelik
        als mentee heeft deelgenomen aan het mentorprogramma van het NOB Vrouwennetwerk.
        Rol mentee
        Cyclus Cyclus 2026
        Periode 1 februari 2026 – 1 februari 2027
        Gehouden afspraken
        Datum Duur
        10 februari 2026 1 uur
        17 maart 2026 1 uur 30 min
        Totaal: 2 afspraken, 2,5 uur
        Uitgegeven op {date_format(timezone.localdate(), "j F Y")} door het Mentorprogramma NOB Vrouwennetwerk,
        vrouwennetwerk@nob.net.
        Verificatiecode: {code}
        Controleer de echtheid van dit bewijs op https://mentor.example.org/deelnamebewijs/{code}/
    """
    assert words == expected.split()
    # Nothing of the partner, the mentorvraag, the agreement or any note (R11).
    assert SECRET not in " ".join(words) and "Partnernaam" not in " ".join(words)
    assert str(pair.mentee.pk) not in code


def test_the_code_is_random_and_stays_while_nothing_changes(client, pair):
    download(client, pair.mentee, pair)
    download(client, pair.mentee, pair)
    assert ParticipationCertificate.objects.count() == 1
    download(client, pair.mentor, pair)
    mentor_certificate = ParticipationCertificate.objects.get(member=pair.mentor)
    assert mentor_certificate.role == ParticipationCertificate.Role.MENTOR
    first = ParticipationCertificate.objects.get(member=pair.mentee)
    assert first.code != mentor_certificate.code and len(first.code) == 16
    # Another held meeting: a new certificate; the first one stays verifiable as it was.
    MeetingFactory(match=pair, starts_at=at(datetime.date(2026, 5, 5)), duration_minutes=45, status=Meeting.Status.HELD)
    download(client, pair.mentee, pair)
    assert ParticipationCertificate.objects.filter(member=pair.mentee).count() == 2
    assert client.get(reverse("certificate_verify", args=[first.code_display])).status_code == 200


def test_the_public_page_shows_name_role_cycle_and_hours_only(client, pair):
    download(client, pair.mentee, pair)
    certificate = ParticipationCertificate.objects.get()
    client.logout()
    for code in (certificate.code_display, certificate.code, certificate.code.lower()):
        page = client.get(reverse("certificate_verify", args=[code]))
        assert page.status_code == 200
        content = page.content.decode()
        assert "Zoë Wiśniewska-Çelik" in content and "mentee" in content and "Cyclus 2026" in content
        assert "2,5" in content
        for absent in ("Partnernaam", SECRET, "10 februari", "17 maart", "1 uur 30", "februari 2027"):
            assert absent not in content
    # A code typed in the form leads there too.
    response = client.get(reverse("certificate_check"), {"code": certificate.code_display})
    assert response.status_code == 302


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKLM-NPQR", "x", "0" * 200, "%00"])
def test_an_unknown_code_is_a_404(client, pair, code):
    download(client, pair.mentee, pair)
    client.logout()
    assert client.get(reverse("certificate_verify", args=[code])).status_code == 404


@pytest.mark.parametrize("who", ["other_member", "coordinator", "anonymous"])
def test_only_the_partners_themselves_download_it(client, pair, who):
    from accounts.tests.factories import CoordinatorFactory

    if who == "anonymous":
        response = client.get(reverse("meetings:certificate", args=[pair.pk]))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    else:
        someone = ActiveMatchFactory().mentee if who == "other_member" else CoordinatorFactory()
        assert download(client, someone, pair).status_code == 404
    assert ParticipationCertificate.objects.count() == 0


def test_her_certificate_is_always_her_own(client, pair):
    """The mentor downloading gets her own name and role, never the mentee's."""
    text = " ".join(pdf_text(download(client, pair.mentor, pair).content).split())
    assert "Marieke Partnernaam" in text and "als mentor heeft deelgenomen" in text
    assert "Wiśniewska" not in text


def test_no_certificate_without_a_held_meeting(client, db):
    match = ActiveMatchFactory()
    response = download(client, match.mentee, match)
    assert response.status_code == 302
    assert ParticipationCertificate.objects.count() == 0


def test_the_pair_page_offers_the_download_once_a_meeting_was_held(client, pair):
    client.force_login(pair.mentee)
    page = client.get(reverse("matching:pair_detail", args=[pair.pk]))
    assert reverse("meetings:certificate", args=[pair.pk]) in page.content.decode()
