"""Meetings' part of a member's data: meetings of her pairs, her own private notes, her calendar feed.

Registered in MeetingsConfig.ready() with accounts.personal_data. Her notes are shown
decrypted, and only hers: a partner's notes never leave the partner (R11).
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import RetentionNotice
from accounts.personal_data import Contributor, Policy, json_value, model_section, register
from accounts.retention import ERASE, WARN, latest_notices, warn_then_erase
from core.disclosure import HIDDEN, may_see
from matching.models import Match

from .crypto import InvalidToken, decrypt
from .models import CalendarFeed, Meeting, ParticipationCertificate, PrivateNote


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
                "uid": _("A technical mark for calendar apps."),
                "submission_key": _("A technical mark that keeps a form sent twice from making two meetings."),
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
            labels={"created_at": _("created at"), "updated_at": _("updated at")},
            withheld={
                "ciphertext": _("Stored encrypted; shown here decrypted as 'text'."),
                "meeting": _("Shown as the meeting's date."),
            },
            extra={
                "meeting_on": (_("meeting of"), lambda note: json_value(note.meeting.starts_at)),
                "text": (
                    _("text"),
                    lambda note: _note_text(note) if may_see(user, note, "ciphertext") else str(HIDDEN),
                ),
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
            labels={"created_at": _("created at"), "revoked_at": _("switched off at")},
            withheld={"token": _("The private link is a key to your calendar: it is shown only on the meetings page.")},
        ),
        model_section(
            "participation_certificates",
            _("Participation certificates"),
            ParticipationCertificate.objects.filter(member=user).order_by("issued_at"),
            model=ParticipationCertificate,
            viewer=user,
            description=_(
                "The participation certificates you downloaded, as anyone with the verification code can check them."
            ),
            exclude=["member"],
        ),
    ]


def _pair_chains(matches) -> dict[int, list[int]]:
    """Each pair's terms back to the first (its notes expire together, when the last term ended).

    One query per term generation, never one per pair: the chains of every pair at once.
    """
    chains = {match.pk: [match.pk] for match in matches}
    previous = {match.pk: match.previous_term_id for match in matches}
    while previous := {pk: prev for pk, prev in previous.items() if prev and prev not in chains[pk]}:
        for pk, prev in previous.items():
            chains[pk].append(prev)
        earlier = dict(Match.objects.filter(pk__in=set(previous.values())).values_list("pk", "previous_term_id"))
        previous = {pk: earlier.get(prev) for pk, prev in previous.items()}
    return chains


def purge(*, today: datetime.date, dry_run: bool) -> list[str]:
    """Private notes go RETENTION_NOTES_MONTHS after the pair ended; both partners are warned a month before.

    Reads in a fixed number of queries whatever the number of pairs (the ended pairs, their earlier
    terms, the notes' authors and counts, the warnings given); it writes only what is due today.
    """
    months = relativedelta(months=settings.RETENTION_NOTES_MONTHS)
    warning = datetime.timedelta(days=settings.RETENTION_WARNING_DAYS)
    ended = list(
        Match.objects.filter(ended_on__isnull=False, ended_on__lte=today + warning - months, next_term__isnull=True)
        .exclude(status__in=Match.LIVE_STATUSES)
        .only("pk", "ended_on", "previous_term_id")
        .order_by("pk")
    )
    chains = _pair_chains(ended)
    pair_of_term = {term: pk for pk, terms in chains.items() for term in terms}
    notes_per_pair: dict[int, dict[int, int]] = {}
    for term, author_id, count in (
        PrivateNote.objects.filter(meeting__match__in=pair_of_term)
        .values_list("meeting__match_id", "author_id")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        authors = notes_per_pair.setdefault(pair_of_term[term], {})
        authors[author_id] = authors.get(author_id, 0) + count
    notices = latest_notices(topic=RetentionNotice.Topic.NOTES, about_ids=list(notes_per_pair))

    lines, erase_terms = [], []
    for match in ended:
        authors = notes_per_pair.get(match.pk)
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
                notice=notices.get((author_id, match.pk)),
            )
            for author_id in sorted(authors)
        ]
        if all(outcome == ERASE for outcome in outcomes):
            lines.append(
                f"delete {sum(authors.values())} private notes of pair #{match.pk} (ended {match.ended_on:%Y-%m-%d})"
            )
            erase_terms += chains[match.pk]
        elif WARN in outcomes:
            lines.append(
                f"warn {outcomes.count(WARN)} authors of notes of pair #{match.pk}: "
                f"deleted from {max(erase_on, today + warning):%Y-%m-%d}"
            )
    if erase_terms and not dry_run:
        PrivateNote.objects.filter(meeting__match__in=erase_terms).delete()
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
                "meetings.participationcertificate.member": Policy.HERS,
            },
            collect=collect,
            purge=purge,
            order=30,
        )
    )
