"""Retention (AVG art. 5(1)(e)): nothing about a member is kept longer than the programme needs it.

The daily job (``accounts.purge_expired_data``, also ``manage.py purge_expired_data``) runs:

- members who have not taken part and not logged in for RETENTION_INACTIVE_YEARS are erased,
  after a warning mail RETENTION_WARNING_DAYS before;
- and every app's own ``purge`` from the personal-data registry (private notes of ended pairs,
  outbox bodies), each with its period from settings.

Everything it removes is listed, and ``dry_run`` lists without removing or warning.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import DateField
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from core import roles

from .models import RetentionNotice, User
from .personal_data import contributors
from .signals import retention_notice_created

logger = logging.getLogger(__name__)

WARN = "warn"
ERASE = "erase"
WAIT = "wait"


def warning_period() -> datetime.timedelta:
    return datetime.timedelta(days=settings.RETENTION_WARNING_DAYS)


# `warn_then_erase(notice=...)` default: look the newest notice up (one query per call).
LOOK_UP = object()


def latest_notices(*, topic: str, about_ids) -> dict[tuple[int, int], RetentionNotice]:
    """The newest notice per (member, subject) for these subjects, in one query (for jobs over many subjects)."""
    notices = {}
    for notice in RetentionNotice.objects.filter(topic=topic, about_id__in=about_ids).order_by("created_at"):
        notices[(notice.user_id, notice.about_id)] = notice
    return notices


def warn_then_erase(
    *, user_id: int, topic: str, about_id: int, erase_on, since, today, dry_run: bool, notice=LOOK_UP
) -> str:
    """The one rule for everything retention erases about a person: warn first, erase only later.

    A warning counts when it was given after ``since`` (her last activity, or the pair's end),
    so a member who logs in after the warning starts afresh. Returns WARN (warned now, or would
    be in a dry run), ERASE (warned long enough ago and due) or WAIT. A job that read the notices
    in bulk (`latest_notices`) passes the newest one for this member and subject, or None.
    """
    if notice is LOOK_UP:
        notice = (
            RetentionNotice.objects.filter(user_id=user_id, topic=topic, about_id=about_id, created_at__date__gte=since)
            .order_by("-created_at")
            .first()
        )
    elif notice is not None and timezone.localtime(notice.created_at).date() < since:
        notice = None  # a warning from before her last activity no longer counts
    if notice is None:
        if not dry_run:
            with transaction.atomic():
                notice = RetentionNotice.objects.create(
                    user_id=user_id,
                    topic=topic,
                    about_id=about_id,
                    # Never less than the warning period, even when the job first meets a long-expired case.
                    erase_on=max(erase_on, today + warning_period()),
                    created_at=timezone.now(),
                )
                retention_notice_created.send(sender=RetentionNotice, notice_id=notice.pk)
        return WARN
    if notice.erase_on <= today and timezone.localtime(notice.created_at).date() <= today - warning_period():
        return ERASE
    return WAIT


# --- Members who no longer take part --------------------------------------------------------


def with_last_participation(rows, today=None, *, user_path: str = ""):
    """Annotate ``last_participation`` (a date): her last login, sign-up, application or pair, whichever is latest.

    ``rows`` are users, or rows with a foreign key to the user when ``user_path`` names it
    (e.g. "user" for profiles).
    """
    today = today or timezone.localdate()
    prefix = f"{user_path}__" if user_path else ""
    user_ref = f"{user_path}_id" if user_path else "pk"
    joined = TruncDate(f"{prefix}date_joined")
    parts = [TruncDate(f"{prefix}last_login")]
    for contributor in contributors():
        if contributor.last_participation is not None:
            parts.extend(contributor.last_participation(today, user_ref))
    return rows.annotate(
        last_participation=Greatest(joined, *[Coalesce(part, joined) for part in parts], output_field=DateField())
    )


def erase_after(last_participation: datetime.date) -> datetime.date:
    return last_participation + relativedelta(years=settings.RETENTION_INACTIVE_YEARS)


def members_subject_to_retention():
    # Coordinators keep their accounts while they have the role; members are everyone else.
    return User.objects.exclude(pk__in=roles.coordinators().values("pk")).filter(is_superuser=False)


def _purge_inactive_members(today, dry_run) -> list[str]:
    from .data_rights import member_erase

    cutoff = today + warning_period() - relativedelta(years=settings.RETENTION_INACTIVE_YEARS)
    candidates = with_last_participation(members_subject_to_retention(), today).filter(last_participation__lte=cutoff)
    lines = []
    for member in candidates.order_by("pk"):
        due = erase_after(member.last_participation)
        outcome = warn_then_erase(
            user_id=member.pk,
            topic=RetentionNotice.Topic.ACCOUNT,
            about_id=0,
            erase_on=due,
            since=member.last_participation,
            today=today,
            dry_run=dry_run,
        )
        label = f"member #{member.pk} (last took part {member.last_participation:%Y-%m-%d})"
        if outcome == WARN:
            lines.append(f"warn {label}: account erased from {max(due, today + warning_period()):%Y-%m-%d}")
        elif outcome == ERASE:
            lines.append(f"erase {label}")
            if not dry_run:
                member_erase(member=member, by=None)
    return lines


@dataclass
class RetentionReport:
    lines: list[str]
    dry_run: bool


def purge_expired_data(*, today: datetime.date | None = None, dry_run: bool = False) -> RetentionReport:
    """The daily retention run. Idempotent: a second run on the same day warns nobody twice."""
    today = today or timezone.localdate()
    lines = _purge_inactive_members(today, dry_run)
    for contributor in contributors():
        if contributor.purge is not None:
            lines += contributor.purge(today=today, dry_run=dry_run)
    if not dry_run and lines:
        logger.info("Retention: %s", "; ".join(lines))
    return RetentionReport(lines=lines, dry_run=dry_run)
