"""Reads for cycles, applications and matches."""

import dataclasses
import datetime
import hashlib
import statistics
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import get_text_list
from django.utils.translation import gettext

from accounts.models import Expertise, Profile, Region
from core import disclosure
from core.precompiled import Precompiled

from .models import Application, Cycle, FitCheck, Match, MentorChoice, PairOverride, Role
from .organisations import OrganisationRegister
from .scoring import Candidate, candidate_from_application, explain, hard_rule_violation

# A proposal is not yet the pair's business: they see it once a coordinator confirmed it (R8).
VISIBLE_TO_PAIR = (Match.Status.CONFIRMED, Match.Status.ACTIVE, Match.Status.COMPLETED, Match.Status.ENDED_EARLY)
# R8, R11, R13: partners have each other's phone, e-mail and LinkedIn only while their pair is in one
# of these statuses: from confirmation ('gekoppeld', before the start, when the mentee makes first
# contact) through the year; not once the year is completed, never after an early end.
CONTACT_DETAILS_STATUSES = Match.ONGOING_STATUSES


# Her pairs' order on her pages: newest first.
MATCHES_ORDER = ("-start_date", "-created_at")


def _newest_first(match):
    """MATCHES_ORDER in Python, as PostgreSQL sorts it (a pair without a start date first)."""
    return (
        match.start_date is not None,
        -(match.start_date.toordinal() if match.start_date else 0),
        -match.created_at.timestamp(),
    )


def _her_pairs(user):
    """Every pair she belongs to, mentor or mentee, in any status; none for anonymous users."""
    if not user.is_authenticated:
        return Match.objects.none()
    return Match.objects.filter(Q(mentor=user) | Q(mentee=user))


def _stand_in(pk):
    """A user with only her id: builds her queries once for any member (`core.precompiled`)."""
    return get_user_model()(pk=pk)


# Her overview asks these two on every visit: compiled once, run with her id (`core.precompiled`), built
# from the same definitions as the querysets. Unordered: `Participation` sorts them (`_newest_first`,
# `_applications_order`).
_HER_PAIRS = Precompiled(lambda pk: _her_pairs(_stand_in(pk)).select_related("mentor", "mentee").order_by())
_HER_APPLICATIONS = Precompiled(lambda pk: _applications_of(_stand_in(pk)).order_by())


def matches_for_user(*, user):
    """The pairs this member belongs to, newest first; empty for anonymous users.

    Her own pages read them through `Participation.matches`, which answers the same from all her pairs."""
    return (
        _her_pairs(user)
        .filter(status__in=VISIBLE_TO_PAIR)
        .select_related("mentor", "mentee", "cycle")
        # Her pairs' states (renewed or not) without a query per pair, whatever her history.
        .with_next_term()
        .order_by(*MATCHES_ORDER)
    )


class Participation:
    """Her pairs, applications and the cycles open to her, each read at most once per request.

    The nav (on every page) and the dashboard panel ask the same questions; reading them once
    keeps her pages within their query budget. Lives on the request only, so it never outlasts
    the page that is being rendered.

    Her pages read every pair of hers once (`pairs`, any status) and answer from that list what the
    separate querysets answer for one question each: the pairs she sees (`matches`, VISIBLE_TO_PAIR),
    each application's live and completed pairs (`pair_counts_of`), the questions waiting for her yes
    (`mentor_questions`) and the partners of an application (`ongoing_partners_of`). Issue 24: two plain
    queries cost a fraction of the CPU of the annotated ones Django would otherwise build on every request.
    """

    def __init__(self, user, *, reads_lists=False):
        self.user = user
        # The page reads her lists anyway (READS_PARTICIPATION): the nav reads them instead of asking existence.
        self.reads_lists = reads_lists

    @cached_property
    def pairs(self) -> list[Match]:
        """Every pair of hers, any status (proposals, declined ones too), newest first. Not for display:
        `matches` is what she may see."""
        # Sorted here, not by the database: Django's ORDER BY on a select of many columns costs more CPU
        # than the query's rows (it hashes every selected column to find the ordering among them).
        pairs = sorted(_HER_PAIRS(self.user.pk) if self.user.is_authenticated else [], key=_newest_first)
        # Their cycles are her applications' cycles, read with those: no join for them here, and a
        # query only for a cycle she has no application in (a pair a coordinator made by hand).
        cycles = {application.cycle_id: application.cycle for application in self._applications}
        missing = {match.cycle_id for match in pairs} - cycles.keys()
        if missing:
            cycles.update(Cycle.objects.in_bulk(missing))
        for match in pairs:
            match.cycle = cycles[match.cycle_id]
        return pairs

    @cached_property
    def matches(self) -> list[Match]:
        """`matches_for_user`, from `pairs`: the pairs she sees, newest first, each knowing whether it was renewed."""
        # A renewal copies both partners to the next term (R5, matching.renewal), so the term that
        # follows one of her pairs is one of her pairs too.
        followed = {match.previous_term_id for match in self.pairs if match.previous_term_id}
        visible = [match for match in self.pairs if match.status in VISIBLE_TO_PAIR]
        for match in visible:
            match.continues_in_next_term = match.pk in followed
        return visible

    @cached_property
    def applications(self) -> list[Application]:
        """`applications_for_user`, with each application's pair counts taken from `pairs` (`pair_counts_of`)."""
        applications = self._applications
        for application in applications:
            counts = pair_counts_of(application=application, pairs=self.pairs)
            application.live_match_count = counts.live
            application.has_completed_pair = counts.completed
            application.had_a_pair_in_cycle = counts.had_a_pair_in_cycle
        return applications

    @cached_property
    def _applications(self) -> list[Application]:
        return sorted(_HER_APPLICATIONS(self.user.pk) if self.user.is_authenticated else [], key=_applications_order)

    @cached_property
    def open_cycles(self) -> list[Cycle]:
        return list(open_cycles())

    @cached_property
    def mentor_questions(self) -> list[Match]:
        """`questions_for_mentor`, from `pairs`: her pairs waiting for her yes or no, the answer due soonest first."""
        waiting = [match for match in self.pairs if is_question_for_mentor(match=match, user=self.user)]
        # As PostgreSQL orders them: a pair without a due date last.
        return sorted(
            waiting, key=lambda m: (m.mentor_answer_due is None, m.mentor_answer_due or datetime.date.min, m.pk)
        )

    def nav_item(self) -> str:
        """What her nav offers: 'apply' while a cycle is open and she has neither pair nor application,
        else 'mine'. Every page has the nav, most need no list: it asks existence unless the page read
        the lists already (her overview does)."""
        if self._has("matches", matches_for_user) or self._has("applications", applications_for_user):
            return "mine"
        if self.reads_lists or "open_cycles" in self.__dict__:
            return "apply" if self.open_cycles else "mine"
        return "apply" if open_cycles().exists() else "mine"

    def _has(self, name: str, query) -> bool:
        if name in self.__dict__:
            return bool(self.__dict__[name])
        if name == "matches" and getattr(self.user, HAS_A_PAIR, False):
            return True  # the page opened one of her pairs already (`pair_for_user`)
        return query(user=self.user).exists()


