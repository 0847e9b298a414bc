"""Reads for meetings: the access helper, R10 progress, coordinators' statistics, calendar."""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.utils import timezone

from matching.models import Match
from matching.selectors import matches_for_user, pair_for_user

from . import crypto
from .models import (
    CERTIFICATE_CODE_LENGTH,
    MAX_DURATION_MINUTES,
    CalendarFeed,
    Meeting,
    ParticipationCertificate,
    PrivateNote,
)

# R10: at least two meetings take place during the programme.
REQUIRED_MEETINGS = 2
# R10: a pair short of the required meetings hears of it (and the coordinators see it) this close to its end.
MEETINGS_REMINDER_BEFORE_END = relativedelta(months=2)
# A pair that has not met this long after its start is "quiet": a nudge to the pair, a line for the coordinators.
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


def with_meeting_stats(*, matches, last_held: bool = True, selected: bool = True):
    """Annotate each match with held_meeting_count (int) and last_held_at (datetime or None).

    Correlated subqueries rather than a join with GROUP BY: PostgreSQL evaluates them only for
    the rows it returns, so a paginated admin list counts the meetings of its page, not of every
    pair before the LIMIT. ``last_held=False`` leaves last_held_at out (a caller that only asks
    the rules `quiet` and `short_of_meetings`: one subquery less to build and run). ``selected=False``
    makes held_meeting_count an alias: the rules may filter on it, but no row carries it, so a query
    whose conditions do not ask it neither builds nor runs the subquery (the cockpit's union of lists).
    """
    held = Meeting.objects.filter(match=OuterRef("pk"), status=Meeting.Status.HELD).order_by()
    matches = (matches.annotate if selected else matches.alias)(
        held_meeting_count=Coalesce(
            Subquery(held.values("match").annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
        )
    )
    if last_held:
        matches = matches.annotate(last_held_at=Subquery(held.order_by("-starts_at").values("starts_at")[:1]))
    return matches


def held_meeting_count(*, match: Match) -> int:
    """Meetings held by the pair (R10); planned and cancelled ones do not count."""
    return match.meetings.filter(status=Meeting.Status.HELD).count()


# The two rules about how often a pair meets, each written once. Conditions on matches annotated by
# `with_meeting_stats`, so a page that reads pairs for several lists (the coordinators' cockpit) asks
# them inside its one query; the querysets below are the same conditions for everyone else.


def quiet(*, today: datetime.date) -> Q:
    """A quiet pair: active, started at least six weeks ago (NO_MEETING_ALERT_AFTER), no meeting held yet."""
    return Q(status=Match.Status.ACTIVE, start_date__lte=today - NO_MEETING_ALERT_AFTER, held_meeting_count=0)


def short_of_meetings(*, today: datetime.date) -> Q:
    """R10: an active pair whose planned end is within MEETINGS_REMINDER_BEFORE_END and that has held fewer
    than REQUIRED_MEETINGS meetings."""
    return Q(
        status=Match.Status.ACTIVE,
        planned_end__gt=today,
        planned_end__lte=today + MEETINGS_REMINDER_BEFORE_END,
        held_meeting_count__lt=REQUIRED_MEETINGS,
    )


def quiet_pairs(*, matches=None, today: datetime.date | None = None):
    """The pairs among `matches` (default: all) for which `quiet` holds, with their meeting stats."""
    today = today or timezone.localdate()
    matches = Match.objects.all() if matches is None else matches
    return with_meeting_stats(matches=matches).filter(quiet(today=today))


def pairs_short_of_meetings(*, matches=None, today: datetime.date | None = None):
    """The pairs among `matches` (default: all) for which `short_of_meetings` holds (R10)."""
    today = today or timezone.localdate()
    matches = Match.objects.all() if matches is None else matches
    return with_meeting_stats(matches=matches).filter(short_of_meetings(today=today))


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


def load_pair_meetings(*, matches) -> None:
    """Read the meetings of these pairs in one query and keep each pair's list on its match object.

    The pair's pages and her dashboard ask several questions of the same few meetings (progress,
    the list, overdue ones, whether they made contact); `pair_meetings` then answers from memory.
    Pages read them while rendering, after any change the request made.
    """
    missing = [match for match in matches if "_pair_meetings" not in match.__dict__]
    if not missing:
        return
    by_pair: dict[int, list[Meeting]] = {match.pk: [] for match in missing}
    # The meetings alone: the pages that ask these lists show when, how and what state, never who
    # planned or logged a meeting (its own page reads that, `meeting_for_user`). Sorted here, not by the
    # database: Django's ORDER BY hashes every selected column, which costs more CPU than these few rows.
    for meeting in sorted(Meeting.objects.filter(match_id__in=list(by_pair)).order_by(), key=_by_time):
        by_pair[meeting.match_id].append(meeting)
    for match in missing:
        match.__dict__["_pair_meetings"] = by_pair[match.pk]


def pair_meetings(*, match: Match) -> list[Meeting]:
    """Every meeting of one pair, cancelled ones too, oldest first (see `load_pair_meetings`)."""
    load_pair_meetings(matches=[match])
    return match.__dict__["_pair_meetings"]


def _by_time(meeting: Meeting):
    return (meeting.starts_at, meeting.pk)


def pair_progress(*, match: Match) -> PairProgress:
    """One pair's R10 progress from its meetings: held out of required (cancelled never counts), the
    last one held, the next one planned, and whether they had their introduction (R8)."""
    live = [meeting for meeting in pair_meetings(match=match) if meeting.status != Meeting.Status.CANCELLED]
    held = [meeting for meeting in live if meeting.status == Meeting.Status.HELD]
    now = timezone.now()
    ahead = [meeting for meeting in live if meeting.status == Meeting.Status.PLANNED and meeting.starts_at >= now]
    return PairProgress(
        held=len(held),
        required=REQUIRED_MEETINGS,
        last_held=max(held, key=_by_time, default=None),
        next_planned=min(ahead, key=_by_time, default=None),
        has_introduction=any(meeting.is_introduction for meeting in live),
    )


def overdue_meetings_of(*, match: Match) -> list[Meeting]:
    """Planned meetings whose time has passed, from the meetings the page read already: mark them held or cancel."""
    now = timezone.now()
    return sorted(
        (m for m in pair_meetings(match=match) if m.status == Meeting.Status.PLANNED and m.starts_at < now),
        key=_by_time,
    )


def pair_has_made_contact(*, match: Match) -> bool:
    """R8 on the pair page: the mentee said she made contact, or the pair planned or held a meeting."""
    if match.first_contact_at is not None:
        return True
    return any(meeting.status != Meeting.Status.CANCELLED for meeting in pair_meetings(match=match))


def has_meetings(*, match: Match) -> bool:
    """Whether the pair has planned or held anything; cancelled meetings do not count."""
    return match.meetings.exclude(status=Meeting.Status.CANCELLED).exists()


def active_pairs_for_user(*, user):
    return matches_for_user(user=user).filter(status__in=Match.ONGOING_STATUSES)


def active_pairs_with_progress(*, user, pairs=None) -> list[tuple[Match, PairProgress]]:
    """Her ongoing pairs with their R10 progress: one query for all their meetings.

    Pass her pairs when the page read them already (the dashboard, from matching's request memo).
    """
    if pairs is None:
        pairs = list(active_pairs_for_user(user=user))
    pairs = [match for match in pairs if match.status in Match.ONGOING_STATUSES]
    load_pair_meetings(matches=pairs)
    return [(match, pair_progress(match=match)) for match in pairs]


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


# Issue 26 §4: a planned meeting is asked about ("did it happen?") only this long after its end, so
# old planned meetings (before this feature, or a job that was down for weeks) never get a late e-mail.
ASK_AFTER_END_WITHIN = datetime.timedelta(days=3)


def reminder_moment(starts_at: datetime.datetime) -> datetime.datetime:
    """When a meeting's reminder is due: the day before, at MEETING_REMINDER_HOUR (Europe/Amsterdam)."""
    day_before = timezone.localtime(starts_at).date() - datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day_before, datetime.time(settings.MEETING_REMINDER_HOUR)))


