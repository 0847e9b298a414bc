"""How a member is named on the coordinators' surfaces, also after she erased her account.

A pair or a history line outlives a partner who erased her account (AVG art. 17): her place is then
empty. The cockpit, the digest and the admin's history read "verwijderd lid" there, never "None"
and never a crash. (Her former partner reads "voormalig deelnemer" on her own pages: she is told
the pair ended, not that the other left the programme.)
"""

from django.utils.translation import gettext_lazy

ERASED_MEMBER = gettext_lazy("erased member")


def name_for_coordinators(user) -> str:
    """Her name (or e-mail address when she gave none), or "verwijderd lid" once she is gone."""
    if user is None or getattr(user, "pk", None) is None:
        return str(ERASED_MEMBER)
    return user.full_name or user.email