# Set on the user object by `pair_for_user` once it found one of her pairs: the nav on that page then
# knows she has one without asking again. The user object lives as long as the request.
HAS_A_PAIR = "_matching_has_a_pair"
# Set on the request by a page whose panels read her pairs and applications anyway (her overview):
# the nav, drawn before them, reads the lists instead of asking first whether they are empty.
READS_PARTICIPATION = "reads_participation"


def participation_for_request(*, request) -> Participation:
    """The request's Participation (see there); the template tags' one way to her matching data."""
    participation = getattr(request, "_matching_participation", None)
    if participation is None or participation.user is not request.user:
        reads_lists = getattr(request, READS_PARTICIPATION, False)
        participation = request._matching_participation = Participation(request.user, reads_lists=reads_lists)
        if reads_lists:
            # The open cycles only when asked: she is offered to apply only without pair and application.
            participation.matches, participation.applications  # noqa: B018
    return participation


# What a pair's pages read with the pair, in its one query: both partners with their profiles, the cycle
# and her mentorvraag.
PAIR_READS = ("cycle", "mentor__profile", "mentee__profile", "mentee_application")
# The pages that show the pair's agreement (R16) read it too (None before it exists).
AGREEMENT_PAGE_READS = (*PAIR_READS, "agreement")
# The pair page ("Mijn mentorschap") shows the partners, the mentorvraag and the agreement, not the cycle.
PAIR_PAGE_READS = ("mentor__profile", "mentee__profile", "mentee_application", "agreement")


def pair_for_user(*, user, pk, reads=PAIR_READS) -> Match:
    """The one access check for a pair: only its mentor and mentee, everyone else 404.

    Coordinators are no exception: they see pairs in the admin, without the
    pair's own content (R11). `reads`: the relations read with the pair in its one query; a page
    that shows less asks for less (the meetings list: the partners' names only).
    """
    try:
        pk = int(pk)
    except (ValueError, TypeError):
        raise Http404 from None
    if not 0 < pk < 2**63:  # the database would refuse it (bigint); the ORM answered "no such pair"
        raise Http404
    found = _pair_query(tuple(reads))(user.pk, pk) if user.is_authenticated else []
    if not found:
        raise Http404
    setattr(user, HAS_A_PAIR, True)
    return found[0]


# One compiled query per set of relations a page reads (`core.precompiled`): building the SQL of a pair
# with both partners' profiles (some 120 columns) cost more CPU than running it, on every pair page.
_PAIR_QUERIES: dict[tuple, Precompiled] = {}


def _pair_query(reads: tuple) -> Precompiled:
    query = _PAIR_QUERIES.get(reads)
    if query is None:

        def build(user_pk, pair_pk):
            # Her pairs as `matches_for_user` defines them (a stand-in user with her id: the rule stays there),
            # with the relations this page shows instead of its list's.
            pairs = matches_for_user(user=_stand_in(user_pk)).select_related(None)
            if reads:  # select_related() without a name would follow every foreign key
                pairs = pairs.select_related(*reads)
            return pairs.filter(pk=pair_pk).order_by()

        query = _PAIR_QUERIES.setdefault(reads, Precompiled(build))
    return query


def end_reason_visible_to(*, match, user) -> bool:
    """R6: why a pair ended stays with the coordinators, unless whoever ended it chose to share it."""
    if match.status != Match.Status.ENDED_EARLY or not match.end_reason:
        return False
    return disclosure.may_see(user, match, "end_reason")


def pair_state(*, match) -> str:
    """The pair's place on its timeline, in one word for pages and the admin.

    confirmed ('gekoppeld', before the start) → active → completed / ended early / renewed.
    """
    if match.status == Match.Status.COMPLETED and has_next_term(match=match):
        return "renewed"
    return {
        Match.Status.PROPOSED: "proposed",
        Match.Status.AWAITING_MENTOR: "awaiting_mentor",
        Match.Status.DECLINED: "declined",
        Match.Status.CONFIRMED: "confirmed",
        Match.Status.ACTIVE: "active",
        Match.Status.COMPLETED: "completed",
        Match.Status.ENDED_EARLY: "ended_early",
    }[Match.Status(match.status)]


def first_contact_overdue(*, days: int, today=None, until_days: int | None = None) -> Q:
    """R8, as a condition on Match: a first-term pair matched at least `days` days ago (and less than
    `until_days`, if given) whose mentee has not said she made contact and who planned no meeting
    (planning one records the first contact).

    A condition rather than a query, so a page that reads pairs for several lists (the coordinators'
    cockpit) can ask it inside its one query and still follow this rule.
    """
    today = today or timezone.localdate()
    condition = (
        Q(
            status__in=Match.ONGOING_STATUSES,
            first_contact_at__isnull=True,
            confirmed_at__date__lte=today - datetime.timedelta(days=days),
        )
        & ~Match.renewed_term()
    )
    if until_days is not None:
        condition &= Q(confirmed_at__date__gt=today - datetime.timedelta(days=until_days))
    return condition


def pairs_awaiting_first_contact(*, days: int, today=None, until_days: int | None = None):
    """The pairs of `first_contact_overdue`, oldest match first.

    The mentee's reminder asks this with the reminder days; the coordinators' digest and
    dashboard with the alert days (settings MATCHING_FIRST_CONTACT_*).
    """
    return (
        Match.objects.filter(first_contact_overdue(days=days, today=today, until_days=until_days))
        .select_related("mentor", "mentee", "cycle")
        .order_by("confirmed_at", "pk")
    )


def first_contact_alert(*, today=None) -> Q:
    """Pairs the coordinators should hear of: no first contact after the alert days (settings)."""
    return first_contact_overdue(days=settings.MATCHING_FIRST_CONTACT_ALERT_DAYS, today=today)


def pairs_without_first_contact(*, today=None):
    """For the coordinators' digest and dashboard: pairs past the alert days without first contact."""
    return pairs_awaiting_first_contact(days=settings.MATCHING_FIRST_CONTACT_ALERT_DAYS, today=today)


