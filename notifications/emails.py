"""Turning an outbox row into an e-mail, in the recipient's language, at sending time.

Every message is built from the row's subject (a match, an invitation) and the
recipient, so the outbox and the Celery payloads hold ids only. What goes in a
body is chosen here and nowhere else: contact details and links, never meeting
notes, evaluation answers or the mentorvraag (R11, R14).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from email.mime.text import MIMEText
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import RetentionNotice
from matching import selectors as matching_selectors
from matching.selectors import may_see_contact_details

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
    # MIME parts to attach, e.g. a calendar invitation.
    attachments: list = field(default_factory=list)


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
    if match.is_renewed_term:
        return _new_term(message, match)
    mentor = match.mentor
    days = settings.MATCHING_FIRST_CONTACT_REMINDER_DAYS
    # Built at sending time: a pair that ended meanwhile gets no contact details (R8).
    shared = may_see_contact_details(viewer=message.recipient, person=mentor)
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
            *([_("These are her contact details:")] if shared else []),
        ],
        details=_contact_details(mentor) if shared else [],
        actions=[
            *([(_("I have made contact"), first_contact_url(match))] if shared else []),
            (_("Open your pair page"), pair_url(match)),
        ],
    )


def _match_mentor(message, match) -> Content:
    if match.is_renewed_term:
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
    """One e-mail per person per round (issue 15 §6): each of her roles named, each with its own link."""
    round_ = invitation.round
    # The round's name says "evaluation" already ("Tussentijdse evaluatie"): the subject does not repeat it.
    invitations = selectors.invitations_of(invitation, unanswered=reminder) or [invitation]
    if reminder:
        subject = _("Reminder: %(round)s") % {"round": round_.name}
        opening = _(
            "A friendly reminder: we have not yet received your evaluation “%(round)s”. It takes only a few "
            "minutes and is anonymous."
        ) % {"round": round_.name}
    else:
        subject = _("Share your experience: %(round)s") % {"round": round_.name}
        opening = _(
            "The evaluation “%(round)s” of the mentor programme is open. Your answers help us improve the "
            "programme and are processed anonymously."
        ) % {"round": round_.name}
    paragraphs = [opening]
    if len(invitations) > 1:
        paragraphs.append(
            _(
                "You take part both as a mentor and as a mentee, so there is a form for each role, each with its "
                "own link. Please fill in both."
            )
        )
    paragraphs.append(
        _("The form is open until %(date)s. The links below are personal: please do not forward them.")
        % {"date": _date(round_.closes_on)}
    )
    labels = {"mentor": _("Fill in the evaluation as a mentor"), "mentee": _("Fill in the evaluation as a mentee")}
    return Content(
        subject=subject,
        paragraphs=paragraphs,
        actions=[(labels[item.role], absolute_url(item.get_absolute_url())) for item in invitations],
    )


def _partner(match, recipient):
    return match.partner_of(recipient)


def _quiet_pair_nudge(message, match) -> Content:
    partner = _partner(match, message.recipient)
    values = {"name": partner.full_name, "date": _date(match.start_date)}
    if match.is_renewed_term:
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
    # Issue 15 §2: pairs matched three weeks ago (configurable) without a first contact, by name.
    for match in matching_selectors.pairs_without_first_contact():
        details.append(
            (
                _("No first contact yet"),
                _("%(mentee)s with mentor %(mentor)s, matched on %(date)s")
                % {
                    "mentee": match.mentee.full_name,
                    "mentor": match.mentor.full_name,
                    "date": _date(timezone.localdate(match.confirmed_at)),
                },
            )
        )
    # Issue 15 §3: pairs where a partner said it does not fit, until a coordinator acted on it.
    for match in matching_selectors.fit_concerns():
        details.append(
            (
                _("Does not fit"),
                _("%(mentee)s with mentor %(mentor)s")
                % {"mentee": match.mentee.full_name, "mentor": match.mentor.full_name},
            )
        )
    # Issue 15 §4, R6: who stepped out this past week (the reasons are in the admin, not in a mail).
    applications, ended = selectors.withdrawals_since(timezone.now() - datetime.timedelta(days=7))
    for application in applications:
        details.append(
            (
                _("Withdrawn"),
                _("%(name)s, %(role)s in %(cycle)s")
                % {
                    "name": application.member.full_name,
                    "role": application.get_role_display(),
                    "cycle": application.cycle,
                },
            )
        )
    for match in ended:
        details.append(
            (
                _("Mentorship ended early"),
                _("%(mentee)s with mentor %(mentor)s, on %(date)s")
                % {"mentee": match.mentee.full_name, "mentor": match.mentor.full_name, "date": _date(match.ended_on)},
            )
        )
    # The same next step as on top of the cockpit's year plan, and the way to the cockpit.
    from coordination.cockpit import programme_next_step

    step = programme_next_step()
    if step is not None:
        details.insert(0, (_("Next step"), f"{step.label} ({date_format(step.due, 'j F Y')})"))
    actions.insert(0, (_("Coordination"), absolute_url(reverse("coordination"))))
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
        paragraphs=[
            _(
                "This is the weekly overview of the mentor programme: counts, the pairs that need you, and who "
                "stepped out. Details are in the admin."
            )
        ],
        details=details,
        actions=actions,
        reason=_("You receive this e-mail because you are a coordinator of the mentor programme."),
    )


def _verification_decision(message, profile) -> Content:
    """R2: verified, or rejected with the coordinators' reason; the decision is the one recorded in the period."""
    profile_url = absolute_url(reverse("accounts:profile"))
    from accounts.models import VerificationStatus

    if message.period[:1] == VerificationStatus.VERIFIED[:1]:
        return Content(
            subject=_("Your NOB membership has been verified"),
            paragraphs=[
                _(
                    "Your NOB membership has been verified. You can now apply for a cycle of the mentor programme "
                    "whenever applications are open. Your profile shows what you can do next."
                )
            ],
            actions=[(_("Open your profile"), profile_url)],
        )
    paragraphs = [_("Unfortunately we could not verify your NOB membership. The coordinators' reason:")]
    if profile.verification_note:
        paragraphs.append(profile.verification_note)
    paragraphs.append(
        _("If your membership number or type was wrong, correct it in your profile; a coordinator then looks again.")
    )
    return Content(
        subject=_("Your NOB membership could not be verified"),
        paragraphs=paragraphs,
        actions=[(_("Open your profile"), profile_url)],
    )


