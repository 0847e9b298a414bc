import datetime

import factory
from django.utils import timezone

from matching.tests.factories import ActiveMatchFactory
from meetings.models import Meeting


def local(year, month, day, hour=10, minute=0) -> datetime.datetime:
    """An aware datetime in Europe/Amsterdam, as members type it."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


class MeetingFactory(factory.django.DjangoModelFactory):
    """A planned meeting a week from now, entered by the mentee."""

    class Meta:
        model = Meeting

    match = factory.SubFactory(
        ActiveMatchFactory, start_date=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    )
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + datetime.timedelta(days=7))
    duration_minutes = 60
    mode = Meeting.Mode.IN_PERSON
    location = "Kantoor Utrecht"
    status = Meeting.Status.PLANNED
    created_by = factory.LazyAttribute(lambda meeting: meeting.match.mentee)
    updated_by = factory.LazyAttribute(lambda meeting: meeting.match.mentee)


class HeldMeetingFactory(MeetingFactory):
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) - datetime.timedelta(days=3))
    status = Meeting.Status.HELD
    status_changed_by = factory.LazyAttribute(lambda meeting: meeting.match.mentor)
    status_changed_at = factory.LazyFunction(timezone.now)