def first_contact_reminder_due(*, today=None):
    """Mentees to remind once, between the reminder days and the alert days after the match."""
    return pairs_awaiting_first_contact(
        days=settings.MATCHING_FIRST_CONTACT_REMINDER_DAYS,
        until_days=settings.MATCHING_FIRST_CONTACT_ALERT_DAYS,
        today=today,
    )


def _pairs_of(viewer, person):
    return Match.objects.filter(Q(mentor=viewer, mentee=person) | Q(mentor=person, mentee=viewer))


def may_see_contact_details(*, viewer, person, match=None) -> bool:
    """The one answer to "may the viewer see this person's contact details?" (R8).

    Asked by her partner's profile page, the pair page and the e-mails: only her partner,
    and only while their pair is live (CONTACT_DETAILS_STATUSES). Nobody else, coordinators included.
    A page that already holds their pair passes it as `match`, which answers a live pair without a query.
    """
    # A partner who erased her account (FormerParticipant, pk None) has no contact details left.
    if not viewer.is_authenticated or person.pk is None or viewer.pk == person.pk:
        return False
    if (
        match is not None
        and match.status in CONTACT_DETAILS_STATUSES
        and {viewer.pk, person.pk} == {match.mentor_id, match.mentee_id}
    ):
        return True
    return _pairs_of(viewer, person).filter(status__in=CONTACT_DETAILS_STATUSES).exists()


def partner_profile_for_viewer(*, viewer, pk) -> Profile:
    """The one access check for a partner's profile page: someone she is (or was) paired with, else 404.

    There is no member directory: coordinators see profiles in the admin, other members never.
    Whether the page shows contact details is `may_see_contact_details`.
    """
    if not viewer.is_authenticated:
        raise Http404
    try:
        profile = Profile.objects.select_related("user").prefetch_related("expertise").get(pk=pk)
    except (Profile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if profile.user_id == viewer.pk or not _pairs_of(viewer, profile.user).filter(status__in=VISIBLE_TO_PAIR).exists():
        raise Http404
    return profile


# --- Cycles and applications ---------------------------------------------------


def open_cycles():
    """Cycles a member can apply to today: open status and inside the application window."""
    today = timezone.localdate()
    return Cycle.objects.filter(
        status=Cycle.Status.OPEN, applications_open__lte=today, applications_close__gte=today
    ).order_by("planned_start")


APPLICATIONS_ORDER = ("-cycle__planned_start", "role")


def _applications_order(application):
    """APPLICATIONS_ORDER in Python: the newest cycle first, then mentee before mentor."""
    return (-application.cycle.planned_start.toordinal(), application.role)


def _applications_of(user):
    """Her applications with their cycles, the newest cycle first; none for anonymous users."""
    if not user.is_authenticated:
        return Application.objects.none()
    return Application.objects.filter(member=user).select_related("cycle").order_by(*APPLICATIONS_ORDER)


def applications_for_user(*, user):
    return with_live_match_counts(_applications_of(user))


def with_live_match_counts(applications):
    """Annotate live_match_count (proposed or active pairs), so application_state needs no query per row.

    The same counts as `pair_counts_of`, in SQL: for a query of applications (one application page,
    an admin list). Her own pages hold her pairs and count them in Python; a test keeps the two equal.
    """
    live = Match.objects.filter(status__in=Match.LIVE_STATUSES).order_by()
    as_mentor = live.filter(mentor_application=OuterRef("pk"))
    # Issue 25 §3: the mentee knows of her pair only from the mentor's yes.
    as_mentee = live.filter(cycle=OuterRef("cycle"), mentee=OuterRef("member")).exclude(
        status=Match.Status.AWAITING_MENTOR
    )
    count = Func(F("pk"), function="COUNT")
    completed = Match.objects.filter(status=Match.Status.COMPLETED).order_by()
    return applications.annotate(
        live_match_count=Case(
            When(
                role=Role.MENTOR,
                then=Coalesce(Subquery(as_mentor.values("mentor_application").annotate(n=count).values("n")), 0),
            ),
            default=Coalesce(Subquery(as_mentee.values("mentee").annotate(n=count).values("n")[:1]), 0),
        ),
        has_completed_pair=Case(
            When(role=Role.MENTOR, then=Exists(completed.filter(mentor_application=OuterRef("pk")))),
            default=Exists(completed.filter(cycle=OuterRef("cycle"), mentee=OuterRef("member"))),
            output_field=BooleanField(),
        ),
    )


@dataclass(frozen=True)
class PairCounts:
    live: int  # live pairs she knows of (`matches_known_to_member`)
    completed: bool  # a pair that completed its year (`completed_pairs_of`)
    had_a_pair_in_cycle: bool  # `had_a_pair_in_cycle`


def pair_counts_of(*, application, pairs) -> PairCounts:
    """`application_state`'s counts for one application from a list of her pairs (all of them, any status:
    `Participation.pairs`): the rules of `matches_known_to_member`, `completed_pairs_of` and
    `had_a_pair_in_cycle` without a query."""
    own = _pairs_of_application(application, pairs)
    if application.role == Role.MENTOR:
        in_cycle = [m for m in pairs if m.cycle_id == application.cycle_id and m.mentor_id == application.member_id]
    else:
        in_cycle = own
    return PairCounts(
        live=sum(m.status in Match.LIVE_STATUSES and known_to_member(match=m, application=application) for m in own),
        completed=any(m.status == Match.Status.COMPLETED for m in own),
        had_a_pair_in_cycle=any(is_a_pair_she_had(match=m) for m in in_cycle),
    )


def _pairs_of_application(application, pairs) -> list[Match]:
    """Of her pairs, this application's (as `live_matches_for_application` asks): a mentor's by her
    application, a mentee's by her cycle."""
    if application.role == Role.MENTOR:
        return [m for m in pairs if m.mentor_application_id == application.pk]
    return [m for m in pairs if m.cycle_id == application.cycle_id and m.mentee_id == application.member_id]


def known_to_member(*, match, application) -> bool:
    """Issue 25 §3: a mentee does not know of a pair waiting for the mentor's yes (`matches_known_to_member`)."""
    return application.role != Role.MENTEE or match.status != Match.Status.AWAITING_MENTOR


def application_for_user(*, user, pk) -> Application:
    """The one access check for an application: only the member who made it, everyone else 404."""
    try:
        return applications_for_user(user=user).get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def completed_pairs_of(*, application):
    """Pairs of this application that completed their year (R4)."""
    completed = Match.objects.filter(status=Match.Status.COMPLETED)
    if application.role == Role.MENTOR:
        return completed.filter(mentor_application=application)
    return completed.filter(cycle=application.cycle, mentee=application.member)


def live_matches_for_application(*, application):
    if application.role == Role.MENTOR:
        return Match.objects.filter(mentor_application=application, status__in=Match.LIVE_STATUSES)
    return Match.objects.filter(cycle=application.cycle, mentee=application.member, status__in=Match.LIVE_STATUSES)


def matches_known_to_member(*, application):
    """Her live pairs as she knows them: a mentee does not know of a pair waiting for the mentor's yes."""
    matches = live_matches_for_application(application=application)
    if application.role == Role.MENTEE:
        matches = matches.exclude(status=Match.Status.AWAITING_MENTOR)
    return matches


def ongoing_partners_of(*, application, pairs=None) -> str:
    """The names of the people she works with on this application (confirmed or active pairs), as one
    phrase ("Anna en Bea"); "" when none. Withdrawing it ends these mentorships (issue 25 §7).

    Pass all her pairs with their partners (`Participation.pairs`) when the page read them: no query then."""
    partner = "mentee" if application.role == Role.MENTOR else "mentor"
    if pairs is not None:
        ongoing = _pairs_of_application(application, pairs)
        ongoing = sorted((m for m in ongoing if m.status in Match.ONGOING_STATUSES), key=lambda m: m.pk)
    else:
        if application.role == Role.MENTOR:
            mine = Match.objects.filter(mentor_application=application)
        else:
            mine = Match.objects.filter(cycle_id=application.cycle_id, mentee_id=application.member_id)
        ongoing = mine.filter(status__in=Match.ONGOING_STATUSES).select_related(partner).order_by("pk")
    names = [str(match.mentee_or_former if partner == "mentee" else match.mentor_or_former) for match in ongoing]
    return str(get_text_list(names, gettext("and"))) if names else ""


def open_places(*, capacity: int, live: int, paused: bool) -> int:
    """The one rule for a mentor's free places: her capacity minus her live pairs, none while she pauses
    (issue 25 §4). The Koppelscherm, the suggestions, the proposal and a confirmation all read it."""
    return 0 if paused else max(0, capacity - live)


def free_places(*, application) -> int:
    """A mentor's places left in her cycle (`open_places`)."""
    live = live_matches_for_application(application=application).count()
    return open_places(capacity=application.capacity, live=live, paused=application.paused)


def application_state(*, application) -> str:
    """Where she stands, in words for her dashboard: submitted, waiting list, not matched, matched, withdrawn."""
    if application.status == Application.Status.WITHDRAWN:
        return "withdrawn"
    if application.status == Application.Status.CARRIED:
        return "carried"  # issue 25 §8: she took it to a later cycle
    live = getattr(application, "live_match_count", None)
    if live is None:
        live = matches_known_to_member(application=application).count()
    if application.role == Role.MENTEE:
        if live:
            return "matched"
    elif live >= application.capacity:
        return "matched"
    elif live:
        return "partly_matched"
    # Her year in this cycle is over: not a waiting list, and nothing to carry to the next cycle.
    completed = getattr(application, "has_completed_pair", None)
    if completed is None:
        completed = completed_pairs_of(application=application).exists()
    if completed:
        return "completed"
    if application.cycle.matching_closed_at is not None and not _had_a_pair_in_cycle(application):
        return "not_matched"  # issue 15 §5: told so, and still on the waiting list
    if application.cycle.status == Cycle.Status.OPEN:
        return "submitted"
    return "waiting_list"


def application_window_open(*, cycle, today=None) -> bool:
    """Members can still apply to this cycle: matching now would pass over whoever applies later."""
    today = today or timezone.localdate()
    return cycle.status == Cycle.Status.OPEN and today <= cycle.applications_close


def had_a_pair() -> Q:
    """A pair that is, or once was, the pair's business: live, or confirmed before it ended (issue 25 §7).

    A proposal that ended before anyone confirmed it never reached the pair, so it does not count.
    """
    return Q(status__in=Match.LIVE_STATUSES) | Q(confirmed_at__isnull=False)


def is_a_pair_she_had(*, match) -> bool:
    """`had_a_pair` for one pair in memory."""
    return match.status in Match.LIVE_STATUSES or match.confirmed_at is not None


def applications_without_pair(*, cycle):
    """Submitted applications of a cycle that had no pair in it: mentees who never had a mentor, mentors
    who never had a mentee. A pair that ended early counts: she was matched this cycle (issue 25 §7)."""
    paired = Match.objects.filter(had_a_pair(), cycle=cycle)
    return (
        Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED)
        .exclude(role=Role.MENTEE, member__in=paired.values("mentee"))
        .exclude(role=Role.MENTOR, member__in=paired.values("mentor"))
        .select_related("member", "cycle")
        .order_by("role", "pk")
    )


