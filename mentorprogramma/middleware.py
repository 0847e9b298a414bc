from django.conf import settings
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
