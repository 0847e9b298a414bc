"""The waiting list (issue 25 §8): a mentee not matched in a cycle carries her application to the next
cycle in one step. Her mentorvraag, topics, wishes and ranked mentors (those who applied again) go along;
she confirms first, and can edit the new
application afterwards like any other. The old one is marked carried, so it leaves the old cycle's lists."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import selectors, services
from .models import Application


@transaction.atomic
def application_carry_over(*, application: Application, by) -> Application:
    """Her application of a cycle she was not matched in, submitted again for the next open cycle."""
    application = Application.objects.select_for_update().select_related("cycle").get(pk=application.pk)
    if by is None or by.pk != application.member_id:
        raise ValidationError(_("Only she herself can carry her application to the next cycle."), code="not_hers")
    target = selectors.carry_over_target(application=application)
    if target is None:
        raise ValidationError(
            _(
                "This application cannot be carried to a next cycle: it is not on the waiting list, "
                "or no cycle is open."
            ),
            code="no_target",
        )
    carried = services.application_submit(
        member=application.member,
        cycle=target,
        role=application.role,
        topics=list(application.topics.all()),
        **{name: getattr(application, name) for name in services.APPLICATION_FIELDS[application.role]},
    )
    carried.carried_from = application
    carried.full_clean()
    carried.save()
    # Her ranked mentors go along where they applied again and the hard rules still allow them.
    allowed = {mentor.application_id for mentor in selectors.offerable_mentors(application=carried)[0]}
    chosen = [mentor.pk for mentor in selectors.choices_to_carry(application=application, target=target)]
    if any(pk in allowed for pk in chosen):
        services.mentor_choices_set(
            application=carried, by=by, mentor_application_ids=[pk for pk in chosen if pk in allowed]
        )
    application.status = Application.Status.CARRIED
    application.full_clean()
    application.save()
    return carried
