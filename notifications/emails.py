"""Turning an outbox row into an e-mail, in the recipient's language, at sending time.

Every message is built from the row's subject (a match, an invitation) and the
recipient, so the outbox and the Celery payloads hold ids only. What goes in a
body is chosen here and nowhere else: contact details and links, never meeting
notes, evaluation answers or the mentorvraag (R11, R14).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import selectors
from .models import OutboxMessage

Kind = OutboxMessage.Kind
OUTBOX_HEADER = "X-Mentorprogramma-Outbox-Id"


class PermanentDeliveryError(Exception):
    """Sending can never succeed (its subject is gone): mark failed, do not retry."""


@dataclass
class Content:
    subject: str
    paragraphs: list[str]
    details: list[tuple[str, str]] = field(default_factory=list)
    actions: list[tuple[str, str]] = field(default_factory=list)
    # Why she gets this e-mail, when it is not that she takes part in the programme.
    reason: str = ""


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _reverse_or(name: str, pk: int, fallback: str) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        # Until the matching app provides the page, the dashboard leads to it.
        return reverse(fallback)


def pair_url(match) -> str:
    return absolute_url(_reverse_or("matching:pair_detail", match.pk, "dashboard"))


def renewal_url(match, answer: str) -> str:
    return absolute_url(_reverse_or("matching:renewal", match.pk, "dashboard")) + f"?answer={answer}"


def _date(value) -> str:
    # "15 januari 2028" / "15 January 2028": day first in both languages, as the programme writes dates.
    return date_format(value, "j F Y")


def _contact_details(user) -> list[tuple[str, str]]:
    details = [(_("Name"), user.full_name), (_("E-mail"), user.email)]
    profile = getattr(user, "profile", None)
    if profile is not None and profile.phone:
        details.append((_("Phone"), profile.phone))
    if profile is not None and profile.linkedin_url:
        details.append((_("LinkedIn"), profile.linkedin_url))
    return details


def _is_renewed_term(match) -> bool:
    return match.term > 1 or match.previous_term_id is not None


def _new_term(message, match) -> Content:
    """R5: a renewed term is not a new introduction: the pair know each other and continue together."""
    partner = _partner(match, message.recipient)
    return Content(
        subject=_("Your mentorship with %(name)s continues: a new term") % {"name": partner.full_name},
        paragraphs=[
            _(
                "You both chose to continue: your mentorship with %(name)s enters a new term. It starts on "
                "%(start)s and runs until %(end)s."
            )
            % {"name": partner.full_name, "start": _date(match.start_date), "end": _date(match.planned_end)},
            _(
                "A good moment to sit down together and look ahead: is your mentoring question still the same, "
                "or is there a new mission for this year? You can review your agreements on your pair page."
            ),
        ],
        actions=[(_("Open your pair page"), pair_url(match))],
    )


def _starts_later(match) -> bool:
    return match.start_date is not None and match.start_date > timezone.localdate()


def _start_paragraph(match) -> list[str]:
    """Matched before the cycle's start: say when it starts, and that the introduction need not wait."""
    if not _starts_later(match):
        return []
    return [
        _(
            "Your mentorship starts on %(date)s. You do not have to wait for that: you can plan your "
            "introductory meeting on any day from now on."
        )
        % {"date": _date(match.start_date)}
    ]


def first_contact_url(match) -> str:
    return absolute_url(_reverse_or("matching:first_contact", match.pk, "dashboard"))


def _match_mentee(message, match) -> Content:
    if _is_renewed_term(match):
        return _new_term(message, match)
    mentor = match.mentor
    days = settings.MATCHING_FIRST_CONTACT_REMINDER_DAYS
    return Content(
        subject=_("Your mentor in the mentor programme: %(name)s") % {"name": mentor.full_name},
        paragraphs=[
            _("Good news: you have been matched with a mentor. Your mentor is %(name)s.") % {"name": mentor.full_name},
            ngettext(
                "You make the first contact: e-mail or call %(name)s within %(days)s day to plan an introductory "
                "meeting, in person or online. In that meeting you discuss your mentoring question and agree "
                "how often and how you will meet.",
                "You make the first contact: e-mail or call %(name)s within %(days)s days to plan an introductory "
                "meeting, in person or online. In that meeting you discuss your mentoring question and agree "
                "how often and how you will meet.",
                days,
            )
            % {"name": mentor.get_short_name(), "days": days},
            *_start_paragraph(match),
            _("These are her contact details:"),
        ],
        details=_contact_details(mentor),
        actions=[
            (_("I have made contact"), first_contact_url(match)),
            (_("Open your pair page"), pair_url(match)),
        ],
    )