def _had_a_pair_in_cycle(application) -> bool:
    known = getattr(application, "had_a_pair_in_cycle", None)  # from `Participation.applications`
    if known is not None:
        return known
    return had_a_pair_in_cycle(application=application)


def had_a_pair_in_cycle(*, application) -> bool:
    """Whether she had a pair in this application's cycle in this role (`had_a_pair`)."""
    paired = Match.objects.filter(had_a_pair(), cycle_id=application.cycle_id)
    if application.role == Role.MENTOR:
        return paired.filter(mentor_id=application.member_id).exists()
    return paired.filter(mentee_id=application.member_id).exists()


def open_fit_check(*, match, user):
    """Her unanswered "does it fit?" question for this pair, if any (issue 15 §3)."""
    return fit_checks_of(match=match, user=user)[0]


def fit_checks_of(*, match, user) -> tuple:
    """Her open question and her latest answer for this pair, read in one query."""
    # Latest round first, sorted here: Django's ORDER BY costs more CPU than her one or two rows.
    checks = sorted(
        FitCheck.objects.filter(match_id=match.pk, member_id=user.pk).order_by(), key=lambda check: -check.round
    )
    # An ended pair asks nothing any more (issue 25 §6); her earlier answer stays hers to see.
    open_check = next((check for check in checks if not check.answer), None) if match.is_ongoing else None
    answered = next((check for check in checks if check.answer), None)
    return open_check, answered


