"""Writes for meetings. Either partner may plan, change, log or cancel (R9); access is checked in views."""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import fernet_keys
from goals.services import goals_progress_record
from matching.fit_checks import fit_checks_ask_after_meeting
from matching.models import Match
from matching.services import match_first_contact_record

from . import crypto
from .models import CalendarFeed, Meeting, MentorTopic, ParticipationCertificate, PrivateNote, new_certificate_code
from .signals import meeting_changed

logger = logging.getLogger(__name__)

# A change of these tells the other partner, with a calendar update; topics alone do not.
CALENDAR_FIELDS = ("starts_at", "duration_minutes", "mode", "location", "video_url")

# A planned meeting is held or cancelled; either is final (a cancelled one is planned anew).
TRANSITIONS = {
    Meeting.Status.PLANNED: {Meeting.Status.HELD, Meeting.Status.CANCELLED},
    Meeting.Status.HELD: set(),
    Meeting.Status.CANCELLED: set(),
}
# Fields a partner may set when planning or changing a meeting.
EDITABLE_FIELDS = ("starts_at", "duration_minutes", "mode", "location", "video_url", "topics", "is_introduction")
MAX_NOTE_LENGTH = 20_000
MAX_PLANNING_AHEAD = datetime.timedelta(days=2 * 365)


def _check_pair_member(match: Match, user) -> None:
    if not match.is_member(user):
        raise PermissionDenied("Only the mentor and mentee of a pair change its meetings.")


def _check_pair_active(match: Match) -> None:
    if not match.is_ongoing:
        raise ValidationError(_("This pair is no longer active, so its meetings can no longer be changed."))


def earliest_meeting_day(match: Match):
    """R8: from the day the pair was matched on, even before the cycle starts, they may meet."""
    if match.confirmed_at:
        return timezone.localdate(match.confirmed_at)
    return match.start_date


def meeting_date_error(match: Match, day) -> ValidationError | None:
    """A meeting lies between the pair's confirmation and a sane horizon; the form asks too, to show all errors."""
    earliest = earliest_meeting_day(match)
    if earliest and day < earliest:
        return ValidationError(
            _("You were matched on %(date)s: a meeting cannot be earlier.") % {"date": date_format(earliest, "j F Y")}
        )
    if day > timezone.localdate() + MAX_PLANNING_AHEAD:
        # Also keeps dates such as 31-12-9999 from overflowing when the end time is computed.
        return ValidationError(_("A meeting can be planned at most two years ahead."))
    return None


def validate_meeting(meeting: Meeting) -> None:
    """The pair's rules on top of the field checks; errors sit on the field they are about."""
    errors = {}
    try:
        meeting.full_clean(exclude=["match", "created_by", "updated_by", "status_changed_by"])
    except ValidationError as error:
        errors.update(error.update_error_dict({}))

    match = meeting.match
    if meeting.starts_at:
        date_error = meeting_date_error(match, timezone.localtime(meeting.starts_at).date())
        if date_error:
            errors.setdefault("starts_at", []).append(date_error)
    if meeting.status == Meeting.Status.HELD and meeting.starts_at and meeting.starts_at > timezone.now():
        errors.setdefault("starts_at", []).append(
            ValidationError(_("This meeting was held, so it cannot be in the future."))
        )
    unknown_topics = set(meeting.topics or []) - set(MentorTopic.values)
    if not isinstance(meeting.topics, list) or unknown_topics:
        errors.setdefault("topics", []).append(ValidationError(_("Choose topics from the MENTOR list.")))
    if meeting.is_introduction and meeting.status != Meeting.Status.CANCELLED and meeting.starts_at:
        # R8: the introductory meeting is the pair's first.
        others = match.meetings.exclude(pk=meeting.pk).exclude(status=Meeting.Status.CANCELLED)
        if others.filter(is_introduction=True).exists():
            errors.setdefault("is_introduction", []).append(
                ValidationError(_("This pair already has an introductory meeting."))
            )
        elif others.filter(starts_at__lt=meeting.starts_at).exists():
            errors.setdefault("is_introduction", []).append(
                ValidationError(
                    _("The introductory meeting is the first meeting; this pair already has an earlier one.")
                )
            )
    if errors:
        raise ValidationError(errors)


def _save(meeting: Meeting) -> Meeting:
    validate_meeting(meeting)
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError:
        # A partner saved an introductory meeting at the same moment: the constraint caught it.
        raise ValidationError({"is_introduction": _("This pair already has an introductory meeting.")}) from None
    return meeting


