"""A mentor's places and her pause for a cycle (issue 25 §4).

She changes them herself on her programme page; a coordinator does it for her in the admin, with a
reason that is kept in the application's history. The number of free places itself has one home,
`selectors.open_places`: the Koppelscherm, the suggestions, the proposal and every confirmation read
it, and the candidate set follows the change through the application's save signal.
"""

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import selectors
from .models import Application, Role
from .services import MATCHABLE_CYCLE_STATUSES

PLACES_CHOICES = (1, 2, 3)


@transaction.atomic
def mentor_places_set(*, application: Application, capacity: int, paused: bool, by, reason: str = "") -> Application:
    """Her number of places (1–3, never below her live pairs) and whether she pauses this cycle.

    A coordinator (anyone but the mentor herself) gives a reason; it is logged with the change.
    """
    application = Application.objects.select_for_update().select_related("cycle").get(pk=application.pk)
    if application.role != Role.MENTOR:
        raise ValidationError(_("Only a mentor's application has places."), code="not_mentor")
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(_("This application was withdrawn; apply again to take part."), code="withdrawn")
    if application.cycle.status not in MATCHABLE_CYCLE_STATUSES:  # places matter while pairs can be made
        raise ValidationError(_("This cycle has finished: its places can no longer be changed."), code="closed")
    by_herself = by is not None and by.pk == application.member_id
    reason = (reason or "").strip()
    if not by_herself and not reason:
        raise ValidationError({"reason": _("Give a reason: it is kept in the history of the application.")})
    if capacity not in PLACES_CHOICES:
        raise ValidationError({"capacity": _("A mentor takes on 1, 2 or 3 mentees.")})
    live = selectors.live_matches_for_application(application=application).count()
    if capacity < live:
        if by_herself:
            message = ngettext(
                "You have %(count)s mentee now: choose at least %(count)s place.",
                "You have %(count)s mentees now: choose at least %(count)s places.",
                live,
            )
        else:
            message = ngettext(
                "She has %(count)s mentee now: choose at least %(count)s place.",
                "She has %(count)s mentees now: choose at least %(count)s places.",
                live,
            )
        raise ValidationError({"capacity": message % {"count": live}}, code="below_live")
    before = (application.capacity, application.paused)
    application.capacity = capacity
    application.paused = bool(paused)
    application.full_clean()
    application.save()
    if by is not None and not by_herself and before != (application.capacity, application.paused):
        _log(application=application, by=by, before=before, reason=reason)
    return application


def _log(*, application: Application, by, before: tuple[int, bool], reason: str) -> None:
    """The admin's history of the application shows the coordinator's change and her reason."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "places %(old_places)s → %(new_places)s, pausing %(old_paused)s → %(new_paused)s; reason: %(reason)s"
        ) % {
            "old_places": before[0],
            "new_places": application.capacity,
            "old_paused": _("yes") if before[1] else _("no"),
            "new_paused": _("yes") if application.paused else _("no"),
            "reason": reason,
        }
    LogEntry.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(Application),
        object_id=str(application.pk),
        object_repr=str(application)[:200],
        action_flag=CHANGE,
        change_message=text,
    )


def places_history(*, application: Application):
    """The coordinators' changes of her places, newest first (the admin shows them)."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Application), object_id=str(application.pk)
    ).order_by("-action_time")