def fit_concern() -> Q:
    """An ongoing pair where a partner said it does not fit (issue 15 §3), as a condition on Match."""
    said_no = FitCheck.objects.filter(match=OuterRef("pk"), answer=FitCheck.Answer.NO)
    return Q(status__in=Match.ONGOING_STATUSES) & Q(Exists(said_no))


def fit_concerns():
    """Ongoing pairs where a partner said it does not fit: for the coordinators (digest, dashboard, admin)."""
    return Match.objects.filter(fit_concern()).select_related("mentor", "mentee", "cycle").order_by("pk")


def waiting_for_a_mentor() -> Q:
    """A submitted mentee application with no live pair in its cycle, as a condition on Application."""
    live = Match.objects.filter(cycle=OuterRef("cycle"), mentee=OuterRef("member"), status__in=Match.LIVE_STATUSES)
    # A mentee whose pair completed its year in that cycle waits for nobody (she may apply again).
    completed = Match.objects.filter(cycle=OuterRef("cycle"), mentee=OuterRef("member"), status=Match.Status.COMPLETED)
    return Q(role=Role.MENTEE, status=Application.Status.SUBMITTED) & ~Q(Exists(live)) & ~Q(Exists(completed))


def is_waiting_for_a_mentor(*, application, pairs) -> bool:
    """`waiting_for_a_mentor` for one application, from all her pairs (`Participation.pairs`): no query."""
    if application.role != Role.MENTEE or application.status != Application.Status.SUBMITTED:
        return False
    return not any(
        match.status in Match.LIVE_STATUSES or match.status == Match.Status.COMPLETED
        for match in _pairs_of_application(application, pairs)
    )


def mentees_waiting(*, cycle=None):
    """Mentee applications `waiting_for_a_mentor` in this cycle; without one, in every cycle open or being matched."""
    applications = Application.objects.filter(waiting_for_a_mentor())
    if cycle is None:
        return applications.filter(cycle__status__in=[Cycle.Status.OPEN, Cycle.Status.MATCHING])
    return applications.filter(cycle=cycle)


def matching_over() -> Q:
    """Its cycle's matching is over (closed by the coordinators, or the cycle runs or finished), as a
    condition on Application."""
    return Q(cycle__matching_closed_at__isnull=False) | Q(cycle__status__in=[Cycle.Status.RUNNING, Cycle.Status.CLOSED])


def is_matching_over(*, cycle) -> bool:
    """`matching_over` for one cycle in memory."""
    return cycle.matching_closed_at is not None or cycle.status in (Cycle.Status.RUNNING, Cycle.Status.CLOSED)


def waiting_list():
    """Issue 25 §8: mentee applications not matched in their cycle once its matching is over, oldest cycle
    first; she may carry hers to the next cycle (`carry_over_target`). The cockpit shows them."""
    return (
        Application.objects.filter(waiting_for_a_mentor() & matching_over())
        .select_related("member", "cycle")
        .order_by("cycle__planned_start", "created_at", "pk")
    )


def carry_over_target(*, application):
    """The open cycle she can carry this waiting-list application to in one step, or None: the first one
    open for applications after its own, where she has no mentee application yet."""
    if application.role != Role.MENTEE:
        return None
    hers = Application.objects.filter(member_id=application.member_id, role=Role.MENTEE)
    return carry_over_targets(applications=list(hers), candidates=[application], open_cycles=list(open_cycles()))[
        application.pk
    ]


def carry_over_targets(*, applications, candidates, open_cycles, pairs=None) -> dict:
    """`carry_over_target` of each candidate (pk -> cycle or None), from lists the page read already:
    `applications` all of her applications, `open_cycles` the `open_cycles()` in their order. Asks one
    query however many candidates, so her programme page stays within its budget whatever her history;
    none when given all her pairs (`Participation.pairs`: `is_waiting_for_a_mentor`, `is_matching_over`)."""
    mentee_candidates = [a for a in candidates if a.role == Role.MENTEE]
    targets = dict.fromkeys((a.pk for a in candidates), None)
    if not mentee_candidates:
        return targets
    if pairs is not None:
        waiting = {
            a.pk
            for a in mentee_candidates
            if is_waiting_for_a_mentor(application=a, pairs=pairs) and is_matching_over(cycle=a.cycle)
        }
    else:
        waiting = set(waiting_list().filter(pk__in=[a.pk for a in mentee_candidates]).values_list("pk", flat=True))
    taken = {a.cycle_id for a in applications if a.role == Role.MENTEE and a.status != Application.Status.WITHDRAWN}
    for application in mentee_candidates:
        if application.pk in waiting:
            targets[application.pk] = next(
                (
                    cycle
                    for cycle in open_cycles
                    if cycle.pk != application.cycle_id
                    and cycle.planned_start > application.cycle.planned_start
                    and cycle.pk not in taken
                ),
                None,
            )
    return targets


def choices_to_carry(*, application, target) -> list:
    """Her ranked mentors who applied to the target cycle too, as that cycle's mentor applications, in her
    order (issue 25 §8): they go along when she carries her application; the others cannot."""
    chosen = list(
        MentorChoice.objects.filter(application=application)
        .order_by("rank")
        .values_list("mentor_application__member_id", flat=True)
    )
    there = {
        mentor.member_id: mentor
        for mentor in Application.objects.filter(
            cycle=target, role=Role.MENTOR, status=Application.Status.SUBMITTED, member_id__in=chosen
        ).select_related("member")
    }
    return [there[member_id] for member_id in chosen if member_id in there]


def withdrawn_since(*, since: datetime.datetime, cycle=None):
    """R6: applications withdrawn since then (by withdrawn_at), most recent first; of one cycle if given."""
    applications = Application.objects.filter(status=Application.Status.WITHDRAWN, withdrawn_at__gte=since)
    if cycle is not None:
        applications = applications.filter(cycle=cycle)
    return applications.select_related("member", "cycle").order_by("-withdrawn_at", "-pk")


def ended_early_since(*, since: datetime.date) -> Q:
    """R6: a pair that ended early on or after that day, as a condition on Match."""
    return Q(status=Match.Status.ENDED_EARLY, ended_on__gte=since)


def did_not_work_out() -> Q:
    """A pair that is not made again (issue 25 §5), as a condition on Match: it ended early, the mentor
    declined it (issue 25 §3), or either partner answered "does it fit?" with no. In any cycle; a
    coordinator's PairOverride allows it again."""
    said_no = FitCheck.objects.filter(match=OuterRef("pk"), answer=FitCheck.Answer.NO)
    ended = Q(status__in=[Match.Status.ENDED_EARLY, Match.Status.DECLINED])
    return Q(mentor__isnull=False, mentee__isnull=False) & (ended | Q(Exists(said_no)))


