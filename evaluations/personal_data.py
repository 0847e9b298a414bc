"""Evaluations' part of a member's data: her invitations and whether she submitted, never her answers.

Answers carry no link to a person by design (R14): sealed while the round is open
(``SealedBallot``), published shuffled after it closes (``Response``). So there is nothing to
find for her, nothing to export and nothing to erase: they stay, untraceable, in the results.
"""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Contributor, Policy, model_section, register

from .models import Invitation, Receipt


def collect(user):
    invitations = Invitation.objects.filter(user=user).select_related("round__cycle").order_by("created_at")
    submitted = set(Receipt.objects.filter(invitation__user=user).values_list("invitation_id", flat=True))
    return [
        model_section(
            "evaluation_invitations",
            _("Evaluations"),
            invitations,
            model=Invitation,
            viewer=user,
            description=_(
                "The evaluations you were invited to, and whether you submitted them. Your answers are not here: "
                "they are stored without your name or anything that leads to you, so nobody, not even the "
                "programme, can tell which answers are yours. That is also why they stay when you delete your "
                "account."
            ),
            exclude=["user"],
            withheld={"token": _("Your personal link to the form is a key: it is only in the invitation e-mail.")},
            extra={"submitted": (_("submitted"), lambda row: row.pk in submitted)},
        )
    ]


def register_contributor():
    register(
        Contributor(
            app_label="evaluations",
            relations={"evaluations.invitation.user": Policy.HERS},
            collect=collect,
            order=30,
        )
    )