def _match_mentor(message, match) -> Content:
    if _is_renewed_term(match):
        return _new_term(message, match)
    mentee = match.mentee
    return Content(
        subject=_("Your mentee in the mentor programme: %(name)s") % {"name": mentee.full_name},
        paragraphs=[
            _("You have been matched with a mentee: %(name)s. Thank you for sharing your experience.")
            % {"name": mentee.full_name},
            _(
                "%(name)s has received your contact details and will contact you to plan an introductory "
                "meeting. Her mentoring question is on your pair page."
            )
            % {"name": mentee.get_short_name()},
            *_start_paragraph(match),
        ],
        details=[(_("Name"), mentee.full_name), (_("E-mail"), mentee.email)],
        actions=[(_("Open your pair page"), pair_url(match))],
    )


def _evaluation(message, invitation, *, reminder: bool) -> Content:
    round_ = invitation.round
    if reminder:
        subject = _("Reminder: evaluation %(round)s") % {"round": round_.name}
        opening = _(
            "A friendly reminder: we have not yet received your evaluation “%(round)s”. It takes only a few "
            "minutes and is anonymous."
        ) % {"round": round_.name}
    else:
        subject = _("Please share your experience: evaluation %(round)s") % {"round": round_.name}
        opening = _(
            "The evaluation “%(round)s” of the mentor programme is open. Your answers help us improve the "
            "programme and are processed anonymously."
        ) % {"round": round_.name}
    return Content(
        subject=subject,
        paragraphs=[
            opening,
            _("The form is open until %(date)s. The link below is personal: please do not forward it.")
            % {"date": _date(round_.closes_on)},
        ],
        actions=[(_("Fill in the evaluation"), absolute_url(invitation.get_absolute_url()))],
    )


def _partner(match, recipient):
    return match.partner_of(recipient)


def _quiet_pair_nudge(message, match) -> Content:
    partner = _partner(match, message.recipient)
    values = {"name": partner.full_name, "date": _date(match.start_date)}
    if _is_renewed_term(match):
        # They know each other and met in the earlier term: no "first meeting" here.
        paragraphs = [
            _(
                "The new term of your mentorship with %(name)s started on %(date)s, and no meeting has been "
                "logged in it yet."
            )
            % values,
            _(
                "Have you already met in this new term? Then log the meeting on your pair page. If not, now is a "
                "good moment to plan your next meeting."
            ),
        ]
    else:
        paragraphs = [
            _("Your mentorship with %(name)s started on %(date)s, and no meeting has been logged yet.") % values,
            _(
                "Have you already met? Then log the meeting on your pair page. If not, now is a good moment "
                "to plan your first meeting together."
            ),
        ]
    return Content(
        subject=_("How is your mentorship going?"),
        paragraphs=paragraphs,
        actions=[(_("Open your pair page"), pair_url(match))],
    )


def _meetings_reminder(message, match) -> Content:
    partner = _partner(match, message.recipient)
    return Content(
        subject=_("At least two meetings during your mentorship"),
        paragraphs=[
            _("Your mentorship with %(name)s runs until %(date)s.")
            % {"name": partner.full_name, "date": _date(match.planned_end)},
            _(
                "The programme asks every pair to meet at least twice, and fewer than two meetings have been "
                "logged so far. Plan your next meeting now, and log the meetings you have held on your pair page."
            ),
        ],
        actions=[(_("Open your pair page"), pair_url(match))],
    )


def _renewal_question(message, match) -> Content:
    partner = _partner(match, message.recipient)
    return Content(
        subject=_("Would you like to continue your mentorship?"),
        paragraphs=[
            _(
                "Your mentorship with %(name)s ends on %(date)s. After the year you may continue together if "
                "you both want to, possibly with a new mentoring question."
            )
            % {"name": partner.full_name, "date": _date(match.planned_end)},
            _("%(name)s gets the same question; you continue only if you both say yes.")
            % {"name": partner.get_short_name()},
        ],
        actions=[
            (_("Yes, I would like to continue"), renewal_url(match, "yes")),
            (_("No, I will stop after this year"), renewal_url(match, "no")),
        ],
    )