def answer_recipient(meeting: Meeting):
    """Whoever planned the meeting is asked whether it happened (the mentee when the planner is gone)."""
    match = meeting.match
    if meeting.created_by_id and meeting.created_by_id in (match.mentor_id, match.mentee_id):
        return meeting.created_by
    return match.mentee


def _announced(meetings):
    """Planned meetings of pairs that still work together, planned before they started (not logged afterwards)."""
    return (
        meetings.filter(status=Meeting.Status.PLANNED, match__status__in=Match.ONGOING_STATUSES)
        .filter(created_at__lt=F("starts_at"))
        .select_related("match__mentor", "match__mentee", "created_by")
        .order_by("starts_at", "pk")
    )


def meetings_to_remind(*, now: datetime.datetime) -> list[Meeting]:
    """Issue 26 §4: meetings whose reminder moment has come and that have not started.

    A meeting planned after its reminder moment (she just planned it, her partner just heard) gets none;
    a cancelled meeting or a pair that ended gets none.
    """
    local_now = timezone.localtime(now)
    last_day = local_now.date() + datetime.timedelta(days=1 if local_now.hour >= settings.MEETING_REMINDER_HOUR else 0)
    before = timezone.make_aware(datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min))
    candidates = _announced(Meeting.objects.filter(starts_at__gt=now, starts_at__lt=before))
    return [meeting for meeting in candidates if meeting.created_at < reminder_moment(meeting.starts_at) <= now]