def former_mentors_by_mentee(*, mentee_ids=None) -> dict[int, set[int]]:
    """mentee id -> ids of the mentors she may not be matched with again (`did_not_work_out`, less the
    coordinators' overrides), for these mentees or all; two queries."""
    allowed = PairOverride.objects.filter(mentor=OuterRef("mentor"), mentee=OuterRef("mentee"))
    pairs = Match.objects.filter(did_not_work_out()).exclude(Exists(allowed))
    if mentee_ids is not None:  # a list, or a subquery of member ids (a whole cycle's mentees)
        pairs = pairs.filter(mentee_id__in=mentee_ids)
    result: dict[int, set[int]] = {}
    for mentee_id, mentor_id in pairs.values_list("mentee_id", "mentor_id").distinct():
        result.setdefault(mentee_id, set()).add(mentor_id)
    return result


def former_mentors_of(*, mentee) -> frozenset[int]:
    """The mentors this mentee may not be matched with again (`former_mentors_by_mentee`)."""
    return frozenset(former_mentors_by_mentee(mentee_ids=[mentee.pk]).get(mentee.pk, ()))


def pair_overrides_for(*, mentee_ids) -> dict[int, list]:
    """mentee id -> the coordinators' overrides for her (issue 25 §5), for the Koppelscherm."""
    result: dict[int, list] = {}
    overrides = PairOverride.objects.filter(mentee_id__in=list(mentee_ids)).select_related("mentor", "created_by")
    for override in overrides.order_by("created_at", "pk"):
        result.setdefault(override.mentee_id, []).append(override)
    return result


def cycle_candidates(
    *, cycle, application_ids=None, with_former_mentors=True, choices=None
) -> tuple[list[Candidate], list[Candidate], dict[int, str]]:
    """Every submitted mentor and mentee of a cycle (or only those ids) as scoring candidates, in a few queries.

    ``with_former_mentors=False`` skips reading earlier pairs that did not work out: for a caller that
    knows none of its mentees had one (the Koppelscherm's page, from ``cycle_mentees``' has_pair_history).
    ``choices``: the mentees' rankings (``choices_by_mentee``) when the caller read them already.
    """
    live = Match.objects.filter(status__in=Match.LIVE_STATUSES)
    applications = Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED)
    if application_ids is not None:
        applications = applications.filter(pk__in=list(application_ids))
    mentee_members = applications.filter(role=Role.MENTEE).values("member_id")
    applications = (
        applications.select_related("member__profile")
        .prefetch_related("topics", "member__profile__expertise")
        .annotate(
            live_as_mentor=Count("matches_as_mentor", filter=Q(matches_as_mentor__status__in=Match.LIVE_STATUSES)),
            mentee_is_matched=Exists(live.filter(cycle=OuterRef("cycle"), mentee=OuterRef("member"))),
        )
        .order_by("created_at", "pk")
    )
    mentors, mentees = [], []
    register = OrganisationRegister.load()
    ended = former_mentors_by_mentee(mentee_ids=mentee_members) if with_former_mentors else {}
    applications = list(applications)
    if choices is None:
        choices = choices_by_mentee(
            application_ids=[application.pk for application in applications if application.role == Role.MENTEE]
        )
    for application in applications:
        if application.role == Role.MENTOR:
            free = open_places(
                capacity=application.capacity, live=application.live_as_mentor, paused=application.paused
            )
            mentors.append(candidate_from_application(application, free_places=free, register=register))
        else:
            mentees.append(
                candidate_from_application(
                    application,
                    has_live_match=application.mentee_is_matched,
                    former_mentors=frozenset(ended.get(application.member_id, ())),
                    choices=choices.get(application.pk, ()),
                    register=register,
                )
            )
    topic_names = {topic.pk: str(topic) for topic in Expertise.objects.all()}
    return mentors, mentees, topic_names


def cycle_mentees(*, cycle, topic=None, region="", unmatched_only=True):
    """The Koppelscherm's mentees of a cycle, oldest application first, with is_matched; filtered as asked.

    ``is_rematch``: her earlier pair of this cycle ended early (issue 15 §3) or its mentor declined (issue 25 §3),
    so she is to be matched again; ``was_declined`` puts her at the top.
    """
    live = Match.objects.filter(cycle=OuterRef("cycle"), mentee=OuterRef("member"), status__in=Match.LIVE_STATUSES)
    earlier = Match.objects.filter(cycle=OuterRef("cycle"), mentee=OuterRef("member"))
    ended = earlier.filter(status__in=[Match.Status.ENDED_EARLY, Match.Status.DECLINED])
    declined = earlier.filter(status=Match.Status.DECLINED)
    applications = (
        Application.objects.filter(cycle=cycle, role=Role.MENTEE, status=Application.Status.SUBMITTED)
        .select_related("member__profile")
        .annotate(
            is_matched=Exists(live),
            # Issue 25 §3: a mentor declined her; she is back at the top of the list, to be matched again.
            was_declined=Exists(declined),
            is_rematch=Exists(ended),
            waits_for_mentor=Exists(live.filter(status=Match.Status.AWAITING_MENTOR)),
            # Issue 25 §5: an earlier pair of hers, in any cycle, that did not work out; a coordinator's override.
            has_pair_history=Exists(Match.objects.filter(did_not_work_out(), mentee=OuterRef("member"))),
            has_override=Exists(PairOverride.objects.filter(mentee=OuterRef("member"))),
        )
        .order_by("-was_declined", "created_at", "pk")
    )
    if topic is not None:
        applications = applications.filter(topics=topic)
    if region:
        applications = applications.filter(member__profile__region=region)
    if unmatched_only:
        applications = applications.filter(is_matched=False)
    return applications


# --- The mentee's shortlist (issue 25 §1) ---------------------------------------------------


@dataclass
class MentorCard:
    """One mentor as a mentee sees her on the shortlist: no score, no contact details."""

    application_id: int
    name: str
    organisation: str
    years: int
    expertise: list[str]
    region: str
    offer: str
    rank: int | None = None


def shortlist_open(*, application) -> bool:
    """She may see her shortlist: a submitted mentee application, not (yet) matched in its cycle.

    While the application window is open she may also change her choices (`choices_open`);
    afterwards she sees them until she is matched.
    """
    return (
        application.role == Role.MENTEE
        and application.status == Application.Status.SUBMITTED
        and application.cycle.status in (Cycle.Status.OPEN, Cycle.Status.MATCHING, Cycle.Status.RUNNING)
        and not matches_known_to_member(application=application).exists()
    )


