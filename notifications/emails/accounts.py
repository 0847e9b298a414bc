"""E-mails about her account: the membership decision (R2), retention's warning, and allauth's e-mails
(sign-up confirmation, password reset, security notices) in the programme's own words.

allauth's context is sealed in the outbox row (its link is a secret); it is unsealed here only,
when the e-mail is built.
"""

import json

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import RetentionNotice, VerificationStatus
from matching import selectors as matching_selectors

from .. import crypto
from ..models import OutboxMessage
from .base import Content, PermanentDeliveryError, absolute_url, long_date

Kind = OutboxMessage.Kind


def _verification_decision(message, profile) -> Content:
    """R2: verified, or rejected with the coordinators' reason; the decision is the one recorded in the period."""
    profile_url = absolute_url(reverse("accounts:profile"))
    if message.period[:1] == VerificationStatus.VERIFIED[:1]:
        # Said as it is today: while a cycle takes applications, "whenever applications are open" reads
        # as if they were closed.
        cycle = matching_selectors.open_cycles().first()
        if cycle is not None:
            next_step = _(
                "Your NOB membership has been verified. Applications for %(cycle)s are open until %(date)s: you "
                "can apply now as mentee or mentor. Your profile shows what you can do next."
            ) % {"cycle": cycle.name, "date": long_date(cycle.applications_close)}
        else:
            next_step = _(
                "Your NOB membership has been verified. You can apply as soon as applications for the next cycle "
                "of the mentor programme open. Your profile shows what you can do next."
            )
        return Content(
            subject=_("Your NOB membership has been verified"),
            paragraphs=[next_step],
            actions=[(_("Open your profile"), profile_url)],
        )
    paragraphs = [_("Unfortunately we could not verify your NOB membership. The coordinators' reason:")]
    if profile.verification_note:
        paragraphs.append(profile.verification_note)
    paragraphs.append(
        _("If your membership number or type was wrong, correct it in your profile; a coordinator then looks again.")
    )
    return Content(
        subject=_("Your NOB membership could not be verified"),
        paragraphs=paragraphs,
        actions=[(_("Open your profile"), profile_url)],
    )


def _retention_warning(message, notice) -> Content:
    my_data = absolute_url(reverse("my_data:overview"))
    values = {"date": long_date(notice.erase_on), "years": settings.RETENTION_INACTIVE_YEARS}
    if notice.topic == RetentionNotice.Topic.NOTES:
        return Content(
            subject=_("Your private meeting notes will be deleted on %(date)s") % values,
            paragraphs=[
                _(
                    "Your mentorship ended a while ago. The programme keeps private meeting notes only for a "
                    "limited time after a pair ends, so your notes of that mentorship will be deleted on %(date)s."
                )
                % values,
                _("Would you like to keep them? Download your data before that date."),
            ],
            actions=[(_("Download my data"), my_data)],
        )
    return Content(
        subject=_("Your account in the mentor programme will be deleted on %(date)s") % values,
        paragraphs=[
            _(
                "You have not taken part in the mentor programme or logged in for almost %(years)s years. "
                "The programme does not keep personal data longer than it needs, so your account and your data "
                "will be deleted on %(date)s."
            )
            % values,
            _("Would you like to stay? Simply log in before that date. You can also download your data first."),
        ],
        actions=[(_("Log in"), absolute_url(reverse("account_login"))), (_("Download my data"), my_data)],
    )


# --- allauth's e-mails -----------------------------------------------------------------


def unsealed_context(message: OutboxMessage) -> dict:
    if not message.sealed_context:
        raise PermanentDeliveryError("the account e-mail's context is gone (sent or failed before)")
    try:
        return json.loads(crypto.unseal(message.sealed_context))
    except InvalidToken as exc:
        raise PermanentDeliveryError("the account e-mail's context cannot be opened (SECRET_KEY changed)") from exc


