import functools

from django.conf import settings
from django.shortcuts import redirect
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import urlencode

from core.roles import is_coordinator

from .selectors import has_profile


class ProfileStepMiddleware:
    """Lead a member without a programme profile to the profile step, wherever she goes.

    Pages she needs before (or instead of) a profile stay open: account pages
    (e-mail, password, logout), the profile step itself, the admin (coordinators),
    static files, the language switch and the public information pages (R13).
    Coordinators (`core.roles.is_coordinator`) are never redirected: they need no member profile.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_complete_profile(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:profile_edit')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _open_paths() -> tuple[str, ...]:
        return _paths(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), settings.STATIC_URL)[0]

    @staticmethod
    def _public_pages() -> frozenset[str]:
        return _paths(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), settings.STATIC_URL)[1]

    def _must_complete_profile(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or is_coordinator(user):
            return False
        if request.method not in ("GET", "HEAD"):
            return False
        path = request.path_info
        if path in self._public_pages() or path.startswith(self._open_paths()):
            return False
        return not has_profile(user=user)


@functools.lru_cache(maxsize=16)
def _paths(urlconf, script_prefix, static_url) -> tuple[tuple[str, ...], frozenset[str]]:
    """The open paths and public pages, reversed once per URLconf, script prefix and static URL (they depend on
    nothing else): nine reverse() calls on every request were a good part of every page's own CPU (issue 24)."""
    open_paths = (
        "/account/",
        reverse("admin:index"),
        reverse("accounts:profile"),
        reverse("set_language"),
        "/" + static_url.lstrip("/"),
    )
    public = frozenset({reverse("home"), reverse("misconduct"), reverse("confidentiality"), reverse("privacy")})
    return open_paths, public
