"""Writes for cycles, applications and matches: the one home of the programme's matching rules.

The match lifecycle is a small state machine (see TRANSITIONS): proposed → confirmed
('gekoppeld', before the start date) → active (from the start date) → completed | ended early;
a renewal (R5) is a new term linked to the previous one (``renewal``).
Hard rules are checked with `scoring.hard_rule_violation` on rows locked with
SELECT … FOR UPDATE, so two coordinators confirming at once can never exceed a mentor's
capacity; the partial unique constraint on Match guards the mentee's side as well.

Here: applications, closing matching, making pairs and the pair's year. Beside it: the pair's
agreement (``agreements``), "does it fit?" (``fit_checks``), renewal (``renewal``) and the
optimal proposal as a background job (``proposals``).
"""

import datetime
import logging
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.admin.models import DELETION
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.eligibility import role_decision
from accounts.models import Profile
from core.admin import history_record

from . import selectors
from .agreements import agreement_ensure
from .models import END_CATEGORY_CHOICES, MAX_CHOICES, Agreement, Application, Cycle, Match, MentorChoice, Role
from .organisations import OrganisationRegister
from .scoring import candidate_from_application, hard_rule_violation
from .signals import match_activated, match_ended, match_undone, matching_closed, mentor_asked, pair_has_begun

logger = logging.getLogger(__name__)

TRANSITIONS = {
    Match.Status.PROPOSED: {
        Match.Status.AWAITING_MENTOR,
        Match.Status.CONFIRMED,
        Match.Status.ACTIVE,
        Match.Status.ENDED_EARLY,
    },
    # Issue 25 §3: the mentor says yes (then as a coordinator's confirmation before) or no.
    Match.Status.AWAITING_MENTOR: {
        Match.Status.CONFIRMED,
        Match.Status.ACTIVE,
        Match.Status.DECLINED,
        Match.Status.ENDED_EARLY,
    },
    Match.Status.DECLINED: set(),
    Match.Status.CONFIRMED: {Match.Status.ACTIVE, Match.Status.ENDED_EARLY},
    Match.Status.ACTIVE: {Match.Status.COMPLETED, Match.Status.ENDED_EARLY},
    Match.Status.COMPLETED: set(),
    Match.Status.ENDED_EARLY: set(),
}
# Issue 27 §2: every early end has a category; "not recorded" is the system's, never a choice.
CHOOSABLE_END_CATEGORIES = [value for value, _label in END_CATEGORY_CHOICES]
CATEGORY_REQUIRED = gettext_lazy("Choose what comes closest to why the mentorship ends.")
# Cycles in which coordinators may (still) make pairs, e.g. from the waiting list.
MATCHABLE_CYCLE_STATUSES = (Cycle.Status.OPEN, Cycle.Status.MATCHING, Cycle.Status.RUNNING)
APPLICATION_FIELDS = {
    Role.MENTEE: (
        "mentoring_question",
        "meeting_preference",
        "prefers_same_region",
        "allow_same_organisation",
        "avoid_organisations",
    ),
    Role.MENTOR: ("capacity", "availability", "meeting_preference", "offer"),
}


def match_may_become(match: Match, target: str) -> bool:
    """Whether the lifecycle allows this step now; screens ask it before offering the step."""
    return target in TRANSITIONS[Match.Status(match.status)]


def check_transition(match: Match, target: str) -> None:
    if not match_may_become(match, target):
        raise ValidationError(
            _("A match that is %(current)s cannot become %(target)s.")
            % {"current": match.get_status_display(), "target": Match.Status(target).label},
            code="invalid_transition",
        )


# --- Applications -------------------------------------------------------------------


def _check_may_apply(*, member, cycle: Cycle, role: str) -> None:
    decision = role_decision(member, role)  # R2, and R3 for a mentor
    if not decision:
        raise ValidationError(decision.reason, code="not_eligible")
    if not selectors.open_cycles().filter(pk=cycle.pk).exists():
        raise ValidationError(_("Applications for %(cycle)s are closed.") % {"cycle": cycle}, code="cycle_closed")


