import datetime

import factory
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from accounts.tests.factories import MemberFactory
from matching.models import Application, Cycle, Match, Role


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    name = factory.Sequence(lambda n: f"{2027 + n}")
    applications_open = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    applications_close = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    planned_start = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    status = Cycle.Status.OPEN


class MatchingCycleFactory(CycleFactory):
    """A cycle in its matching phase: applications closed yesterday, the pairs start in two months."""

    status = Cycle.Status.MATCHING
    applications_open = factory.LazyFunction(lambda: timezone.localdate() - relativedelta(months=2))
    applications_close = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    planned_start = factory.LazyFunction(lambda: timezone.localdate() + relativedelta(months=2))


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    cycle = factory.SubFactory(CycleFactory)
    member = factory.SubFactory(MemberFactory)
    role = Role.MENTEE
    mentoring_question = "Hoe groei ik door naar een leidinggevende rol zonder mijn vakinhoud los te laten?"


class MentorApplicationFactory(ApplicationFactory):
    role = Role.MENTOR
    mentoring_question = ""
    capacity = 2


class ActiveMatchFactory(factory.django.DjangoModelFactory):
    """An active pair that started today and runs for a year (R4)."""

    class Meta:
        model = Match
        skip_postgeneration_save = True

    cycle = factory.SubFactory(CycleFactory, status=Cycle.Status.RUNNING)
    mentor = factory.SubFactory(MemberFactory)
    mentee = factory.SubFactory(MemberFactory)
    status = Match.Status.ACTIVE
    start_date = factory.LazyFunction(timezone.localdate)
    planned_end = factory.LazyAttribute(lambda m: m.start_date + relativedelta(months=12))

    @factory.post_generation
    def agreement(match, create, extracted, **kwargs):
        # As activation does (matching.services.match_activate): an active pair has its agreement.
        if create and match.status == Match.Status.ACTIVE:
            from matching.agreements import agreement_ensure

            agreement_ensure(match=match)


def confirm_pair(mentor_application, mentee_application, *, by, before_window_closes=True):
    """A coordinator confirms this pair through the service, as the Koppelscherm does (the window question
    answered yes, as most tests need): the tests' one way to make a pair under the hard rules."""
    from matching import services

    return services.match_confirm(
        before_window_closes=before_window_closes,
        mentor_application=mentor_application,
        mentee_application=mentee_application,
        by=by,
    )
