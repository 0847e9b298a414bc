from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
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
        return (
            "/account/",
            reverse("admin:index"),
            reverse("accounts:profile"),
            reverse("set_language"),
            "/" + settings.STATIC_URL.lstrip("/"),
        )

    @staticmethod
    def _public_pages() -> set[str]:
        return {reverse("home"), reverse("misconduct"), reverse("confidentiality"), reverse("privacy")}

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