def account_language(message: OutboxMessage) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    try:
        language = unsealed_context(message).get("language", "")
    except PermanentDeliveryError:
        language = ""
    if language[:2] in languages:
        return language[:2]
    if message.recipient is not None and message.recipient.language in languages:
        return message.recipient.language
    return settings.LANGUAGE_CODE


def _code_or_link(context: dict, link_key: str, label: str) -> tuple[list, list]:
    """allauth sends a link, or (when configured) a code to type in."""
    if context.get(link_key):
        return [], [(label, context[link_key])]
    if context.get("code"):
        return [(_("Code"), context["code"])], []
    return [], []


def _reason() -> str:
    return _("You receive this e-mail because this address was entered on the website of the mentor programme.")


def _ignore_if_not_you() -> str:
    return _("Did you not ask for this? Then you can ignore this e-mail.")


def _confirmation_signup(context) -> Content:
    details, actions = _code_or_link(context, "activate_url", _("Confirm your e-mail address"))
    return Content(
        subject=_("Confirm your e-mail address for the mentor programme"),
        paragraphs=[
            _(
                "Thank you for signing up for the mentor programme of the NOB Women's Network. Confirm your "
                "e-mail address; then you can fill in your profile and apply as mentor or mentee."
            ),
            _ignore_if_not_you(),
        ],
        details=details,
        actions=actions,
        reason=_reason(),
    )


def _confirmation(context) -> Content:
    details, actions = _code_or_link(context, "activate_url", _("Confirm this e-mail address"))
    return Content(
        subject=_("Confirm your new e-mail address"),
        paragraphs=[
            _(
                "You asked to use this e-mail address for your account in the mentor programme. Confirm it, so "
                "that our e-mails reach you here."
            ),
            _ignore_if_not_you(),
        ],
        details=details,
        actions=actions,
        reason=_reason(),
    )


def _password_reset(context) -> Content:
    details, actions = _code_or_link(context, "password_reset_url", _("Choose a new password"))
    return Content(
        subject=_("Choose a new password for the mentor programme"),
        paragraphs=[
            _(
                "Someone, probably you, asked for a new password for your account in the mentor programme. "
                "Choose a new password with the link below."
            ),
            _("Did you not ask for this? Then ignore this e-mail: your password stays as it is."),
        ],
        details=details,
        actions=actions,
        reason=_reason(),
    )


def _unknown_account(context) -> Content:
    actions = [(_("Sign up for the mentor programme"), context["signup_url"])] if context.get("signup_url") else []
    return Content(
        subject=_("A new password was asked for this e-mail address"),
        paragraphs=[
            _(
                "Someone asked for a new password for this e-mail address, but the mentor programme has no "
                "account with this address. Perhaps you signed up with another address?"
            ),
            _("Would you like to take part? You can sign up with the link below."),
            _ignore_if_not_you(),
        ],
        actions=actions,
        reason=_reason(),
    )


def _account_already_exists(context) -> Content:
    actions = []
    if context.get("password_reset_url"):
        actions.append((_("Choose a new password"), context["password_reset_url"]))
    return Content(
        subject=_("You already have an account for the mentor programme"),
        paragraphs=[
            _(
                "Someone tried to sign up for the mentor programme with this e-mail address, but an account "
                "with this address already exists. Just log in; forgot your password? Choose a new one."
            ),
            _ignore_if_not_you(),
        ],
        actions=actions,
        reason=_reason(),
    )


def _login_code(context) -> Content:
    return Content(
        subject=_("Your login code for the mentor programme"),
        paragraphs=[_("Type this code in the browser window where you are logging in."), _ignore_if_not_you()],
        details=[(_("Code"), context.get("code", ""))],
        reason=_reason(),
    )