def _coordinator_digest(message, _subject) -> Content:
    counts = selectors.digest_counts()
    details = [
        (_("Registrations awaiting verification"), str(counts["awaiting_verification"])),
        (_("Mentees without a match"), str(counts["unmatched_mentees"])),
        (_("Active pairs without a meeting held"), str(counts["pairs_without_meetings"])),
    ]
    actions = [
        (
            _("Registrations to verify"),
            absolute_url(reverse("admin:accounts_profile_changelist") + "?verification_status__exact=wacht"),
        ),
        (_("Applications and matches"), absolute_url(reverse("admin:matching_match_changelist"))),
    ]
    if counts["failed_messages"]:
        details.append((_("E-mails that could not be sent"), str(counts["failed_messages"])))
        actions.append(
            (
                _("E-mails to look at"),
                absolute_url(reverse("admin:notifications_outboxmessage_changelist") + "?status__exact=mislukt"),
            )
        )
    return Content(
        subject=_("Weekly overview of the mentor programme (%(week)s)") % {"week": message.period},
        paragraphs=[_("This is the weekly overview of the mentor programme: counts only, details are in the admin.")],
        details=details,
        actions=actions,
        reason=_("You receive this e-mail because you are a coordinator of the mentor programme."),
    )


BUILDERS = {
    Kind.MATCH_MENTEE: _match_mentee,
    Kind.MATCH_MENTOR: _match_mentor,
    Kind.EVALUATION_INVITATION: lambda message, invitation: _evaluation(message, invitation, reminder=False),
    Kind.EVALUATION_REMINDER: lambda message, invitation: _evaluation(message, invitation, reminder=True),
    Kind.QUIET_PAIR_NUDGE: _quiet_pair_nudge,
    Kind.MEETINGS_REMINDER: _meetings_reminder,
    Kind.RENEWAL_QUESTION: _renewal_question,
    Kind.COORDINATOR_DIGEST: _coordinator_digest,
}


# Everything a builder reads from a subject, fetched in the same query.
SUBJECT_RELATED = {
    "matching.match": ["mentor__profile", "mentee__profile"],
    "evaluations.invitation": ["round"],
}


def subject_of(message):
    if not message.subject_type:
        return None
    try:
        model = apps.get_model(message.subject_type)
        rows = model._default_manager.select_related(*SUBJECT_RELATED.get(message.subject_type, []))
        return rows.get(pk=message.subject_id)
    except (LookupError, ValueError) as exc:
        raise PermanentDeliveryError(f"unknown subject type {message.subject_type}") from exc
    except model.DoesNotExist as exc:
        raise PermanentDeliveryError(f"{message.subject_type} {message.subject_id} no longer exists") from exc


def subjects_for(messages) -> dict[tuple[str, int], object]:
    """The subjects of a batch of messages, one query per type (what build_email would fetch one by one)."""
    wanted = defaultdict(set)
    for message in messages:
        if message.subject_type:
            wanted[message.subject_type].add(message.subject_id)
    found = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue  # build_email reports it for the message itself
        rows = model._default_manager.select_related(*SUBJECT_RELATED.get(label, [])).in_bulk(ids)
        found.update({(label, pk): row for pk, row in rows.items()})
    return found


def recipient_language(user) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in languages else settings.LANGUAGE_CODE


def build_email(message: OutboxMessage, subjects: dict | None = None) -> EmailMultiAlternatives:
    recipient = message.recipient
    subject = (subjects or {}).get((message.subject_type, message.subject_id)) or subject_of(message)
    with translation.override(recipient_language(recipient)):
        content = BUILDERS[message.kind](message, subject)
        context = {
            "content": content,
            "recipient": recipient,
            "programme_name": _("Mentor programme NOB Women's Network"),
            "contact_email": settings.PROGRAMME_CONTACT_EMAIL,
            "site_url": settings.SITE_URL,
            "language": translation.get_language(),
        }
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
    email = EmailMultiAlternatives(
        subject=content.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        reply_to=[settings.PROGRAMME_CONTACT_EMAIL],
        headers={OUTBOX_HEADER: str(message.pk)},
    )
    email.attach_alternative(html, "text/html")
    return email