def _set_application_fields(application: Application, role: str, data: dict) -> None:
    for name in APPLICATION_FIELDS[role]:
        if name in data:
            setattr(application, name, data[name])
    if role == Role.MENTEE:
        application.mentoring_question = (application.mentoring_question or "").strip()
        if not application.mentoring_question:
            raise ValidationError(
                {"mentoring_question": _("Describe your mentoring question or goal: your pair starts from it.")}
            )  # R7


@transaction.atomic
def application_submit(*, member, cycle: Cycle, role: str, topics=(), **data) -> Application:
    """A verified member applies to an open cycle as mentee (R7) or mentor (R3).

    Applying again after withdrawing reopens the same application.
    """
    _check_may_apply(member=member, cycle=cycle, role=role)
    application = Application.objects.filter(cycle=cycle, member=member, role=role).first()
    if application and application.status == Application.Status.SUBMITTED:
        raise ValidationError(_("You have already applied in this role for %(cycle)s.") % {"cycle": cycle})
    if application is None:
        application = Application(cycle=cycle, member=member, role=role)
    application.status = Application.Status.SUBMITTED
    _set_application_fields(application, role, data)
    application.full_clean()
    application.save()
    application.topics.set(topics)
    return application


@transaction.atomic
def application_update(*, application: Application, topics=None, **data) -> Application:
    """Edit until matched (R6); afterwards her pair's agreement is where things change."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status == Application.Status.WITHDRAWN:
        raise ValidationError(_("This application was withdrawn; apply again to take part."))
    if selectors.matches_known_to_member(application=application).exists():
        raise ValidationError(
            _("You have been matched already, so this application can no longer be changed."), code="matched"
        )
    _set_application_fields(application, application.role, data)
    application.full_clean()
    application.save()
    if topics is not None:
        application.topics.set(topics)
    return application


@transaction.atomic
def application_withdraw(
    *, application: Application, by, reason: str = "", category: str = "", share_reason: bool = False
) -> Application:
    """R6: anyone may withdraw. A live match then ends early, with her reason and its category."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status == Application.Status.WITHDRAWN:
        raise ValidationError(_("This application has already been withdrawn."))
    live = list(selectors.live_matches_for_application(application=application))
    # A mentee does not know of a pair still waiting for the mentor's yes (issue 25 §3): it ends without asking.
    known = [match for match in live if not (application.role == Role.MENTEE and match.is_awaiting_mentor)]
    reason = (reason or "").strip()
    if known:
        errors = {}
        if not reason:
            errors["reason"] = _("You have been matched: tell your pair and the coordinators briefly why you stop.")
        if category not in CHOOSABLE_END_CATEGORIES:
            errors["category"] = CATEGORY_REQUIRED
        if errors:
            raise ValidationError(errors)
    for match in live:
        if match in known:
            match_end_early(match=match, by=by, reason=reason, category=category, reason_shared=share_reason)
        else:
            match_end_early(
                match=match, by=by, reason=_("The mentee withdrew her application."), category=Match.EndCategory.OTHER
            )
    application.status = Application.Status.WITHDRAWN
    application.withdrawn_at = timezone.now()
    application.full_clean()
    application.save()
    return application


# --- The mentee's choices (issue 25 §1) ---------------------------------------------------------


