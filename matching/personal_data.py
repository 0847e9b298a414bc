"""Matching's part of a member's data: her applications, pairs, agreements and renewal answers.

Registered in MatchingConfig.ready() with accounts.personal_data (accounts cannot import us).
"""

from django.conf import settings
from django.db.models import Case, DateField, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Contributor, Policy, model_section, register

from .models import Agreement, Application, FitCheck, Match, MentorChoice, PairOverride, RenewalAnswer


def _her_matches(user):
    return Match.objects.filter(Q(mentor=user) | Q(mentee=user)).select_related("cycle", "mentor", "mentee")


def collect(user):
    applications = Application.objects.filter(member=user).select_related("cycle").prefetch_related("topics")
    # A pair still waiting for the mentor's yes, or declined by her, is not the mentee's (issue 25 §3).
    matches = list(
        _her_matches(user)
        .exclude(mentee=user, status__in=[Match.Status.AWAITING_MENTOR, Match.Status.DECLINED])
        .order_by("created_at")
    )
    agreements = Agreement.objects.filter(match__in=matches).select_related(
        "match__mentor", "match__mentee", "match__cycle"
    )
    return [
        model_section(
            "applications",
            _("Applications and mentoring questions"),
            applications,
            model=Application,
            viewer=user,
            exclude=["member"],
            extra={"topics": (_("topics"), lambda row: [str(topic) for topic in row.topics.all()])},
        ),
        model_section(
            "mentor_choices",
            _("Your choice of mentors"),
            MentorChoice.objects.filter(application__member=user).select_related(
                "application__cycle", "mentor_application__member"
            ),
            model=MentorChoice,
            viewer=user,
            extra={
                "cycle": (_("cycle"), lambda row: str(row.application.cycle)),
                "mentor": (_("mentor"), lambda row: str(row.mentor_application.member)),
            },
            withheld={
                "application": _("Your own application is under 'Applications'."),
                "mentor_application": _("Shown as the mentor's name."),
            },
        ),
        model_section(
            "pairs",
            _("Pairs"),
            matches,
            model=Match,
            viewer=user,
            description=_("The mentorships you were in, with your role and your partner."),
            withheld={
                "mentor": _("Shown as your role and your partner."),
                "mentee": _("Shown as your role and your partner."),
                "mentor_application": _("Your own application is under 'Applications'."),
                "mentee_application": _("Your own application is under 'Applications'."),
                "previous_term": _("Shown as the term number."),
                "ended_by": _("Who ended a pair is a coordinator's or a partner's action, not data about you."),
                "created_by": _("The coordinator who made the pair: that is about her, not about you."),
            },
            extra={
                "role": (
                    _("your role"),
                    lambda row: gettext("mentor") if row.mentor_id == user.pk else gettext("mentee"),
                ),
                "partner": (_("your partner"), lambda row: str(row.partner_of(user))),
            },
        ),
        model_section(
            "agreements",
            _("Mentorship agreements"),
            agreements,
            model=Agreement,
            viewer=user,
            description=_("What you and your partner agreed along the MENTOR framework."),
            exclude=["match"],
            extra={"pair": (_("pair"), lambda row: str(row.match))},
        ),
        model_section(
            "renewal_answers",
            _("Answers about continuing"),
            RenewalAnswer.objects.filter(member=user).select_related("match__mentor", "match__mentee", "match__cycle"),
            model=RenewalAnswer,
            viewer=user,
            exclude=["member"],
        ),
        model_section(
            "fit_checks",
            _("Your answers to “Does it fit?”"),
            FitCheck.objects.filter(member=user).select_related("match__mentor", "match__mentee"),
            model=FitCheck,
            viewer=user,
            exclude=["member"],
        ),
        model_section(
            "pair_overrides",
            _("Pairs the coordinators allowed again"),
            PairOverride.objects.filter(Q(mentor=user) | Q(mentee=user)).select_related("mentor", "mentee"),
            model=PairOverride,
            viewer=user,
            description=_(
                "An earlier pair of yours ended early or did not fit; the coordinators allowed it to be made again."
            ),
            withheld={"created_by": _("The coordinator who allowed it: that is about her, not about you.")},
        ),
    ]


def erase(user, by=None):
    """R6: a live pair ends before she goes; the partner is told it ended, never why.

    What is hers in a pair goes with her (issue 21 §7): the reasons she wrote when she ended a pair,
    and the mission of her pairs' agreements when she was the mentee (it starts as her mentorvraag and
    describes her goals). The rest of the agreement and the pair stay for her partner's sake.
    """
    from .services import match_end_early

    Match.objects.filter(ended_by=user).exclude(end_reason="").update(end_reason="", end_reason_shared=False)
    Agreement.objects.filter(match__mentee=user).exclude(mission="").update(mission="", mission_agreed_at=None)

    with translation.override(settings.LANGUAGE_CODE):
        reason = gettext("The pair ended because one of the partners left the programme.")
    for match in _her_matches(user).filter(status__in=Match.LIVE_STATUSES):
        was_active = match.is_ongoing
        # partner_left below tells the partner; nobody else is mailed (she is leaving).
        # Nobody said why: "not recorded" in the year report.
        match_end_early(match=match, by=by, reason=reason, category=Match.EndCategory.UNKNOWN, notify=False)
        if was_active:
            from .signals import partner_left

            partner = match.mentee if match.mentor_id == user.pk else match.mentor
            partner_left.send(sender=Match, match_id=match.pk, partner_id=partner.pk)


def last_participation(today, user_ref="pk"):
    """A live pair means she takes part today; otherwise her last pair's end or her last application."""
    mine = Q(mentor=OuterRef(user_ref)) | Q(mentee=OuterRef(user_ref))
    live = Case(
        When(Exists(Match.objects.filter(mine, status__in=Match.LIVE_STATUSES)), then=Value(today)),
        default=None,
        output_field=DateField(),
    )
    ended = Subquery(
        Match.objects.filter(mine, ended_on__isnull=False).order_by("-ended_on").values("ended_on")[:1],
        output_field=DateField(),
    )
    applied = Subquery(
        Application.objects.filter(member=OuterRef(user_ref))
        .annotate(day=TruncDate("created_at"))
        .order_by("-created_at")
        .values("day")[:1],
        output_field=DateField(),
    )
    return [live, ended, applied]


def register_contributor():
    register(
        Contributor(
            app_label="matching",
            relations={
                "matching.application.member": Policy.HERS,
                "matching.match.mentor": Policy.KEPT_WITHOUT_HER,
                "matching.match.mentee": Policy.KEPT_WITHOUT_HER,
                "matching.match.ended_by": Policy.ACTOR,
                "matching.match.created_by": Policy.ACTOR,
                # The coordinator who started a matching proposal (SET_NULL when she goes).
                "matching.matchingproposal.started_by": Policy.ACTOR,
                "matching.renewalanswer.member": Policy.HERS,
                "matching.fitcheck.member": Policy.HERS,
                # Issue 25 §5: a pair allowed again goes with either of them; who allowed it is an actor.
                "matching.pairoverride.mentor": Policy.HERS,
                "matching.pairoverride.mentee": Policy.HERS,
                "matching.pairoverride.created_by": Policy.ACTOR,
            },
            collect=collect,
            erase=erase,
            last_participation=last_participation,
            order=20,
        )
    )
