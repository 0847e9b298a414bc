"""Demo cycles for `make run`: a running cycle with the demo pair, and an open one with applications.

Idempotent: running it twice updates rather than duplicates.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from accounts.models import Expertise

from .models import Agreement, Application, Cycle, FirmGroup, Match, Role

# Demo content for the conflict-of-interest register: coordinators keep the real list in the
# admin (Organisatiegroepen); these are common spellings of a few large tax-advice firms.
DEMO_FIRM_GROUPS = {
    "Deloitte": ["Deloitte Belastingadviseurs B.V.", "Deloitte Tax", "Deloitte Accountants"],
    "PwC": ["PricewaterhouseCoopers", "PwC Belastingadviseurs N.V.", "Price Waterhouse Coopers"],
    "KPMG": ["KPMG Meijburg & Co", "Meijburg & Co", "KPMG Accountants N.V."],
    "EY": ["Ernst & Young", "EY Belastingadviseurs LLP", "Ernst & Young Belastingadviseurs"],
    "BDO": ["BDO Belastingadviseurs", "BDO Accountants & Adviseurs"],
    "Grant Thornton": ["Grant Thornton Accountants en Adviseurs B.V."],
}


def load_firm_groups() -> int:
    for name, variants in DEMO_FIRM_GROUPS.items():
        FirmGroup.objects.update_or_create(name=name, defaults={"variants": "\n".join(variants)})
    return len(DEMO_FIRM_GROUPS)


def _application(cycle, member, role, **fields):
    topics = fields.pop("topics", [])
    application, _created = Application.objects.update_or_create(
        cycle=cycle, member=member, role=role, defaults={"status": Application.Status.SUBMITTED, **fields}
    )
    application.topics.set([Expertise.objects.get_or_create(name=name)[0] for name in topics])
    return application


def load(*, members, stdout):
    load_firm_groups()
    today = timezone.localdate()
    running, _created = Cycle.objects.update_or_create(
        name=str(today.year),
        defaults={
            "applications_open": today - datetime.timedelta(days=120),
            "applications_close": today - datetime.timedelta(days=70),
            "planned_start": today - datetime.timedelta(days=60),
            "status": Cycle.Status.RUNNING,
        },
    )
    upcoming, _created = Cycle.objects.update_or_create(
        name=str(today.year + 1),
        defaults={
            "applications_open": today - datetime.timedelta(days=7),
            "applications_close": today + datetime.timedelta(days=45),
            "planned_start": today + datetime.timedelta(days=75),
            "status": Cycle.Status.OPEN,
        },
    )

    mentor_application = _application(
        running, members["mentor"], Role.MENTOR, capacity=2, availability="Een lunch per maand", topics=["Btw"]
    )
    mentee_application = _application(
        running,
        members["mentee"],
        Role.MENTEE,
        mentoring_question="Hoe bouw ik een netwerk op buiten mijn eigen kantoor, en hoe kies ik mijn specialisatie?",
        topics=["Btw"],
    )
    # The demo pair (R8: Lotte sees Marieke's contact details on her pair page).
    match = Match.objects.filter(cycle=running, mentee=members["mentee"], term=1).first()
    if match is None:
        start = running.planned_start
        match = Match.objects.create(
            cycle=running,
            mentor=members["mentor"],
            mentee=members["mentee"],
            mentor_application=mentor_application,
            mentee_application=mentee_application,
            status=Match.Status.ACTIVE,
            start_date=start,
            planned_end=start + relativedelta(months=running.duration_months),
            created_by=members["coordinator"],
        )
    Agreement.objects.get_or_create(
        match=match,
        defaults={
            "mission": mentee_application.mentoring_question,
            "meeting_frequency": "Eerst elke twee weken, later maandelijks",
            "evaluation_date": match.planned_end - relativedelta(months=1),
        },
    )

    # The open cycle: Sandra applies as mentor and as mentee (she has more than 5 years, R3).
    _application(upcoming, members["mentor2"], Role.MENTOR, capacity=1, topics=["Vennootschapsbelasting"])
    _application(
        upcoming,
        members["mentor2"],
        Role.MENTEE,
        mentoring_question="Hoe groei ik door naar partner zonder mijn vakinhoud los te laten?",
        topics=["Internationaal belastingrecht"],
    )
    _application(upcoming, members["mentor"], Role.MENTOR, capacity=1, topics=["Btw", "Internationaal belastingrecht"])
    stdout.write(f"Matching: cycle {running} running with one pair, cycle {upcoming} open for applications.")
