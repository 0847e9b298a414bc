"""Accounts' private fields (registered with `core.disclosure` in ready()).

A line of the NOB member list is the association's record of one member, e-mail address included.
A member reads it only when it is the line she was verified against: its number is hers (leading
zeros do not count) AND its e-mail address is one of her confirmed addresses, and she is verified.
Typing someone else's membership number into a profile reveals nothing of that line.
"""

from core.disclosure import private
from core.roles import is_coordinator

MEMBER_LIST_WHO = (
    "coordinators; the member herself only when it is the line she was verified against "
    "(her number and one of her confirmed e-mail addresses)."
)


def her_member_list_line(viewer, entry) -> bool:
    if is_coordinator(viewer):
        return True
    if entry is None:
        return False
    from allauth.account.models import EmailAddress

    from .member_list import membership_number_key
    from .models import Profile, VerificationStatus

    profile = Profile.objects.filter(user=viewer).only("membership_number", "verification_status").first()
    if profile is None or profile.verification_status != VerificationStatus.VERIFIED:
        return False
    if membership_number_key(profile.membership_number) != membership_number_key(entry.membership_number):
        return False
    listed = entry.email.strip().lower()
    confirmed = EmailAddress.objects.filter(user=viewer, verified=True).values_list("email", flat=True)
    return bool(listed) and listed in {address.strip().lower() for address in confirmed}


for _field in ("membership_number", "email", "membership_type", "member_list_import"):
    private(f"accounts.memberlistentry.{_field}", who=MEMBER_LIST_WHO)(her_member_list_line)
