"""E-mails to a pair: matched (R8), the year's nudges and reminders, renewal (R5), ended (R6), does it fit
(issue 15 §3), and not matched this cycle (issue 15 §5)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from goals import selectors as goal_selectors
from matching import selectors as matching_selectors
from matching.models import FitCheck
from matching.selectors import may_see_contact_details

from ..models import OutboxMessage
from .base import Content, absolute_url, long_date

Kind = OutboxMessage.Kind


def pair_url(match) -> str:
    return absolute_url(reverse("matching:pair_detail", args=[match.pk]))


def renewal_url(match, answer: str) -> str:
    return absolute_url(reverse("matching:renewal", args=[match.pk])) + f"?answer={answer}"


def first_contact_url(match) -> str:
    return absolute_url(reverse("matching:first_contact", args=[match.pk]))


def fit_check_url(match, answer: str = "") -> str:
    url = absolute_url(reverse("matching:fit_check", args=[match.pk]))
    return f"{url}?answer={answer}" if answer else url


def _partner(match, recipient):
    return match.partner_of(recipient)


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
            % {"name": partner.full_name, "start": long_date(match.start_date), "end": long_date(match.planned_end)},
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
        % {"date": long_date(match.start_date)}
    ]


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


def _quiet_pair_nudge(message, match) -> Content:
    partner = _partner(match, message.recipient)
    values = {"name": partner.full_name, "date": long_date(match.start_date)}
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
            % {"name": partner.full_name, "date": long_date(match.planned_end)},
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
            % {"name": partner.full_name, "date": long_date(match.planned_end)},
            _("%(name)s gets the same question; you continue only if you both say yes.")
            % {"name": partner.get_short_name()},
        ],
        actions=[
            (_("Yes, I would like to continue"), renewal_url(match, "yes")),
            (_("No, I will stop after this year"), renewal_url(match, "no")),
        ],
    )


# --- Goals check-in halfway (issue 26 §2) ------------------------------------------------


def goals_url(match) -> str:
    return absolute_url(reverse("goals:list", args=[match.pk]))


def _goals_check_in(message, match) -> Content:
    """Halfway through the term: "jullie doelen", never a goal's text (R11: the goals are the pair's own)."""
    partner = _partner(match, message.recipient)
    if goal_selectors.pair_has_goals(match=match):
        paragraphs = [
            _(
                "You are halfway through your mentorship with %(name)s: a good moment to look at your goals "
                "together. What have you reached, what is the next step, and do your goals still fit?"
            )
            % {"name": partner.full_name},
            _("You can update your goals on your pair page; only the two of you can read them."),
        ]
    else:
        paragraphs = [
            _(
                "You are halfway through your mentorship with %(name)s. You have not set goals yet: turning the "
                "mentoring question into one to three goals helps you both see what you are working towards."
            )
            % {"name": partner.full_name},
        ]
    return Content(
        subject=_("How are your goals coming along?"),
        paragraphs=paragraphs,
        actions=[(_("Open your goals"), goals_url(match))],
    )


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
            % {"date": long_date(timezone.localdate(match.confirmed_at)), "name": mentor.full_name},
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
    if message.recipient.pk == match.mentee_id:
        # She is not leaving: her application stays, and the coordinators may match her again (a re-match).
        paragraphs.append(
            _(
                "The coordinators will contact you about what happens next; your application stays, so they can "
                "look for a new mentor with you."
            )
        )
    else:
        paragraphs.append(
            _(
                "The coordinators will contact you about what happens next. Thank you for the time and attention you "
                "gave to this mentorship."
            )
        )
    return Content(
        subject=_("Your mentorship with %(name)s has ended") % {"name": partner.full_name}, paragraphs=paragraphs
    )


# --- Does it fit? (issue 15 §3) -------------------------------------------------------------


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
            (_("Good: it fits"), fit_check_url(match, FitCheck.Answer.GOOD)),
            (_("Still in doubt"), fit_check_url(match, FitCheck.Answer.DOUBT)),
            (_("It does not fit"), fit_check_url(match, FitCheck.Answer.NO)),
        ],
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


def mentor_answer_url(match) -> str:
    return absolute_url(reverse("matching:mentor_answer", args=[match.pk]))


def _mentor_asked(message, match) -> Content:
    """Issue 25 §3: will she mentor this mentee? Her name here; her mentorvraag and the reasons on the page."""
    reminder = message.kind == Kind.MENTOR_ASKED_REMINDER
    values = {"name": match.mentee.full_name, "date": long_date(match.mentor_answer_due)}
    return Content(
        subject=(
            _("Reminder: will you be the mentor of %(name)s?") if reminder else _("Will you be the mentor of %(name)s?")
        )
        % values,
        paragraphs=[
            _(
                "The coordinators would like to match you with %(name)s as her mentor. On your page you read her "
                "mentoring question and why they think you fit."
            )
            % values,
            _(
                "Please answer by %(date)s. Only when you say yes does %(name)s receive your contact details; if "
                "you say no, she does not hear of it and the coordinators look for another mentor."
            )
            % values,
        ],
        actions=[(_("Read her question and answer"), mentor_answer_url(match))],
    )


# --- A pair undone within the hour (issue 28 §4) -------------------------------------------------


def _match_undone(message, application) -> Content:
    """The correction after a pair was undone: it does not go ahead, her application stays."""
    if application.role == "mentor":
        stays = _(
            "Your application as a mentor stays: the coordinators will let you know when they match you with a mentee."
        )
    else:
        stays = _(
            "Your application stays: the coordinators are looking for a mentor for you and will let you know. "
            "You do not need to contact anyone."
        )
    return Content(
        subject=_("Correction: your match in the mentor programme does not go ahead"),
        paragraphs=[
            _(
                "The coordinators have undone your match in %(cycle)s shortly after making it: it does not go "
                "ahead. Did you already receive an e-mail about it? Then please disregard that e-mail. We "
                "apologise for the confusion."
            )
            % {"cycle": application.cycle},
            stays,
        ],
        actions=[(_("Your overview"), absolute_url(reverse("matching:overview")))],
    )


# --- The cycle's dates changed (issue 25 §9) -----------------------------------------------------


def _pair_dates_changed(message, match) -> Content:
    partner = _partner(match, message.recipient)
    if match.is_confirmed:
        opening = _(
            "The coordinators changed the dates of %(cycle)s. Your mentorship with %(name)s now starts on %(start)s "
            "and runs until %(end)s."
        )
    else:
        opening = _(
            "The coordinators changed the dates of %(cycle)s. Your mentorship with %(name)s now runs from %(start)s "
            "until %(end)s."
        )
    return Content(
        subject=_("New dates for your mentorship with %(name)s") % {"name": partner.full_name},
        paragraphs=[
            opening
            % {
                "cycle": match.cycle,
                "name": partner.full_name,
                "start": long_date(match.start_date),
                "end": long_date(match.planned_end),
            },
            _(
                "Nothing else changes. Does the moment you chose to look back and decide whether to continue still "
                "fit? You can change it in your agreement on your pair page."
            ),
        ],
        actions=[(_("Open your pair page"), pair_url(match))],
    )


BUILDERS = {
    Kind.MENTOR_ASKED: _mentor_asked,
    Kind.MENTOR_ASKED_REMINDER: _mentor_asked,
    Kind.MATCH_MENTEE: _match_mentee,
    Kind.MATCH_MENTOR: _match_mentor,
    Kind.QUIET_PAIR_NUDGE: _quiet_pair_nudge,
    Kind.MEETINGS_REMINDER: _meetings_reminder,
    Kind.RENEWAL_QUESTION: _renewal_question,
    Kind.FIRST_CONTACT_REMINDER: _first_contact_reminder,
    Kind.PAIR_ENDED: _pair_ended,
    Kind.FIT_CHECK_QUESTION: _fit_check_question,
    Kind.NOT_MATCHED: _not_matched,
    Kind.MATCH_UNDONE: _match_undone,
    Kind.GOALS_CHECK_IN: _goals_check_in,
    Kind.PAIR_DATES_CHANGED: _pair_dates_changed,
}