@transaction.atomic
def mentor_choices_set(*, application: Application, by, mentor_application_ids: list[int]) -> list[MentorChoice]:
    """Her ranking of up to three mentors from her shortlist, first choice first; replaces the earlier one.

    Only while the cycle's application window is open; only mentors the hard rules allow her
    (`selectors.offerable_mentors`). Saving the application too marks the cycle changed, so the
    Koppelscherm's suggestions and a stored proposal take the new ranking into account.
    """
    application = Application.objects.select_for_update().select_related("cycle").get(pk=application.pk)
    if application.member_id != by.pk:
        raise ValidationError(_("Only the mentee herself can rank her mentors."))
    if not selectors.choices_open(application=application):
        raise ValidationError(
            _("The application period has closed: your choices can no longer be changed."), code="choices_closed"
        )
    ids = [int(pk) for pk in mentor_application_ids if pk]
    if len(ids) > MAX_CHOICES:
        raise ValidationError(_("You can rank up to three mentors."))
    if len(set(ids)) != len(ids):
        raise ValidationError(_("You can rank a mentor only once."))
    allowed = {mentor.application_id for mentor in selectors.offerable_mentors(application=application)[0]}
    if any(pk not in allowed for pk in ids):
        raise ValidationError(_("Choose mentors from your list; this mentor is no longer available."))
    MentorChoice.objects.filter(application=application).delete()
    choices = []
    for rank, pk in enumerate(ids, start=1):
        choice = MentorChoice(application=application, mentor_application_id=pk, rank=rank)
        choice.full_clean()
        choice.save()
        choices.append(choice)
    application.save(update_fields=["updated_at"])
    return choices


# --- Closing matching (issue 15 §5) ------------------------------------------------------


@transaction.atomic
def cycle_matching_close(*, cycle: Cycle, by) -> list[Application]:
    """The coordinators close matching for a cycle: whoever has no pair is told, kindly, and stays on the
    waiting list. Returns those applications. Pairs can still be made later (a re-match, the waiting list).
    """
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.matching_closed_at is not None:
        raise ValidationError(_("Matching for %(cycle)s has already been closed.") % {"cycle": cycle})
    if selectors.application_window_open(cycle=cycle):
        raise ValidationError(
            _("Applications for %(cycle)s are still open; close matching after they have closed.") % {"cycle": cycle}
        )
    cycle.matching_closed_at = timezone.now()
    if cycle.status in (Cycle.Status.OPEN, Cycle.Status.MATCHING):
        cycle.status = Cycle.Status.RUNNING
    cycle.full_clean()
    cycle.save()
    left = list(selectors.applications_without_pair(cycle=cycle))
    matching_closed.send(sender=Cycle, cycle=cycle, applications=left)
    return left


# --- Making pairs -------------------------------------------------------------------


def _lock_applications(mentor_application_id, mentee_application_id) -> tuple[Application, Application]:
    """Lock both application rows, always in primary-key order so two confirmations cannot deadlock."""
    rows = {
        application.pk: application
        for application in Application.objects.select_for_update()
        .filter(pk__in=[mentor_application_id, mentee_application_id])
        .order_by("pk")
    }
    try:
        mentor_application, mentee_application = rows[mentor_application_id], rows[mentee_application_id]
    except KeyError:
        raise ValidationError(_("This application no longer exists.")) from None
    lock_profiles([mentor_application.member_id, mentee_application.member_id])
    return mentor_application, mentee_application


def lock_profiles(member_ids) -> None:
    """Lock the members' profiles too, after the applications and in primary-key order.

    Eligibility and verification (R2, R3) are read from the profile: while a pair is being
    confirmed, a coordinator withdrawing a verification or a member correcting her career
    start waits for the confirmation to commit, or the confirmation reads her change.
    """
    list(Profile.objects.select_for_update().filter(user_id__in=set(member_ids)).order_by("pk").values_list("pk"))