def choices_open(*, application, today=None) -> bool:
    """She may still change her choices: only while the cycle's application window is open."""
    return shortlist_open(application=application) and application_window_open(cycle=application.cycle, today=today)


def choices_of(*, application) -> dict[int, int]:
    """Her ranked mentors: mentor application id -> rank (1 is her first choice)."""
    return dict(MentorChoice.objects.filter(application=application).values_list("mentor_application_id", "rank"))


def choices_by_mentee(*, application_ids) -> dict[int, tuple[int, ...]]:
    """mentee application id -> her ranked mentor application ids, first choice first (one query)."""
    result: dict[int, list[int]] = {}
    rows = MentorChoice.objects.filter(application_id__in=application_ids).order_by("application_id", "rank")
    for mentee_id, mentor_id in rows.values_list("application_id", "mentor_application_id"):
        result.setdefault(mentee_id, []).append(mentor_id)
    return {mentee_id: tuple(ids) for mentee_id, ids in result.items()}


def offerable_mentors(*, application) -> tuple[list[Candidate], Candidate | None, dict[int, str]]:
    """The cycle's mentors who may be offered to her, with her own candidate and the topic names.

    The hard rules are `scoring.hard_rule_violation`'s, on the same candidates the Koppelscherm and the
    proposal use (verified and eligible, a free place, not herself, no organisation conflict, not a mentor
    whose pair with her ended early or did not fit): one home, never written again here.
    """
    ids = list(
        Application.objects.filter(
            cycle=application.cycle_id, role=Role.MENTOR, status=Application.Status.SUBMITTED
        ).values_list("pk", flat=True)
    )
    mentors, mentees, topic_names = cycle_candidates(cycle=application.cycle, application_ids=[*ids, application.pk])
    mentee = next((candidate for candidate in mentees if candidate.application_id == application.pk), None)
    if mentee is None:
        return [], None, topic_names
    # Who may be offered to her were she not matched: `shortlist_open` decides whether she is.
    mentee = dataclasses.replace(mentee, has_live_match=False)
    return [mentor for mentor in mentors if not hard_rule_violation(mentor, mentee)], mentee, topic_names


def shortlist(*, application) -> list[MentorCard]:
    """Her shortlist as cards, the best fit first (the score decides the order, she never sees it)."""
    if not shortlist_open(application=application):
        return []
    mentors, mentee, topic_names = offerable_mentors(application=application)
    if mentee is None:
        return []
    ranks = choices_of(application=application)
    offers = dict(Application.objects.filter(pk__in=[m.application_id for m in mentors]).values_list("pk", "offer"))
    neutral = dataclasses.replace(mentee, choices=())  # her own ranking does not reorder her cards
    ordered = sorted(mentors, key=lambda mentor: (-explain(mentor, neutral, topic_names).score, mentor.name))
    return [
        MentorCard(
            application_id=mentor.application_id,
            name=mentor.name,
            organisation=mentor.organisation_name,
            years=mentor.years,
            expertise=sorted(topic_names.get(pk, "") for pk in mentor.topics),
            region=Region(mentor.region).label if mentor.region else "",
            offer=offers.get(mentor.application_id, ""),
            rank=ranks.get(mentor.application_id),
        )
        for mentor in ordered
    ]


# --- The mentor agrees first (issue 25 §3) -------------------------------------------------


def is_question_for_mentor(*, match, user) -> bool:
    """A pair that waits for her yes or no: she is its mentor, a coordinator confirmed it (`questions_for_mentor`)."""
    return match.mentor_id == user.pk and match.status == Match.Status.AWAITING_MENTOR


def questions_for_mentor(*, user):
    """Pairs a coordinator confirmed that wait for her yes or no, oldest first (her overview lists them,
    from her pairs: `Participation.mentor_questions`, `is_question_for_mentor`)."""
    if not user.is_authenticated:
        return Match.objects.none()
    return (
        Match.objects.filter(mentor=user, status=Match.Status.AWAITING_MENTOR)
        .select_related("mentee", "cycle")
        .order_by("mentor_answer_due", "pk")
    )