def meeting_plan(
    *,
    match: Match,
    by,
    starts_at,
    duration_minutes,
    mode=Meeting.Mode.IN_PERSON,
    location="",
    video_url="",
    topics=(),
    is_introduction=False,
    submission_key=None,
) -> Meeting:
    """Plan a meeting once: the same `submission_key` (the form's one-time key), or the same pair and
    start time planned again within REPLAN_WINDOW (a double click, a resent form without its key, a
    script), returns the meeting planned first and tells the partner once."""
    _check_pair_member(match, by)
    _check_pair_active(match)
    if submission_key is not None:
        already = Meeting.objects.filter(match=match, submission_key=submission_key).first()
        if already is not None:
            return already
    with transaction.atomic():
        # The pair's row lock makes concurrent plans of one pair wait for each other, so the second
        # sees the first's meeting (a check without the lock would let eight requests pass at once).
        Match.objects.select_for_update().filter(pk=match.pk).first()
        already = _just_planned(match, starts_at, submission_key)
        if already is not None:
            return already
        return _plan(
            match=match,
            by=by,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            mode=mode,
            location=location,
            video_url=video_url,
            topics=topics,
            is_introduction=is_introduction,
            submission_key=submission_key,
        )


# The same pair and start time planned again within this time is the same meeting.
REPLAN_WINDOW = datetime.timedelta(minutes=1)


def _just_planned(match: Match, starts_at, submission_key) -> Meeting | None:
    if submission_key is not None:
        already = Meeting.objects.filter(match=match, submission_key=submission_key).first()
        if already is not None:
            return already
    return (
        Meeting.objects.filter(
            match=match,
            starts_at=starts_at,
            created_at__gte=timezone.now() - REPLAN_WINDOW,
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("pk")
        .first()
    )


def _plan(
    *,
    match,
    by,
    starts_at,
    duration_minutes,
    mode,
    location,
    video_url,
    topics,
    is_introduction,
    submission_key,
) -> Meeting:
    meeting = Meeting(
        match=match,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        location=location,
        video_url=video_url,
        topics=list(topics),
        is_introduction=is_introduction,
        created_by=by,
        updated_by=by,
        submission_key=submission_key,
    )
    with transaction.atomic():
        try:
            _save(meeting)
        except ValidationError:
            # The same form sent twice at once: the other request saved it (and told the partner) first.
            already = submission_key and Meeting.objects.filter(match=match, submission_key=submission_key).first()
            if already:
                return already
            raise
        # R8: planning a meeting is the first contact made, so nobody is reminded of it any more.
        match_first_contact_record(match=match, by=by)
        meeting_changed.send(sender=Meeting, meeting=meeting, by=by, change="planned")
    return meeting


def meeting_update(*, meeting: Meeting, by, **changes) -> Meeting:
    """Either partner changes the shared entry, whoever planned it."""
    _check_pair_member(meeting.match, by)
    _check_pair_active(meeting.match)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be changed; plan a new one instead."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    before = {field: getattr(meeting, field) for field in CALENDAR_FIELDS}
    for field, value in changes.items():
        setattr(meeting, field, list(value) if field == "topics" else value)
    meeting.updated_by = by
    meeting.sequence += 1
    with transaction.atomic():
        _save(meeting)
        if meeting.status == Meeting.Status.PLANNED and any(
            getattr(meeting, field) != value for field, value in before.items()
        ):
            meeting_changed.send(sender=Meeting, meeting=meeting, by=by, change="changed")
    return meeting


def _change_status(meeting: Meeting, *, by, target: str) -> Meeting:
    """The one place a meeting changes status: along TRANSITIONS, recording who and when."""
    _check_pair_member(meeting.match, by)
    _check_pair_active(meeting.match)
    if target not in TRANSITIONS[Meeting.Status(meeting.status)]:
        if target == Meeting.Status.HELD:
            raise ValidationError(_("Only a planned meeting can be marked as held."))
        raise ValidationError(_("Only a planned meeting can be cancelled."))
    if target == Meeting.Status.HELD and not meeting.has_started:
        raise ValidationError(_("A meeting can be marked as held once it has started."))
    meeting.status = target
    meeting.status_changed_by = by
    meeting.status_changed_at = timezone.now()
    meeting.updated_by = by
    meeting.sequence += 1
    return _save(meeting)


@transaction.atomic
def meeting_mark_held(
    *, meeting: Meeting, by, topics: list[str] | None = None, progress_notes: dict[int, str] | None = None
) -> Meeting:
    """Log that the meeting took place (R10). Only once it has started.

    With the check-in form: the MENTOR topics it touched, and a line of progress per running goal
    (issue 26 §2), noted in the same transaction (a note refused undoes the whole check-in).
    """
    if topics is not None:
        meeting.topics = list(topics)
    meeting = _change_status(meeting, by=by, target=Meeting.Status.HELD)
    if progress_notes:
        goals_progress_record(match=meeting.match, by=by, notes=progress_notes, meeting_starts_at=meeting.starts_at)
    # Issue 15 §3: after the introduction both are asked privately whether it fits; after a
    # later meeting whoever was still in doubt is asked again.
    fit_checks_ask_after_meeting(match=meeting.match)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by) -> Meeting:
    meeting = _change_status(meeting, by=by, target=Meeting.Status.CANCELLED)
    meeting_changed.send(sender=Meeting, meeting=meeting, by=by, change="cancelled")
    return meeting