def _check_pair(mentor_application: Application, mentee_application: Application) -> None:
    if mentor_application.role != Role.MENTOR or mentee_application.role != Role.MENTEE:
        raise ValidationError(_("Choose a mentor application and a mentee application."))
    if mentor_application.cycle_id != mentee_application.cycle_id:
        raise ValidationError(_("Mentor and mentee applied to different cycles."))
    for application in (mentor_application, mentee_application):
        if application.status != Application.Status.SUBMITTED:
            raise ValidationError(_("%(member)s has withdrawn her application.") % {"member": application.member})
    cycle = mentor_application.cycle
    if cycle.status not in MATCHABLE_CYCLE_STATUSES:
        raise ValidationError(
            _("No pairs can be made in a cycle that is %(status)s.") % {"status": cycle.get_status_display()}
        )
    register = OrganisationRegister.load()
    mentor = candidate_from_application(
        mentor_application, free_places=selectors.free_places(application=mentor_application), register=register
    )
    mentee = candidate_from_application(
        mentee_application,
        has_live_match=selectors.live_matches_for_application(application=mentee_application).exists(),
        former_mentors=selectors.former_mentors_of(mentee=mentee_application.member),
        register=register,
    )
    violation = hard_rule_violation(mentor, mentee)
    if violation:
        raise ValidationError(violation, code="hard_rule")


def match_propose(*, mentor_application: Application, mentee_application: Application, by) -> Match:
    """A proposed pair, after every hard rule passed on locked rows. Call inside a transaction."""
    mentor_application, mentee_application = _lock_applications(mentor_application.pk, mentee_application.pk)
    _check_pair(mentor_application, mentee_application)
    match = Match(
        cycle=mentor_application.cycle,
        mentor=mentor_application.member,
        mentee=mentee_application.member,
        mentor_application=mentor_application,
        mentee_application=mentee_application,
        status=Match.Status.PROPOSED,
        created_by=by,
    )
    match.full_clean(validate_constraints=False)
    try:
        # A savepoint, so a lost race leaves the caller's transaction usable.
        with transaction.atomic():
            match.save()
    except IntegrityError:
        raise ValidationError(
            _("%(name)s already has a mentor in this cycle.") % {"name": mentee_application.member}
        ) from None
    return match


def default_start_date(cycle: Cycle):
    return max(cycle.planned_start, timezone.localdate())


def status_on(start_date, today=None) -> str:
    """Confirmed ('gekoppeld') before the start date, active from it (R4)."""
    today = today or timezone.localdate()
    return Match.Status.CONFIRMED if start_date > today else Match.Status.ACTIVE


@transaction.atomic
def match_activate(*, match: Match, by=None, start_date=None) -> Match:
    """Proposed → confirmed or active: the mentee gets her mentor's details at once (R8).

    Before the start date the pair is 'gekoppeld': they may already plan their introduction;
    `matches_start_due` makes them active on the start date, when the year begins (R4).
    """
    match.start_date = start_date or default_start_date(match.cycle)
    target = status_on(match.start_date)
    check_transition(match, target)
    match.planned_end = match.start_date + relativedelta(months=match.cycle.duration_months)
    match.status = target
    match.confirmed_at = timezone.now()
    match.full_clean(validate_constraints=False)
    match.save()
    agreement_ensure(match=match)
    # In this transaction: listeners record their side effects (the R8 e-mail) with the activation.
    match_activated.send(sender=Match, match_id=match.pk)
    return match


def matches_start_due(*, today=None) -> int:
    """Daily: confirmed pairs whose start date has come become active (R4). Returns how many."""
    today = today or timezone.localdate()
    return Match.objects.filter(status=Match.Status.CONFIRMED, start_date__lte=today).update(status=Match.Status.ACTIVE)


def _check_window(cycle: Cycle, before_window_closes: bool) -> None:
    if selectors.application_window_open(cycle=cycle) and not before_window_closes:
        raise ValidationError(
            _(
                "Applications for %(cycle)s are open until %(date)s. Confirm that you want to match before "
                "the application period closes."
            )
            % {"cycle": cycle, "date": date_format(cycle.applications_close, "j F Y")},
            code="window_open",
        )


@transaction.atomic
def match_confirm(
    *,
    mentor_application: Application,
    mentee_application: Application,
    by,
    start_date=None,
    before_window_closes: bool = False,
) -> Match:
    """A coordinator's one-click match: propose and confirm in one go, all rules checked.

    While applications are still open she matches only when she says so (before_window_closes).
    """
    _check_window(mentor_application.cycle, before_window_closes)
    match = match_propose(mentor_application=mentor_application, mentee_application=mentee_application, by=by)
    if mentor_accepts_first():
        return match_ask_mentor(match=match, start_date=start_date)
    return match_activate(match=match, by=by, start_date=start_date)


