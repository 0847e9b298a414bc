from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Profile, VerificationStatus


@shared_task(name="accounts.send_verification_decision")
def send_verification_decision(profile_id: int) -> bool:
    """Tell the member, in her own language, that her membership was verified or rejected (and why)."""
    profile = Profile.objects.select_related("user").filter(pk=profile_id).first()
    if profile is None or profile.verification_status == VerificationStatus.PENDING:
        return False
    context = {
        "profile": profile,
        "user": profile.user,
        "contact_email": settings.PROGRAMME_CONTACT_EMAIL,
        # No request in a worker: the link is built from the configured site address.
        "profile_url": settings.SITE_URL + reverse("accounts:profile"),
    }
    with translation.override(profile.user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/verification_decision_subject.txt", context)
        body = render_to_string("accounts/email/verification_decision_message.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body,
        None,
        [profile.user.email],
    )
    return True


@shared_task(name="accounts.purge_expired_data")
def purge_expired_data() -> int:
    """The daily retention run (accounts/retention.py); returns how many things it removed or warned about."""
    from .retention import purge_expired_data as run

    return len(run().lines)
