from django.conf import settings


def programme(request):
    """Values every page shows: the contact address for questions (R15)."""
    return {"PROGRAMME_CONTACT_EMAIL": settings.PROGRAMME_CONTACT_EMAIL}