# --- The mentor agrees first (issue 25 §3) -------------------------------------------------------


def mentor_accepts_first() -> bool:
    """Whether a confirmed pair waits for the mentor's yes (MATCHING_MENTOR_ACCEPTS) before it is matched."""
    return settings.MATCHING_MENTOR_ACCEPTS


def match_ask_mentor(*, match: Match, start_date=None) -> Match:
    """Proposed → waiting for the mentor: her place is held, she is asked by e-mail and on her page.

    The mentee hears nothing yet: her mentor's details go out on the mentor's yes (R8). Call inside
    the confirming transaction; the mail is recorded in it (signal → outbox).
    """
    check_transition(match, Match.Status.AWAITING_MENTOR)
    match.status = Match.Status.AWAITING_MENTOR
    match.start_date = start_date or default_start_date(match.cycle)
    match.mentor_asked_at = timezone.now()
    match.mentor_answer_due = timezone.localdate() + datetime.timedelta(days=settings.MATCHING_MENTOR_ACCEPT_DAYS)
    match.full_clean(validate_constraints=False)
    match.save()
    mentor_asked.send(sender=Match, match_id=match.pk)
    return match


def _awaiting_answer_of(match: Match, by) -> Match:
    match = Match.objects.select_for_update().select_related("cycle").get(pk=match.pk)
    if by is None or match.mentor_id != by.pk:
        raise ValidationError(_("Only the mentor who was asked can answer."), code="not_the_mentor")
    if match.status != Match.Status.AWAITING_MENTOR:
        raise ValidationError(_("You have already answered."), code="answered")
    return match


@transaction.atomic
def match_mentor_accept(*, match: Match, by) -> Match:
    """The mentor says yes: the pair is matched now, and in this transaction the mentee's mail with her
    mentor's contact details is recorded (R8, via match_activate's signal); the pair's year starts."""
    match = _awaiting_answer_of(match, by)
    match.mentor_answered_at = timezone.now()
    start = max(match.start_date or default_start_date(match.cycle), timezone.localdate())
    return match_activate(match=match, by=by, start_date=start)


@transaction.atomic
def match_mentor_decline(*, match: Match, by, reason: str) -> Match:
    """The mentor says no, with a reason for the coordinators only. The mentee is told nothing: she is
    back on the Koppelscherm, at the top, and this mentor is not offered to her again in the cycle."""
    match = _awaiting_answer_of(match, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"decline_reason": _("Tell the coordinators briefly why; the mentee does not read it.")})
    match.status = Match.Status.DECLINED
    match.decline_reason = reason
    match.mentor_answered_at = timezone.now()
    match.ended_on = timezone.localdate()
    match.ended_by = by
    match.full_clean(validate_constraints=False)
    match.save()
    return match


@transaction.atomic
def proposal_confirm(
    *, cycle: Cycle, pairs: list[tuple[int, int]], by, before_window_closes: bool = False
) -> list[Match]:
    """Confirm a reviewed proposal: (mentor application id, mentee application id) pairs, all or nothing."""
    if not pairs:
        raise ValidationError(_("The proposal contains no pairs to confirm."))
    _check_window(cycle, before_window_closes)
    # Lock every application of the proposal up front, in primary-key order: two proposals (or a
    # proposal and a one-click match) then always queue in the same order and never deadlock.
    applications = {
        application.pk: application
        for application in Application.objects.select_for_update()
        .filter(cycle=cycle, pk__in=[pk for pair in pairs for pk in pair])
        .order_by("pk")
    }
    lock_profiles(application.member_id for application in applications.values())
    matches = []
    for mentor_id, mentee_id in pairs:
        if mentor_id not in applications or mentee_id not in applications:
            raise ValidationError(_("An application in this proposal does not belong to this cycle."))
        matches.append(
            match_confirm(
                mentor_application=applications[mentor_id],
                mentee_application=applications[mentee_id],
                by=by,
                before_window_closes=before_window_closes,
            )
        )
    return matches