def meetings_to_ask_after(*, now: datetime.datetime) -> list[Meeting]:
    """Issue 26 §4: planned meetings whose end has passed (at most ASK_AFTER_END_WITHIN ago), still not logged."""
    longest = datetime.timedelta(minutes=MAX_DURATION_MINUTES)
    candidates = _announced(
        Meeting.objects.filter(starts_at__lte=now, starts_at__gt=now - ASK_AFTER_END_WITHIN - longest)
    )
    return [meeting for meeting in candidates if now - ASK_AFTER_END_WITHIN < meeting.ends_at <= now]


def held_meetings_of(*, match: Match) -> list[Meeting]:
    """The pair's held meetings, oldest first: what a participation certificate lists (issue 26 §5)."""
    return list(match.meetings.filter(status=Meeting.Status.HELD).order_by("starts_at", "pk"))


def certificate_by_code(*, code: str) -> ParticipationCertificate:
    """The certificate with this verification code (dashes, spaces and capitals do not matter); 404 otherwise."""
    normalised = "".join(ch for ch in str(code).upper() if ch.isalnum())
    if len(normalised) != CERTIFICATE_CODE_LENGTH:
        raise Http404
    try:
        return ParticipationCertificate.objects.get(code=normalised)
    except ParticipationCertificate.DoesNotExist:
        raise Http404 from None


# --- Year report and cockpit charts (issue 27) -----------------------------------------------------------


def with_report_flags(*, matches):
    """Annotate `introduced` (the introductory meeting was held) and `reached_r10` (R10: at least
    REQUIRED_MEETINGS meetings held), with the meeting stats of `with_meeting_stats`."""
    introduction = Meeting.objects.filter(match=OuterRef("pk"), is_introduction=True, status=Meeting.Status.HELD)
    return (
        with_meeting_stats(matches=matches)
        .annotate(introduced=Exists(introduction))
        .annotate(
            reached_r10=ExpressionWrapper(Q(held_meeting_count__gte=REQUIRED_MEETINGS), output_field=BooleanField())
        )
    )


def held_meetings_per_month(*, cycle) -> list[tuple[datetime.date, int]]:
    """(first day of the month, meetings held) for the cycle's pairs, in date order; one query."""
    rows = (
        Meeting.objects.filter(match__cycle=cycle, status=Meeting.Status.HELD)
        .annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return [(row["month"].date() if hasattr(row["month"], "date") else row["month"], row["n"]) for row in rows]
