"""Who may read a pair's goals (registered with `core.disclosure` in ready()): the two partners only (R11).

Not the coordinators, not the admin, not an e-mail. After an early end (R6) the goals stay with the
mentee, whose mentorvraag (R7) they came from: her former mentor no longer reads them.
"""

from core.disclosure import private

WHO = (
    "the mentor and the mentee of the pair; after an early end the mentee only. "
    "Never coordinators, the admin or e-mails."
)


def partner_may_see_goals(viewer, match) -> bool:
    """The one rule: pages, the export and the selectors all ask this."""
    if match is None or viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.pk is not None and viewer.pk == match.mentee_id:
        return True
    return viewer.pk is not None and viewer.pk == match.mentor_id and not match.is_ended_early


@private("goals.goal.text_ciphertext", who=WHO)
def goal_text(viewer, goal) -> bool:
    return goal is not None and partner_may_see_goals(viewer, goal.match)


@private("goals.goal.next_step_ciphertext", who=WHO)
def goal_next_step(viewer, goal) -> bool:
    return goal_text(viewer, goal)


@private("goals.goalevent.note_ciphertext", who=WHO)
def goal_progress_note(viewer, event) -> bool:
    return event is not None and partner_may_see_goals(viewer, event.goal.match)