def _security_notice(change):
    """A change to her account (password, e-mail address, second step): what changed, and what to do if it
    was not her. allauth's own Dutch for these reads stiffly and misspells; this is ours."""

    def build(context) -> Content:
        details = [(_("IP address"), context["ip"])] if context.get("ip") else []
        if context.get("user_agent"):
            details.append((_("Browser"), context["user_agent"]))
        subject, sentence = change(context)
        return Content(
            subject=subject,
            paragraphs=[
                _("This change was just made to your account for the mentor programme:"),
                sentence,
                _(
                    "Was this not you? Then choose a new password straight away via “Forgot your password?” "
                    "on the login page, and let us know by replying to this e-mail."
                ),
            ],
            details=details,
            reason=_("You receive this e-mail to keep your account safe."),
        )

    return build


SECURITY_NOTICES = {
    "account/email/password_changed": lambda c: (_("Your password has been changed"), _("Your password was changed.")),
    "account/email/password_set": lambda c: (_("A password has been set"), _("A password was set for your account.")),
    "account/email/password_reset": lambda c: (_("Your password has been reset"), _("Your password was reset.")),
    "account/email/email_changed": lambda c: (
        _("Your e-mail address has been changed"),
        _("Your e-mail address was changed from %(old)s to %(new)s.")
        % {"old": c.get("from_email", ""), "new": c.get("to_email", "")},
    ),
    "account/email/email_confirm": lambda c: (
        _("Your e-mail address has been confirmed"),
        _("Your e-mail address %(email)s was confirmed.") % {"email": c.get("email", "")},
    ),
    "account/email/email_deleted": lambda c: (
        _("An e-mail address has been removed"),
        _("The e-mail address %(email)s was removed from your account.")
        % {"email": c.get("deleted_email") or c.get("email", "")},
    ),
    "mfa/email/totp_activated": lambda c: (
        _("Second login step set up"),
        _("An authenticator app was set up as the second step when you log in."),
    ),
    "mfa/email/totp_deactivated": lambda c: (
        _("Authenticator app removed"),
        _("The authenticator app was removed as the second step when you log in."),
    ),
    "mfa/email/recovery_codes_generated": lambda c: (
        _("New recovery codes"),
        _("New recovery codes were made for your second login step; the old ones no longer work."),
    ),
    "mfa/email/webauthn_added": lambda c: (_("Security key added"), _("A security key or passkey was added.")),
    "mfa/email/webauthn_removed": lambda c: (
        _("Security key removed"),
        _("A security key or passkey was removed."),
    ),
}


ACCOUNT_BUILDERS = {
    **{template: _security_notice(change) for template, change in SECURITY_NOTICES.items()},
    "account/email/login_code": _login_code,
    "account/email/email_confirmation_signup": _confirmation_signup,
    "account/email/email_confirmation": _confirmation,
    "account/email/password_reset_key": _password_reset,
    "account/email/password_reset_code": _password_reset,
    "account/email/unknown_account": _unknown_account,
    "account/email/account_already_exists": _account_already_exists,
}


def _allauth_wording(message, context) -> Content:
    """A mail allauth may add in a later version: its own text in our layout until we word it."""
    subject = " ".join(render_to_string(f"{message.template}_subject.txt", context).split())
    body = render_to_string(f"{message.template}_message.txt", context)
    paragraphs = [block.strip() for block in body.split("\n\n") if block.strip()]
    return Content(subject=subject, paragraphs=paragraphs, reason=_reason())


def account_content(message: OutboxMessage) -> Content:
    context = unsealed_context(message)
    builder = ACCOUNT_BUILDERS.get(message.template)
    return builder(context) if builder else _allauth_wording(message, context)


def _account_message(message, _subject) -> Content:
    """allauth's e-mails in the programme's own words; the context (its secret link) is unsealed here only."""
    return account_content(message)


BUILDERS = {
    Kind.VERIFICATION_DECISION: _verification_decision,
    Kind.RETENTION_WARNING: _retention_warning,
    Kind.ACCOUNT: _account_message,
}