# --- Undoing a pair within the hour (issue 28 §4) -------------------------------------------

# A coordinator may undo a pair she confirmed by mistake for this long after confirming it.
UNDO_WINDOW = datetime.timedelta(hours=1)
# Parts of the agreement the pair fill in themselves: once one is set, the pair has started.
AGREEMENT_STAMPS = (
    "mission_agreed_at",
    "engagement_agreed_at",
    "networking_agreed_at",
    "opportunities_agreed_at",
    "evaluation_agreed_at",
    "trust_confirmed_by_mentor_at",
    "trust_confirmed_by_mentee_at",
)


def match_undo_refusal(match: Match, *, now=None) -> str:
    """Why this pair can no longer be undone ("" when it can); screens ask it before offering the step.

    Only a first term made on the Koppelscherm, within UNDO_WINDOW of its confirmation, before the pair
    made contact, planned or logged a meeting or filled in their agreement. Afterwards the pair is
    ended early, with a reason, like any other.
    """
    now = now or timezone.now()
    if match.status not in Match.ONGOING_STATUSES or match.confirmed_at is None:
        return _("Only a confirmed pair can be undone.")
    if match.previous_term_id is not None:
        return _("A new term of a mentorship cannot be undone; end it early if needed.")
    if now - match.confirmed_at > UNDO_WINDOW:
        return _(
            "A pair can be undone up to an hour after it was confirmed; this pair was confirmed at %(time)s. "
            "End the mentorship early instead, with a reason."
        ) % {"time": date_format(timezone.localtime(match.confirmed_at), "j F Y H:i")}
    agreement = Agreement.objects.filter(match=match).first()
    started = match.first_contact_at is not None or bool(
        agreement and any(getattr(agreement, stamp) for stamp in AGREEMENT_STAMPS)
    )
    # A meeting or a goal: the apps that keep them answer (matching reads neither).
    if started or any(answer is True for _receiver, answer in pair_has_begun.send(sender=Match, match=match)):
        return _(
            "This pair has already started: a contact, a meeting or their agreement has been recorded. "
            "End the mentorship early instead, with a reason."
        )
    return ""


@dataclass(frozen=True)
class UndoneMatch:
    """What the coordinator is told after an undo: who the pair were and whether they got a correction."""

    mentor: object
    mentee: object
    cycle_id: int
    correction_sent: bool


@transaction.atomic
def match_undo(*, match: Match, by) -> UndoneMatch:
    """A coordinator undoes a pair within the hour: it disappears as if it was never made.

    In one transaction: listeners cancel the pair's e-mails that have not gone out yet or, when one
    already did, record a short correction to both (``match_undone``); the pair, its agreement and its
    questions are deleted, so the mentor's place is free and the mentee is back on the Koppelscherm.
    The admin's history keeps who undid which pair and when, nothing of what the pair wrote.
    """
    match = Match.objects.select_for_update().filter(pk=match.pk).first()
    if match is None:
        raise ValidationError(_("This pair no longer exists."), code="gone")
    refusal = match_undo_refusal(match)
    if refusal:
        raise ValidationError(refusal, code="not_undoable")
    # The applications and profiles in the same order as confirming, so an undo and a confirmation queue.
    _lock_applications(match.mentor_application_id, match.mentee_application_id)
    responses = match_undone.send(sender=Match, match=match)
    correction_sent = any(answer is True for _receiver, answer in responses)
    undone = UndoneMatch(
        mentor=match.mentor, mentee=match.mentee, cycle_id=match.cycle_id, correction_sent=correction_sent
    )
    _log_undo(match=match, by=by, correction_sent=correction_sent)
    match.delete()
    return undone


