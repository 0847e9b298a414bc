"""Second factor for coordinators (django-allauth's MFA) and reauthentication before sensitive actions.

Coordinators reach every member's profile, so a stolen password alone must not open the admin:
every admin page first sends a coordinator without MFA to set it up (authenticator app, security
key or passkey; recovery codes come with it). Members may turn MFA on too, from their account.

The most sensitive coordinator actions (importing the member list, exporting evaluation results,
starting a new term) also ask her to confirm who she is again (`sensitive_coordinator_action`), so
an unlocked laptop left in a meeting room is not enough either.
"""

from functools import wraps

from allauth.account.authentication import get_authentication_records
from allauth.account.decorators import reauthentication_required
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .roles import is_coordinator

# Development only: the demo coordinator's authenticator secret, printed by `make run`, so a
# newcomer can add it to an authenticator app (or ask `manage.py demo_totp_code`) and log in.
DEMO_TOTP_SECRET = "MENTORPROGRAMMADEMOCOORDINATOR22"


def coordinator_needs_mfa(user) -> bool:
    """A coordinator may not use the admin or the cockpit before her account has a second factor."""
    return is_coordinator(user) and not is_mfa_enabled(user)


def session_passed_second_factor(request: HttpRequest) -> bool:
    """Did *this session* pass a second factor (a code, a security key or a passkey)?

    allauth records every authentication step of a session (`get_authentication_records`); a
    login with password and code, a passkey login and a reauthentication with a code each leave an
    "mfa" record. A session that logged in with the password alone, before she enrolled an
    authenticator elsewhere, has none: an authenticator on the account is not enough.
    """
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def coordinator_gate(request: HttpRequest):
    """The one gate of every coordinator page: the admin site and the cockpit (and anything later).

    Returns None when she may go on, or the response that sends her to the step she lacks:
    setting up a second factor, or passing it in this session (allauth's reauthentication with a
    code, which then brings her back). Raises 404 for everyone who is not a coordinator, so a
    coordinator page does not even admit it exists; the admin site checks that itself first.
    """
    if not is_coordinator(request.user):
        raise Http404
    if session_passed_second_factor(request):
        return None  # read from the session: no query on every coordinator page
    if not is_mfa_enabled(request.user):
        return mfa_setup_redirect(request)
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")


def coordinator_required(view):
    """A coordinator page outside the admin: 404 for everyone else, then the second factor (see above)."""

    @wraps(view)
    def gated(request, *args, **kwargs):
        response = coordinator_gate(request)
        if response is not None:
            return response
        return view(request, *args, **kwargs)

    return gated


def mfa_setup_redirect(request: HttpRequest) -> HttpResponseRedirect:
    messages.warning(
        request,
        _(
            "As a coordinator you see the details of every member, so your account needs a second step "
            "when you log in. Set it up here with an authenticator app or a security key; after that "
            "the coordination pages open."
        ),
    )
    return HttpResponseRedirect(reverse("mfa_index"))


def sensitive_coordinator_action(function):
    """Ask for the password (or second factor) again before this view, admin view or admin action.

    Works on a view `(request, ...)`, a ModelAdmin method `(self, request, ...)` and an admin action
    `(self, request, queryset)`: allauth remembers a POST and carries it out after the check.
    """

    @wraps(function)
    def wrapper(*args, **kwargs):
        request = next(arg for arg in args if isinstance(arg, HttpRequest))

        @reauthentication_required
        def confirmed(_request):
            return function(*args, **kwargs)

        return confirmed(request)

    return wrapper


def current_totp_code(secret: str) -> str:
    """The code an authenticator app shows now for this secret (demo and tests)."""
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def totp_activate(*, user, secret: str) -> None:
    """Give an account an authenticator-app secret and recovery codes, as the setup page would."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)