def question_for_mentor(*, user, pk) -> Match:
    """The one access check for the mentor's question: only the mentor who was asked, while it waits; else 404."""
    try:
        return questions_for_mentor(user=user).select_related("mentee__profile", "mentee_application").get(pk=pk)
    except (Match.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def match_reasons(*, match) -> list[str]:
    """Why the coordinators paired them, as the Koppelscherm explains it, for the mentor's page.

    Without the mentee's ranking: a mentor never learns who ranked her (issue 25 §1).
    """
    ids = [pk for pk in (match.mentor_application_id, match.mentee_application_id) if pk]
    mentors, mentees, topic_names = cycle_candidates(cycle=match.cycle, application_ids=ids, with_former_mentors=False)
    if not mentors or not mentees:
        return []
    mentor = dataclasses.replace(mentors[0], free_places=1)
    mentee = dataclasses.replace(mentees[0], has_live_match=False, choices=())
    suggestion = explain(mentor, mentee, topic_names)
    return suggestion.reasons if suggestion else []


def mentor_answer_reminder_due(*, today=None):
    """Mentors to remind once: no answer yet, two days or less before it is due (the outbox keeps it to one)."""
    today = today or timezone.localdate()
    return Match.objects.filter(
        status=Match.Status.AWAITING_MENTOR, mentor_answer_due__lte=today + MENTOR_REMINDER_BEFORE
    ).select_related("mentor", "mentee")


MENTOR_REMINDER_BEFORE = datetime.timedelta(days=2)


def mentor_answer_overdue(*, today=None) -> Q:
    """A pair whose mentor did not answer in time, as a condition on Match: the coordinators' cockpit lists it."""
    today = today or timezone.localdate()
    return Q(status=Match.Status.AWAITING_MENTOR, mentor_answer_due__lt=today)


# --- The pair's year -------------------------------------------------------------

RENEWAL_NOTICE = relativedelta(months=1)


def renewal_due(*, match, today=None) -> bool:
    """R5: in the last month of an active term both partners are asked whether to continue."""
    today = today or timezone.localdate()
    return (
        match.is_active
        and match.planned_end is not None
        and today >= match.planned_end - RENEWAL_NOTICE
        and not has_next_term(match=match)
    )


def has_next_term(*, match) -> bool:
    annotated = getattr(match, "continues_in_next_term", None)  # from matches_for_user
    if annotated is not None:
        return annotated
    return Match.objects.filter(previous_term=match).exists()


def next_term(*, match) -> Match | None:
    """The term that continues this one after a renewal (R5), if it was started."""
    return Match.objects.filter(previous_term=match).first()


def renewal_answers(*, match) -> dict[int, bool]:
    """member id -> wants to continue, for the pair's own page (never shown to coordinators)."""
    return dict(match.renewal_answers.values_list("member_id", "wants_to_continue"))


def renewal_outcome(*, match, answers: dict[int, bool] | None = None) -> str:
    """'agreed' when both said yes, 'declined' when anyone said no, else 'open' (no names: R11).

    Pass the answers when the caller has them already, to read them once.
    """
    if answers is None:
        answers = renewal_answers(match=match)
    if any(value is False for value in answers.values()):
        return "declined"
    if answers.get(match.mentor_id) and answers.get(match.mentee_id):
        return "agreed"
    return "open"


def terms_of(*, match) -> list:
    """All terms of this pair, oldest first (the history kept on renewal, R5): one query, however many."""
    terms = [match]
    if not match.previous_term_id:
        return terms
    # A renewal continues the pair in its cycle (renewal.match_renew): the earlier terms are among these.
    earlier = {
        term.pk: term
        for term in Match.objects.filter(
            cycle_id=match.cycle_id, mentor_id=match.mentor_id, mentee_id=match.mentee_id, term__lt=match.term
        ).order_by()  # followed below by previous_term: no order to ask the database for
    }
    current = match
    while current.previous_term_id:
        current = earlier.get(current.previous_term_id) or current.previous_term
        terms.append(current)
    return list(reversed(terms))


# --- The optimal proposal (issue 17) ------------------------------------------------------


def cycle_state(cycle: Cycle) -> str:
    """The cycle's state from the database in two aggregate queries: any application, match or profile change alters it.

    A stored proposal remembers it: when it differs, the proposal is stale.
    """
    applications = Application.objects.filter(cycle=cycle).aggregate(
        count=Count("pk"), changed=Max("updated_at"), last=Max("pk"), profiles=Max("member__profile__updated_at")
    )
    matches = Match.objects.filter(cycle=cycle).aggregate(
        count=Count("pk"), live=Count("pk", filter=Q(status__in=Match.LIVE_STATUSES)), last=Max("pk")
    )
    state = f"{cycle.pk}:{sorted(applications.items())}:{sorted(matches.items())}"
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def matching_proposal_latest(*, cycle):
    """The cycle's newest stored proposal, or None."""
    from .models import MatchingProposal

    return MatchingProposal.objects.filter(cycle=cycle).order_by("-created_at", "-pk").first()


def matching_proposal_is_stale(*, proposal) -> bool:
    """Whether the cycle changed (application, match, profile) since the proposal was computed."""
    return bool(proposal.cycle_state) and proposal.cycle_state != cycle_state(proposal.cycle)


# --- Year report (issue 27): per-pair facts the coordinators' report counts -------------------------

# A pair counts as matched once it is confirmed: a proposal the coordinators have not sent is not a match.
MATCHED_STATUSES = (Match.Status.CONFIRMED, Match.Status.ACTIVE, Match.Status.COMPLETED, Match.Status.ENDED_EARLY)


def applications_by_cycle(*, cycles) -> dict[int, dict[str, int]]:
    """cycle id -> submitted applications per role (withdrawn ones do not count), in one query."""
    counts = {cycle.pk: {Role.MENTEE.value: 0, Role.MENTOR.value: 0} for cycle in cycles}
    rows = (
        Application.objects.filter(cycle__in=list(counts), status=Application.Status.SUBMITTED)
        .values("cycle_id", "role")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["cycle_id"]][row["role"]] = row["n"]
    return counts


def pairs_for_report(*, cycle=None, cycles=None):
    """The cycle's (or ``cycles``') matched pairs with what the year report counts: renewed (R5: a later term follows),
    ended early and the reason's category (R6, issue 27 §2: never the reason's text; "unknown" for a
    pair ended without one), and when the mentee applied (for the time to a match)."""
    return (
        Match.objects.filter(cycle__in=cycles if cycles is not None else [cycle], status__in=MATCHED_STATUSES)
        .with_next_term()
        .annotate(
            end_category_or_unknown=Case(
                When(~Q(status=Match.Status.ENDED_EARLY), then=None),
                When(end_category="", then=models_value(Match.EndCategory.UNKNOWN.value)),
                default=F("end_category"),
            ),
            applied_at=F("mentee_application__created_at"),
        )
        .order_by()
    )


def models_value(text: str):
    return Value(text, output_field=CharField())


def days_to_match(*, applied_at, confirmed_at) -> int | None:
    """Days from the mentee's application to the pair's match, or None when either is unknown."""
    if applied_at is None or confirmed_at is None:
        return None
    return max(0, (confirmed_at - applied_at).days)


def median_days_to_match(pairs: list[dict]) -> float | None:
    """The median of `days_to_match` over rows of `pairs_for_report` (values with applied_at, confirmed_at)."""
    days = [
        d
        for row in pairs
        if (d := days_to_match(applied_at=row["applied_at"], confirmed_at=row["confirmed_at"])) is not None
    ]
    return statistics.median(days) if days else None


def median_days_to_match_by_cycle(*, cycles) -> dict[int, float | None]:
    """cycle id -> `median_days_to_match` of its matched pairs, in one query that reads only the two dates."""
    rows = pairs_for_report(cycles=cycles).filter(applied_at__isnull=False, confirmed_at__isnull=False)
    dates: dict[int, list[dict]] = {cycle.pk: [] for cycle in cycles}
    for cycle_id, applied_at, confirmed_at in rows.values_list("cycle_id", "applied_at", "confirmed_at"):
        dates[cycle_id].append({"applied_at": applied_at, "confirmed_at": confirmed_at})
    return {cycle_id: median_days_to_match(pairs) for cycle_id, pairs in dates.items()}


def ongoing_roles(*, user) -> set[str]:
    """The roles she has in pairs that are working together now: a member may be mentor in one and mentee
    in another (R3), and then a mail about one of them says which."""
    if user is None or not user.pk:
        return set()
    pairs = Match.objects.filter(status__in=Match.ONGOING_STATUSES).filter(Q(mentor=user) | Q(mentee=user))
    roles = set()
    for mentor_id, _mentee_id in pairs.values_list("mentor_id", "mentee_id"):
        roles.add(Role.MENTOR if mentor_id == user.pk else Role.MENTEE)
    return roles
