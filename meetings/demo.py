"""Demo meetings for `make run`: a held introductory meeting and a planned one for the first demo pair.

Does nothing when the matching demo created no active pair, and nothing twice.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from matching.models import Match

from . import services
from .models import Meeting, MentorTopic


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def load(*, members, stdout):
    member_ids = [user.pk for user in members.values()]
    match = (
        Match.objects.filter(status=Match.Status.ACTIVE, mentee_id__in=member_ids, mentor_id__in=member_ids)
        .order_by("pk")
        .first()
    )
    if match is None or match.meetings.exists():
        return
    now = timezone.now()
    try:
        # The introduction a week after the start, or earlier today if the pair is that new.
        held_at = min(_at(match.start_date + datetime.timedelta(days=7), 10), now - datetime.timedelta(hours=2))
        if timezone.localtime(held_at).date() >= match.start_date:
            introduction = services.meeting_plan(
                match=match,
                by=match.mentee,
                starts_at=held_at.replace(minute=0, second=0, microsecond=0),
                duration_minutes=60,
                mode=Meeting.Mode.IN_PERSON,
                location="Koffiebar bij het station",
                is_introduction=True,
                topics=[MentorTopic.MISSION, MentorTopic.ENGAGEMENT],
            )
            services.meeting_mark_held(meeting=introduction, by=match.mentor)
            services.private_note_save(
                meeting=introduction,
                author=match.mentee,
                text="Fijne klik. Volgende keer mijn mentorvraag over leidinggeven verder uitwerken.",
            )
        services.meeting_plan(
            match=match,
            by=match.mentee,
            starts_at=_at(timezone.localdate() + datetime.timedelta(days=14), 16),
            duration_minutes=45,
            mode=Meeting.Mode.VIRTUAL,
            video_url="https://teams.example.org/mentorafspraak",
            topics=[MentorTopic.NETWORKING],
        )
    except ValidationError as error:
        stdout.write(f"Demo meetings skipped: {'; '.join(error.messages)}")
        return
    stdout.write(f"Demo meetings for {match}.")
