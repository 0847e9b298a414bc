import logging

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.urls import is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views import defaults


class PreferredLanguageMiddleware:
    """Dutch unless the visitor chose otherwise.

    Django's LocaleMiddleware follows the browser's Accept-Language, which would
    show most laptops English. The programme is Dutch first, so only an explicit
    choice counts: the language cookie set by the switcher.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self._chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # The response is rendered by now; do not let this request's language leak into the
            # next piece of work on this thread (a later request, a test, a Celery task).
            translation.deactivate()
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response

    @staticmethod
    def _chosen_language(request):
        available = {code for code, _name in settings.LANGUAGES}
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in available:
            return chosen
        return settings.LANGUAGE_CODE


class RejectNulBytesMiddleware:
    """A NUL byte in the address or the query string is a 400, before any view runs.

    No honest link carries one, and PostgreSQL refuses it in a string ("A string literal
    cannot contain NUL"), so it would otherwise turn `/afspraken/agenda/%00.ics` or an admin
    filter into a 500 wherever a value reaches a query. One check here covers every URL.
    Posted forms are left to their fields, which refuse NUL with a message next to the field
    and keep what was typed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL byte in the address")
        return self.get_response(request)


class SiteErrorPagesMiddleware:
    """In development too, a stale link shows the programme's 404 page and a crash its 500 page.

    With DEBUG on, Django answers with its technical pages (a list of URL patterns, a traceback):
    useful to a developer, bewildering to a newcomer trying the site on a laptop. Those pages
    appear only with DEBUG *and* DEBUG_TECHNICAL_PAGES; otherwise this middleware renders the
    site's own 404.html and 500.html, exactly as production does. The traceback of a crash is
    still logged. Without DEBUG it does nothing: Django already uses the site's pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _active() -> bool:
        return settings.DEBUG and not getattr(settings, "DEBUG_TECHNICAL_PAGES", False)

    def __call__(self, request):
        response = self.get_response(request)
        # A 404 for an address no URL pattern matches was made by Django's resolver: with DEBUG that
        # is the technical URL list. A view's own 404 (a valid address) is left alone.
        if (
            response.status_code == 404
            and self._active()
            and not is_valid_path(request.path_info, getattr(request, "urlconf", None))
        ):
            response = defaults.page_not_found(request, Http404(request.path_info))
        return response

    def process_exception(self, request, exception):
        if not self._active():
            return None
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return None  # Django renders 403.html with or without DEBUG
        if isinstance(exception, BadRequest | SuspiciousOperation):
            return defaults.bad_request(request, exception)
        logging.getLogger("django.request").error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        return defaults.server_error(request)