def _log_undo(*, match: Match, by, correction_sent: bool) -> None:
    """The admin's history: who undid which pair, when, and whether the pair were told; no private content."""
    with translation.override(settings.LANGUAGE_CODE):
        text = (
            _("Pair undone within the hour; a correction e-mail was sent to both.")
            if correction_sent
            else _("Pair undone within the hour, before any e-mail about it was sent.")
        )
    history_record(user=by, obj=match, action_flag=DELETION, message=text)


# --- The pair's year ----------------------------------------------------------------


@transaction.atomic
def match_first_contact_record(*, match: Match, by) -> Match:
    """R8: the first contact is made: the mentee says so, or either partner plans a meeting.

    Only the first moment counts; the friendly reminder and the coordinators' list stop asking.
    """
    if not match.is_member(by):
        raise ValidationError(_("Only the mentor and the mentee of this pair can say so."))
    match = Match.objects.select_for_update().get(pk=match.pk)
    if not match.is_ongoing:
        raise ValidationError(_("This mentorship has ended."), code="not_ongoing")
    if match.first_contact_at is None:
        match.first_contact_at = timezone.now()
        match.save(update_fields=["first_contact_at"])
    return match


@transaction.atomic
def match_end_early(
    *, match: Match, by, reason: str, category: str, reason_shared: bool = False, notify: bool = True
) -> Match:
    """Proposed, confirmed or active → ended early, with a reason, its category and who ended it (R6).

    The reason stays with the coordinators unless whoever ended it chose to share it with her
    partner (reason_shared); the category (one of `EndCategory`) is what the year report counts. The
    partner, or both when a coordinator ended it, hear of it (unless the caller tells them itself:
    notify=False, as the account erasure does).
    """
    match = Match.objects.select_for_update().get(pk=match.pk)
    check_transition(match, Match.Status.ENDED_EARLY)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["end_reason"] = _("Give a reason for ending the mentorship early.")
    if category not in Match.EndCategory.values:
        errors["end_category"] = CATEGORY_REQUIRED
    if errors:
        raise ValidationError(errors)
    # Before the mentor's yes the mentee knew of no pair (issue 25 §3): nobody is told it ended.
    was_known_to_pair = match.status not in (Match.Status.PROPOSED, Match.Status.AWAITING_MENTOR)
    match.status = Match.Status.ENDED_EARLY
    match.ended_on = timezone.localdate()
    match.end_reason = reason
    match.end_category = category
    match.end_reason_shared = bool(reason_shared) and match.is_member(by)
    match.ended_by = by
    match.full_clean(validate_constraints=False)
    match.save()
    if was_known_to_pair and notify:
        match_ended.send(sender=Match, match=match)
    return match


@transaction.atomic
def match_complete(*, match: Match, by=None) -> Match:
    """Active → completed, from the renewal month on (R4); earlier it is ending early."""
    match = Match.objects.select_for_update().get(pk=match.pk)
    check_transition(match, Match.Status.COMPLETED)
    if timezone.localdate() < match.planned_end - selectors.RENEWAL_NOTICE:
        raise ValidationError(
            _("This mentorship runs until %(date)s; to stop sooner, end it early with a reason.")
            % {"date": date_format(match.planned_end, "j F Y")},
            code="too_early",
        )
    match.status = Match.Status.COMPLETED
    match.ended_on = min(timezone.localdate(), match.planned_end)
    match.ended_by = by
    match.full_clean(validate_constraints=False)
    match.save()
    return match


def matches_complete_finished(*, today=None) -> int:
    """The system completes active terms past their planned end, unless both partners want to continue.

    A pair that agreed to renew stays active until its new term is started, so nothing is lost
    while the coordinator (or the system, see MATCHING_RENEWAL_STARTED_BY) starts it.
    """
    today = today or timezone.localdate()
    completed = 0
    for match in Match.objects.filter(status=Match.Status.ACTIVE, planned_end__lt=today):
        if selectors.renewal_outcome(match=match) == "agreed":
            continue
        match_complete(match=match, by=None)
        completed += 1
    return completed
