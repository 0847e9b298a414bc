"""Meetings' part of a member's data: meetings of her pairs, her own private notes, her calendar feed.

Registered in MeetingsConfig.ready() with accounts.personal_data. Her notes are shown
decrypted, and only hers: a partner's notes never leave the partner (R11).
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import RetentionNotice
from accounts.personal_data import Contributor, Policy, model_section, register
from accounts.retention import ERASE, WARN, warn_then_erase
from core.disclosure import HIDDEN, may_see
from matching.models import Match

from .crypto import InvalidToken, decrypt
from .models import CalendarFeed, Meeting, PrivateNote


def _note_text(note) -> str:
    try:
        return decrypt(note.ciphertext)
    except InvalidToken:
        return str(_("(this note can no longer be read: its key has been removed)"))


def collect(user):
    meetings = (
        Meeting.objects.filter(Q(match__mentor=user) | Q(match__mentee=user))
        .select_related("match__mentor", "match__mentee", "match__cycle")
        .order_by("starts_at")
    )
    notes = PrivateNote.objects.filter(author=user).select_related(
        "meeting__match__mentor", "meeting__match__mentee", "meeting__match__cycle"
    )
    return [
        model_section(
            "meetings",
            _("Meetings"),
            meetings,
            model=Meeting,
            viewer=user,
            description=_("The meetings of your pairs, as you and your partner both see them."),
            withheld={
                "created_by": _("Who entered a meeting, you or your partner, is not kept apart for you."),
                "updated_by": _("Who entered a meeting, you or your partner, is not kept apart for you."),
                "status_changed_by": _("Who entered a meeting, you or your partner, is not kept apart for you."),
                "sequence": _("A technical counter for calendar apps."),
            },
        ),
        model_section(
            "private_notes",
            _("Your private notes"),
            notes,
            model=PrivateNote,
            viewer=user,
            description=_("Only you can read these. Your partner's notes are hers and are not included."),
            exclude=["author"],
            withheld={"ciphertext": _("Stored encrypted; shown here decrypted as 'text'.")},
            extra={
                "text": (
                    _("text"),
                    lambda note: _note_text(note) if may_see(user, note, "ciphertext") else str(HIDDEN),
                )
            },
        ),
        model_section(
            "calendar_feeds",
            _("Calendar feed"),
            CalendarFeed.objects.filter(user=user).order_by("created_at"),
            model=CalendarFeed,
            viewer=user,
            description=_("Whether your meetings are shared with your own calendar app through a private link."),
            exclude=["user"],
            withheld={"token": _("The private link is a key to your calendar: it is shown only on the meetings page.")},
        ),
    ]


def _pair_chain(match: Match) -> list[Match]:
    """A pair's terms back to the first: its notes expire together, when the last term ended."""
    chain, seen = [match], {match.pk}
    while chain[-1].previous_term_id and chain[-1].previous_term_id not in seen:
        previous = Match.objects.filter(pk=chain[-1].previous_term_id).first()
        if previous is None:
            break
        chain.append(previous)
        seen.add(previous.pk)
    return chain


def purge(*, today: datetime.date, dry_run: bool) -> list[str]:
    """Private notes go RETENTION_NOTES_MONTHS after the pair ended; both partners are warned a month before."""
    months = relativedelta(months=settings.RETENTION_NOTES_MONTHS)
    warning = datetime.timedelta(days=settings.RETENTION_WARNING_DAYS)
    ended = Match.objects.filter(
        ended_on__isnull=False, ended_on__lte=today + warning - months, next_term__isnull=True
    ).exclude(status__in=Match.LIVE_STATUSES)
    lines = []
    for match in ended.order_by("pk"):
        notes = PrivateNote.objects.filter(meeting__match__in=_pair_chain(match))
        authors = sorted(set(notes.values_list("author_id", flat=True)))
        if not authors:
            continue
        erase_on = match.ended_on + months
        outcomes = [
            warn_then_erase(
                user_id=author_id,
                topic=RetentionNotice.Topic.NOTES,
                about_id=match.pk,
                erase_on=erase_on,
                since=match.ended_on,
                today=today,
                dry_run=dry_run,
            )
            for author_id in authors
        ]
        if all(outcome == ERASE for outcome in outcomes):
            count = notes.count()
            lines.append(f"delete {count} private notes of pair #{match.pk} (ended {match.ended_on:%Y-%m-%d})")
            if not dry_run:
                notes.delete()
        elif WARN in outcomes:
            lines.append(
                f"warn {outcomes.count(WARN)} authors of notes of pair #{match.pk}: "
                f"deleted from {max(erase_on, today + warning):%Y-%m-%d}"
            )
    return lines


def register_contributor():
    register(
        Contributor(
            app_label="meetings",
            relations={
                "meetings.meeting.created_by": Policy.ACTOR,
                "meetings.meeting.updated_by": Policy.ACTOR,
                "meetings.meeting.status_changed_by": Policy.ACTOR,
                "meetings.privatenote.author": Policy.HERS,
                "meetings.calendarfeed.user": Policy.HERS,
            },
            collect=collect,
            purge=purge,
            order=30,
        )
    )