def private_note_save(*, meeting: Meeting, author, text: str) -> PrivateNote | None:
    """Store the author's own note encrypted (R11); an empty text removes it."""
    _check_pair_member(meeting.match, author)
    text = (text or "").strip()
    if len(text) > MAX_NOTE_LENGTH:
        message = _("A note can hold at most %(max)s characters.") % {"max": MAX_NOTE_LENGTH}
        raise ValidationError({"text": message})
    if not text:
        PrivateNote.objects.filter(meeting=meeting, author=author).delete()
        return None
    note, _created = PrivateNote.objects.update_or_create(
        meeting=meeting, author=author, defaults={"ciphertext": crypto.encrypt(text)}
    )
    return note


def private_notes_rotate_keys() -> int:
    """Re-encrypt every note with the newest key in MEETING_NOTES_KEYS; returns how many.

    Members keep writing while it runs: compare-and-set per row (core.fernet_keys.rotate_column),
    so a note saved in between is never reverted to its older text.
    """
    return fernet_keys.rotate_column(PrivateNote.objects, "ciphertext", crypto.rotate, logger=logger)


@transaction.atomic
def calendar_feed_renew(*, user) -> CalendarFeed:
    """A new private feed URL; the old one (if any) stops working at once."""
    calendar_feed_revoke(user=user)
    feed = CalendarFeed(user=user)
    feed.full_clean()
    feed.save()
    return feed


def calendar_feed_revoke(*, user) -> int:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def meetings_carry_to_new_term(*, new_term: Match) -> int:
    """R5: when a pair renews, meetings already planned in the new term's time move with it.

    Otherwise they would stay on the completed term, where they can no longer be logged,
    changed or cancelled, and would not count toward the new term's meetings (R10).
    Returns how many meetings moved.
    """
    if not new_term.is_renewed_term or not new_term.is_ongoing or not new_term.start_date:
        return 0
    moving = Meeting.objects.filter(match_id=new_term.previous_term_id, status=Meeting.Status.PLANNED)
    moved = 0
    for meeting in moving.select_for_update():
        if timezone.localtime(meeting.starts_at).date() < new_term.start_date:
            continue
        meeting.match = new_term
        # A renewed pair already knows each other: no second introductory meeting.
        meeting.is_introduction = False
        meeting.sequence += 1
        meeting.save(update_fields=["match", "is_introduction", "sequence", "updated_at"])
        moved += 1
    return moved


def certificate_issue(*, match: Match, member, held_meetings: list[Meeting]) -> ParticipationCertificate:
    """Issue 26 §5: the certificate a partner downloads, recorded so its code can be checked.

    Downloading again with nothing changed gives the same certificate (and code); after another
    meeting, a changed name or a new end date it is a new one, and the older stays verifiable as it was.
    """
    _check_pair_member(match, member)
    if not held_meetings:
        raise ValidationError(_("A participation certificate lists held meetings: log a held meeting first."))
    content = {
        "full_name": member.full_name,
        "role": ParticipationCertificate.Role.MENTOR
        if member.pk == match.mentor_id
        else ParticipationCertificate.Role.MENTEE,
        "cycle_name": match.cycle.name,
        "period_start": match.start_date or match.cycle.planned_start,
        "period_end": match.ended_on or match.planned_end or match.cycle.planned_start,
        "meetings_held": len(held_meetings),
        "minutes_total": sum(meeting.duration_minutes for meeting in held_meetings),
    }
    existing = ParticipationCertificate.objects.filter(match=match, member=member, **content).order_by("-pk").first()
    if existing is not None:
        return existing
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return ParticipationCertificate.objects.create(
                    match=match, member=member, code=new_certificate_code(), **content
                )
        except IntegrityError:  # pragma: no cover - a code drawn twice (1 in 2**80)
            continue
    raise RuntimeError("Could not draw a unique certificate code")
