"""Who may take part, and in which role: the one home of R2 and R3.

Forms only present these rules; services enforce them; matching and
applications ask `role_decision(user, role)` rather than checking fields.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Profile, VerificationStatus

# R3: a mentor needs MORE than this many years of work experience.
MENTOR_MIN_YEARS_EXCLUSIVE = 5
# The two roles a member takes part in; matching.models.Role spells them for the screens.
MENTEE = "mentee"
MENTOR = "mentor"


def years_of_experience(career_start_year: int, *, today: date | None = None) -> int:
    """Whole years worked, derived from the start year so it stays true over time."""
    today = today or timezone.localdate()
    return max(0, today.year - career_start_year)


def first_year_as_mentor(career_start_year: int) -> int:
    """The calendar year in which she has more than five years' experience."""
    return career_start_year + MENTOR_MIN_YEARS_EXCLUSIVE + 1


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def mentor_decision(career_start_year: int | None, *, today: date | None = None) -> Decision:
    """R3: mentor only with more than 5 years of work experience; exactly 5 is not enough."""
    if career_start_year is None:
        return Decision(False, _("Fill in the year your working career started first."))
    years = years_of_experience(career_start_year, today=today)
    if years > MENTOR_MIN_YEARS_EXCLUSIVE:
        return Decision(True)
    return Decision(
        False,
        _(
            "A mentor needs more than 5 years of work experience. You have %(years)s, "
            "so you can take part as a mentee now and register as a mentor from %(year)s."
        )
        % {"years": years, "year": first_year_as_mentor(career_start_year)},
    )


def can_be_mentor(profile: Profile, *, today: date | None = None) -> Decision:
    return mentor_decision(profile.career_start_year, today=today)


def can_apply(user) -> Decision:
    """Only verified female (aspiring) NOB members take part (R2). Matching relies on this."""
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    if profile is None:
        return Decision(False, _("Complete your programme profile first."))
    if not profile.confirms_female_member:
        return Decision(False, _("The programme is open to female (aspiring) NOB members."))
    if profile.verification_status == VerificationStatus.REJECTED:
        return Decision(False, _("Your NOB membership could not be verified."))
    if profile.verification_status != VerificationStatus.VERIFIED:
        return Decision(False, _("Your NOB membership is awaiting verification by a coordinator."))
    return Decision(True)


def role_chosen(user, role: str) -> Decision:
    """Did she choose this role in her profile? The overview offers only the roles she chose.

    Her choice is a preference, not a programme rule, so services do not refuse on it; the
    screens simply do not offer a role she did not ask for and say where to add it.
    """
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    if profile is None:
        return Decision(False, _("Complete your programme profile first."))
    if getattr(profile, f"wants_{role}", False):
        return Decision(True)
    if role == MENTEE:
        return Decision(
            False,
            _(
                "In your profile you chose to take part as a mentor. "
                "To apply as a mentee too, add that role to your profile first."
            ),
        )
    return Decision(
        False,
        _(
            "In your profile you chose to take part as a mentee. "
            "To apply as a mentor too, add that role to your profile first."
        ),
    )


def role_decision(user, role: str) -> Decision:
    """May she take part in this role? Every role needs R2; a mentor needs R3 on top.

    The one question applying, confirming a pair, renewing and the matching screen ask.
    """
    decision = can_apply(user)
    if decision and role == MENTOR:
        decision = can_be_mentor(user.profile)
    return decision
