"""Reads for meetings: the access helper, R10 progress, coordinators' statistics, calendar."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from matching.models import Match
from matching.selectors import matches_for_user, pair_for_user

from . import crypto
from .models import CalendarFeed, Meeting, PrivateNote

# R10: at least two meetings take place during the programme.
REQUIRED_MEETINGS = 2
# Coordinators look at pairs that have not met this long after their start.
NO_MEETING_ALERT_AFTER = datetime.timedelta(weeks=6)

HELD = Q(meetings__status=Meeting.Status.HELD)


def meeting_for_user(*, user, pk) -> Meeting:
    """The one access check for a meeting: only the pair's mentor and mentee, everyone else 404.

    Built on the pair's own check, so coordinators get 404 here too (R11).
    """
    if not user.is_authenticated:
        raise Http404
    try:
        match_id = Meeting.objects.values_list("match_id", flat=True).get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    match = pair_for_user(user=user, pk=match_id)
    meeting = Meeting.objects.select_related("created_by", "updated_by", "status_changed_by").get(pk=pk)
    meeting.match = match
    return meeting


def meetings_for_pair(*, match: Match):
    return match.meetings.select_related("created_by", "status_changed_by").order_by("starts_at")


def with_meeting_stats(*, matches):
    """Annotate each match with held_meeting_count (int) and last_held_at (datetime or None).

    Correlated subqueries rather than a join with GROUP BY: PostgreSQL evaluates them only for
    the rows it returns, so a paginated admin list counts the meetings of its page, not of every
    pair before the LIMIT.
    """
    held = Meeting.objects.filter(match=OuterRef("pk"), status=Meeting.Status.HELD).order_by()
    return matches.annotate(
        held_meeting_count=Coalesce(
            Subquery(held.values("match").annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
        ),
        last_held_at=Subquery(held.order_by("-starts_at").values("starts_at")[:1]),
    )


def held_meeting_count(*, match: Match) -> int:
    """Meetings held by the pair (R10); planned and cancelled ones do not count."""
    return match.meetings.filter(status=Meeting.Status.HELD).count()


def pairs_without_meeting_after_start(*, matches, today=None):
    """Pairs that started at least six weeks ago and have held no meeting yet."""
    today = today or timezone.localdate()
    return with_meeting_stats(matches=matches).filter(
        start_date__lte=today - NO_MEETING_ALERT_AFTER, held_meeting_count=0
    )


@dataclass(frozen=True)
class PairProgress:
    """What the pair page shows about R10: held out of required, last and next meeting."""

    held: int
    required: int
    last_held: Meeting | None
    next_planned: Meeting | None
    has_introduction: bool

    @property
    def requirement_met(self) -> bool:
        return self.held >= self.required

    @property
    def progress_value(self) -> int:
        return min(self.held, self.required)


def with_progress(*, matches):
    """Annotate pairs with what PairProgress needs, so any number of pairs costs one query (plus one for meetings)."""
    pair = OuterRef("pk")
    live = Meeting.objects.filter(match=pair).exclude(status=Meeting.Status.CANCELLED)
    return matches.annotate(
        progress_held=Count("meetings", filter=HELD, distinct=True),
        progress_has_introduction=Exists(live.filter(is_introduction=True)),
        progress_last_held_id=Subquery(
            live.filter(status=Meeting.Status.HELD).order_by("-starts_at", "-pk").values("pk")[:1]
        ),
        progress_next_planned_id=Subquery(
            live.filter(status=Meeting.Status.PLANNED, starts_at__gte=timezone.now())
            .order_by("starts_at", "pk")
            .values("pk")[:1]
        ),
    )


def progress_of_pairs(*, matches) -> dict[int, PairProgress]:
    """match id -> PairProgress for pairs annotated by `with_progress`: one query for all their meetings shown."""
    matches = list(matches)
    wanted = {m.progress_last_held_id for m in matches} | {m.progress_next_planned_id for m in matches}
    meetings = Meeting.objects.in_bulk([pk for pk in wanted if pk is not None])
    return {
        m.pk: PairProgress(
            held=m.progress_held,
            required=REQUIRED_MEETINGS,
            last_held=meetings.get(m.progress_last_held_id),
            next_planned=meetings.get(m.progress_next_planned_id),
            has_introduction=m.progress_has_introduction,
        )
        for m in matches
    }


def pair_progress(*, match: Match) -> PairProgress:
    return progress_of_pairs(matches=with_progress(matches=Match.objects.filter(pk=match.pk)))[match.pk]


def has_meetings(*, match: Match) -> bool:
    """Whether the pair has planned or held anything; cancelled meetings do not count."""
    return match.meetings.exclude(status=Meeting.Status.CANCELLED).exists()


def overdue_planned_meetings(*, match: Match):
    """Planned meetings whose time has passed: the pair should mark them held or cancel them."""
    return match.meetings.filter(status=Meeting.Status.PLANNED, starts_at__lt=timezone.now()).order_by("starts_at")


def active_pairs_for_user(*, user):
    return matches_for_user(user=user).filter(status__in=Match.ONGOING_STATUSES)


def active_pairs_with_progress(*, user) -> list[tuple[Match, PairProgress]]:
    """Her active pairs with their R10 progress, in two queries however many pairs she has."""
    pairs = list(with_progress(matches=active_pairs_for_user(user=user)))
    progress = progress_of_pairs(matches=pairs)
    return [(match, progress[match.pk]) for match in pairs]


def private_note_text(*, meeting: Meeting, user) -> str | None:
    """The user's own note on the meeting ('' when none); None when no configured key opens it.

    Only ever the author's own note: there is no way to ask for someone else's.
    """
    note = PrivateNote.objects.filter(meeting=meeting, author=user).first()
    if note is None:
        return ""
    try:
        return crypto.decrypt(note.ciphertext)
    except crypto.InvalidToken:
        return None


def active_calendar_feed(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def calendar_feed_by_token(*, token: str) -> CalendarFeed:
    """The active feed for a token; revoked or unknown tokens and inactive users are a 404."""
    try:
        return CalendarFeed.objects.select_related("user").get(
            token=token, revoked_at__isnull=True, user__is_active=True
        )
    except CalendarFeed.DoesNotExist:
        raise Http404 from None


def calendar_meetings_for_user(*, user):
    """Planned and held meetings of the member's pairs, for her calendar feed.

    A planned meeting of a pair that is no longer active can no longer take place in the
    programme (nor be changed or cancelled), so it leaves the feed and calendar apps drop it.
    """
    return (
        Meeting.objects.filter(match__in=matches_for_user(user=user))
        .exclude(status=Meeting.Status.CANCELLED)
        .exclude(Q(status=Meeting.Status.PLANNED) & ~Q(match__status__in=Match.ONGOING_STATUSES))
        .select_related("match__mentor", "match__mentee")
        .order_by("starts_at")
    )


def with_first_contact(*, matches):
    """Annotate pairs with has_first_contact: a planned or held meeting, the same rule as `has_meetings` (R8)."""
    live = Meeting.objects.filter(match=OuterRef("pk")).exclude(status=Meeting.Status.CANCELLED)
    return matches.annotate(has_first_contact=Exists(live))
