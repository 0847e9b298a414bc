"""Matching's private fields and who may see them (registered with `core.disclosure` in ready())."""

from core.disclosure import private
from core.roles import is_coordinator


@private(
    "matching.match.end_reason",
    who="the person who ended the pair; her partner only when she chose to share it; coordinators. "
    "A reason a coordinator typed: coordinators only.",
)
def end_reason(viewer, match) -> bool:
    if is_coordinator(viewer):
        return True
    if match is None:
        return False
    if match.ended_by_id is not None and match.ended_by_id == viewer.pk:
        return True
    # Only a partner can share her reason (the service never marks a coordinator's reason shared).
    return bool(match.end_reason_shared) and match.is_member(viewer)


@private("matching.fitcheck.answer", who="the partner who answered, and coordinators; never the other partner.")
def fit_check_answer(viewer, check) -> bool:
    return is_coordinator(viewer) or (check is not None and check.member_id == viewer.pk)


@private("matching.fitcheck.note", who="the partner who answered, and coordinators; never the other partner.")
def fit_check_note(viewer, check) -> bool:
    return fit_check_answer(viewer, check)


@private(
    "matching.mentorchoice.mentor_application",
    who="the mentee who ranked the mentor, and coordinators; never the mentor (issue 25 §1).",
)
def mentor_choice(viewer, choice) -> bool:
    if is_coordinator(viewer):
        return True
    return choice is not None and choice.application.member_id == viewer.pk


@private(
    "matching.match.decline_reason",
    who="the mentor who declined, and coordinators; never the mentee (issue 25 §3).",
)
def decline_reason(viewer, match) -> bool:
    if is_coordinator(viewer):
        return True
    return match is not None and match.status == match.Status.DECLINED and match.mentor_id == viewer.pk