def _account_message(message, _subject) -> Content:
    """allauth's e-mails in the programme's own words; the context (its secret link) is unsealed here only."""
    from .accounts_mail import account_content

    return account_content(message)


# --- First contact (R8) ----------------------------------------------------------------


def _first_contact_reminder(message, match) -> Content:
    """One friendly reminder when neither "I have made contact" nor a meeting came (issue 15 §2)."""
    mentor = match.mentor
    return Content(
        subject=_("Have you been in touch with %(name)s yet?") % {"name": mentor.full_name},
        paragraphs=[
            _(
                "On %(date)s you were matched with your mentor %(name)s. Have you already e-mailed or called her "
                "to plan your introductory meeting? Then let us know with one click, so we do not ask again."
            )
            % {"date": _date(timezone.localdate(match.confirmed_at)), "name": mentor.full_name},
            _(
                "Not yet? No problem: now is a good moment. A short e-mail proposing a few dates is enough. "
                "Her contact details are on your pair page."
            ),
        ],
        actions=[
            (_("I have made contact"), first_contact_url(match)),
            (_("Open your pair page"), pair_url(match)),
        ],
    )


# --- Meetings: the other partner is told, with a calendar update (issue 15 §4) -------------


def _when(meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    return f"{date_format(start, 'l j F Y')}, {date_format(start, 'H:i')}–{date_format(end, 'H:i')}"


def _calendar_part(meeting, recipient):
    from meetings.calendar import meeting_ics

    method = "CANCEL" if meeting.status == meeting.Status.CANCELLED else "REQUEST"
    ics = meeting_ics(meeting, recipient, settings.SITE_URL, method=method).decode()
    part = MIMEText(ics, "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="afspraak.ics")
    return part


def meeting_url(meeting) -> str:
    return absolute_url(reverse("meetings:detail", args=[meeting.pk]))


def _meeting_details(meeting) -> list[tuple[str, str]]:
    details = [(_("When"), _when(meeting)), (_("How"), meeting.get_mode_display())]
    if meeting.location:
        details.append((_("Where"), meeting.location))
    if meeting.video_url:
        details.append((_("Video link"), meeting.video_url))
    return details


def _meeting_message(message, meeting) -> Content:
    # The recipient is the partner of whoever made the change.
    actor = meeting.match.partner_of(message.recipient)
    values = {"name": actor.full_name}
    kind = message.kind
    if kind == Kind.MEETING_CANCELLED or meeting.status == meeting.Status.CANCELLED:
        subject = _("Meeting cancelled: %(when)s") % {"when": _when(meeting)}
        opening = _("%(name)s has cancelled your meeting. Your calendar is updated with the attachment.") % values
    elif kind == Kind.MEETING_CHANGED:
        subject = _("Meeting changed: %(when)s") % {"when": _when(meeting)}
        opening = (
            _("%(name)s has changed your meeting. This is how it stands now; the attachment updates your calendar.")
            % values
        )
    elif meeting.is_introduction:
        subject = _("Introductory meeting planned: %(when)s") % {"when": _when(meeting)}
        opening = (
            _("%(name)s has planned your introductory meeting. Open the attachment to add it to your calendar.")
            % values
        )
    else:
        subject = _("Meeting planned: %(when)s") % {"when": _when(meeting)}
        opening = _("%(name)s has planned a meeting with you. Open the attachment to add it to your calendar.") % values
    paragraphs = [opening]
    if meeting.status != meeting.Status.CANCELLED:
        paragraphs.append(
            _("Does it not suit you? Change it on the meeting's page; %(name)s then hears of it.") % values
        )
    return Content(
        subject=subject,
        paragraphs=paragraphs,
        details=_meeting_details(meeting),
        actions=[(_("Open the meeting"), meeting_url(meeting))],
        attachments=[_calendar_part(meeting, message.recipient)],
    )


# --- The pair ended (R6) ------------------------------------------------------------------


def _pair_ended(message, match) -> Content:
    """R6: the partner hears the pair ended; the reason only when whoever ended it chose to share it.

    When the partner erased her account she is told the pair ended, never why, and nothing about her.
    """
    partner = match.partner_of(message.recipient)
    if partner.pk is None:
        return Content(
            subject=_("Your mentorship has ended"),
            paragraphs=[
                _(
                    "Your mentorship in the mentor programme has ended: your partner is no longer taking part. "
                    "Participation is voluntary, and the reason is not shared."
                ),
                _(
                    "Your meetings and your own notes stay available on your pair page. Would you like a new mentor "
                    "or mentee? Let the coordinators know, or apply again in a next cycle."
                ),
            ],
            actions=[(_("Open your pair page"), pair_url(match))],
        )
    ended_by_partner = match.ended_by_id == partner.pk
    if ended_by_partner:
        paragraphs = [
            _("%(name)s has ended your mentorship. Taking part is voluntary, and anyone may stop at any time.")
            % {"name": partner.full_name}
        ]
        # The one rule of who may read a reason (core.disclosure), as on the pair page and in her export.
        if matching_selectors.end_reason_visible_to(match=match, user=message.recipient):
            paragraphs.append(_("She asked us to pass on her reason: “%(reason)s”") % {"reason": match.end_reason})
    else:
        paragraphs = [
            _("Your mentorship with %(name)s has ended.") % {"name": partner.full_name},
        ]
    paragraphs.append(
        _(
            "The coordinators will contact you about what happens next. Thank you for the time and attention you "
            "gave to the programme."
        )
    )
    return Content(
        subject=_("Your mentorship with %(name)s has ended") % {"name": partner.full_name}, paragraphs=paragraphs
    )


# --- Does it fit? (issue 15 §3) -------------------------------------------------------------


def fit_check_url(match, answer: str = "") -> str:
    url = absolute_url(_reverse_or("matching:fit_check", match.pk, "dashboard"))
    return f"{url}?answer={answer}" if answer else url


def _fit_check_question(message, check) -> Content:
    match = check.match
    partner = match.partner_of(message.recipient)
    if check.round > 1:
        opening = _(
            "Last time you were not sure yet whether your match with %(name)s fits. Now that you have met again: "
            "how does it feel?"
        ) % {"name": partner.full_name}
    else:
        opening = _(
            "You have had your introductory meeting with %(name)s. How did it feel: is this a match you want to "
            "continue with?"
        ) % {"name": partner.full_name}
    return Content(
        subject=_("Does it fit? Your match with %(name)s") % {"name": partner.full_name},
        paragraphs=[
            opening,
            _(
                "Your answer is private: only the coordinators see it, never %(name)s. If it does not fit, the "
                "coordinators contact you and look for a better match, without blame."
            )
            % {"name": partner.get_short_name()},
        ],
        actions=[
            (_("Good: it fits"), fit_check_url(match, "goed")),
            (_("Still in doubt"), fit_check_url(match, "twijfel")),
            (_("It does not fit"), fit_check_url(match, "niet")),
        ],
    )


def _fit_check_concern(message, check) -> Content:
    """To each coordinator: a partner said it does not fit. The note stays in the admin."""
    match = check.match
    role = _("mentee") if check.member_id == match.mentee_id else _("mentor")
    return Content(
        subject=_("A match that does not fit: %(mentee)s and %(mentor)s")
        % {"mentee": match.mentee.full_name, "mentor": match.mentor.full_name},
        paragraphs=[
            _(
                "After meeting, %(name)s (%(role)s) said the match of %(mentee)s with mentor %(mentor)s does not "
                "fit. Her partner does not know this answer."
            )
            % {
                "name": check.member.full_name,
                "role": role,
                "mentee": match.mentee.full_name,
                "mentor": match.mentor.full_name,
            },
            _(
                "Please contact them. In the admin you can end the mentorship kindly (both hear that the "
                "coordinators will contact them) and match the mentee again on the matching screen."
            ),
        ],
        actions=[
            (_("The answer and her note"), absolute_url(reverse("admin:matching_fitcheck_change", args=[check.pk]))),
            (_("The mentorship"), absolute_url(reverse("admin:matching_match_change", args=[match.pk]))),
        ],
        reason=_("You receive this e-mail because you are a coordinator of the mentor programme."),
    )


# --- Not matched this cycle (issue 15 §5) ----------------------------------------------------


def _not_matched(message, application) -> Content:
    cycle = application.cycle
    if application.role == "mentor":
        paragraphs = [
            _(
                "Thank you for offering to be a mentor in %(cycle)s. This time we have not matched you with a "
                "mentee: there were not enough mentees whose question fitted what you offer."
            )
            % {"cycle": cycle},
            _(
                "You stay on the waiting list for this cycle. If a mentee needs a new match, for example because a "
                "pair does not fit, the coordinators may contact you. Otherwise we hope to see you again when "
                "applications for the next cycle open; we will let you know."
            ),
        ]
    else:
        paragraphs = [
            _(
                "Thank you for applying as a mentee in %(cycle)s. Unfortunately we have not found a mentor who "
                "fits your question this time. We know this is disappointing."
            )
            % {"cycle": cycle},
            _(
                "You stay on the waiting list for this cycle: if a mentor becomes available, the coordinators will "
                "contact you. You are also welcome to apply again for the next cycle; we will let you know when "
                "applications open."
            ),
        ]
    return Content(
        subject=_("Your application for %(cycle)s: not matched this time") % {"cycle": cycle},
        paragraphs=paragraphs,
        actions=[(_("Your overview"), absolute_url(reverse("matching:overview")))],
    )


def _retention_warning(message, notice) -> Content:
    my_data = absolute_url(reverse("my_data:overview"))
    values = {"date": _date(notice.erase_on), "years": settings.RETENTION_INACTIVE_YEARS}
    if notice.topic == RetentionNotice.Topic.NOTES:
        return Content(
            subject=_("Your private meeting notes will be deleted on %(date)s") % values,
            paragraphs=[
                _(
                    "Your mentorship ended a while ago. The programme keeps private meeting notes only for a "
                    "limited time after a pair ends, so your notes of that mentorship will be deleted on %(date)s."
                )
                % values,
                _("Would you like to keep them? Download your data before that date."),
            ],
            actions=[(_("Download my data"), my_data)],
        )
    return Content(
        subject=_("Your account in the mentor programme will be deleted on %(date)s") % values,
        paragraphs=[
            _(
                "You have not taken part in the mentor programme or logged in for almost %(years)s years. "
                "The programme does not keep personal data longer than it needs, so your account and your data "
                "will be deleted on %(date)s."
            )
            % values,
            _("Would you like to stay? Simply log in before that date. You can also download your data first."),
        ],
        actions=[(_("Log in"), absolute_url(reverse("account_login"))), (_("Download my data"), my_data)],
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
    Kind.VERIFICATION_DECISION: _verification_decision,
    Kind.ACCOUNT: _account_message,
    Kind.FIRST_CONTACT_REMINDER: _first_contact_reminder,
    Kind.MEETING_PLANNED: _meeting_message,
    Kind.MEETING_CHANGED: _meeting_message,
    Kind.MEETING_CANCELLED: _meeting_message,
    Kind.PAIR_ENDED: _pair_ended,
    Kind.FIT_CHECK_QUESTION: _fit_check_question,
    Kind.FIT_CHECK_CONCERN: _fit_check_concern,
    Kind.NOT_MATCHED: _not_matched,
    Kind.RETENTION_WARNING: _retention_warning,
}


# Everything a builder reads from a subject, fetched in the same query.
SUBJECT_RELATED = {
    "matching.match": ["mentor__profile", "mentee__profile"],
    "evaluations.invitation": ["round"],
    "accounts.profile": ["user"],
    "meetings.meeting": ["match__mentor", "match__mentee", "created_by"],
    "matching.fitcheck": ["match__mentor", "match__mentee", "member"],
    "matching.application": ["cycle"],
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
    # An invitation e-mail names all her roles in the round: read them for the whole batch at once.
    selectors.remember_round_invitations(
        row for (label, _pk), row in found.items() if label == "evaluations.invitation"
    )
    return found


def recipient_language(user) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    return user.language if user is not None and user.language in languages else settings.LANGUAGE_CODE


def message_language(message: OutboxMessage) -> str:
    if message.kind == Kind.ACCOUNT:
        from .accounts_mail import account_language

        return account_language(message)
    return recipient_language(message.recipient)


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def build_email(message: OutboxMessage, subjects: dict | None = None) -> EmailMultiAlternatives:
    recipient = message.recipient
    subject = (subjects or {}).get((message.subject_type, message.subject_id)) or subject_of(message)
    with translation.override(message_language(message)):
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
        to=[message.address],
        reply_to=[settings.PROGRAMME_CONTACT_EMAIL],
        headers={
            OUTBOX_HEADER: str(message.pk),
            # RFC 3834: no out-of-office replies to a machine.
            "Auto-Submitted": "auto-generated",
            "Message-ID": make_msgid(idstring=f"outbox.{message.pk}", domain=site_domain()),
        },
    )
    email.attach_alternative(html, "text/html")
    for part in content.attachments:
        email.attach(part)
    return email
