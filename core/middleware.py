from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
