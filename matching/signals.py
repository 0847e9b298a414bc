"""Signals other apps listen to, so matching needs no knowledge of e-mail or evaluations.

Send them from services inside the transaction that makes the change, so a listener's
side effects (an outbox row) commit or roll back with it; a listener that talks to the
outside world defers that to ``transaction.on_commit`` itself.
"""

from django.dispatch import Signal

# Sent with match_id when a match becomes active (R8: the mentee gets her mentor's details).
match_activated = Signal()
# Sent with match_id when a coordinator confirmed a pair and the mentor is asked to agree (issue 25 §3).
mentor_asked = Signal()

# The signals below are sent inside the change's transaction, so a listener's outbox row
# commits (or rolls back) together with the change (nothing lost, nothing for a rolled-back change).

# Sent with match (the Match) once it ended early (R6): a withdrawal, or a coordinator ended it.
match_ended = Signal()

# Sent with fit_checks (a list of new FitCheck rows): ask each partner "does it fit?" (issue 15 §3).
fit_check_asked = Signal()
# Sent with fit_check (an answered FitCheck) when a partner said it does not fit: the coordinators hear.
fit_check_concern = Signal()
# Sent with cycle and applications (the submitted applications left without a pair) when the
# coordinators closed matching for a cycle (issue 15 §5).
matching_closed = Signal()
# Sent with match_id and partner_id when a pair ends because the other partner erased her
# account (R6). Sent inside the erasure's transaction, not on commit: the partner's message
# is an outbox row that must be written in that same transaction or not at all.
partner_left = Signal()
# Sent with match (the Match, still saved) when a coordinator undid a pair within the hour, inside the
# undo's transaction, just before the pair is deleted. A listener returns True when it told the pair
# (a correction by e-mail, because a mail about the pair had already gone out), else False.
match_undone = Signal()
# Sent with match when a screen or the undo asks whether the pair has begun: each higher app that keeps
# the pair's own records (meetings, goals) answers True when it holds one for this pair.
pair_has_begun = Signal()
# Sent with matches (the pairs whose start or end moved) when a coordinator changed their cycle's start
# date or duration after matching (issue 25 §9): both partners get a notice, in the same transaction.
pair_dates_changed = Signal()
