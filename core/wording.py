"""allauth and Django messages whose Dutch we word differently.

allauth translates "Sign In" as "Aanmelden", but in this programme "aanmelden"
means applying for the programme; Django's password rules say "u" where the site
says "je". Listing the strings here puts them in our own catalogue (locale/),
which takes precedence over allauth's and Django's.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

ALLAUTH_WORDING = [
    gettext_noop("Sign In"),
    gettext_noop("Sign Out"),
    gettext_noop("Are you sure you want to sign out?"),
    gettext_noop("If you have not created an account yet, then please %(link)ssign up%(end_link)s first."),
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
    gettext_noop("Confirmation email sent to %(email)s."),
    gettext_noop(
        'Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email address for user %(user_display)s.'
    ),
    # allauth's Dutch says "a.u.b." here (and speaks of a verification mail after a password reset).
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam folder. Otherwise contact us "
        "if you do not receive it in a few minutes."
    ),
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to finalize the signup process. If "
        "you do not see the verification email in your main inbox, check your spam folder. Please contact us if you "
        "do not receive the verification email within a few minutes."
    ),
    gettext_noop(
        "We have sent an email to you for\nverification. Please click on the link inside that email. If you do not see "
        "the verification email in your main inbox, check your spam folder. Otherwise\ncontact us if you do not "
        "receive it within a few minutes."
    ),
]

# Django's password rules, shown under the password field at sign-up.
PASSWORD_WORDING = [
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
    ),
    # The errors: Django 5.2's "too short" has no Dutch of its own, and "lijkt te veel op de e-mailadres" is wrong.
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("This password is too common."),
    gettext_noop("This password is entirely numeric."),
]

# The admin's inline button reads "Nog een Vraag toevoegen" in Django's Dutch (a capital in the
# middle of a sentence); ours says "Vraag toevoegen".
ADMIN_WORDING = [
    gettext_noop("Add another %(verbose_name)s"),
]

# The admin index's column headers for screen readers and the "Error:" before a page title when a form
# has errors have no Dutch in Django 5.2 ("Error: evaluatieronde toevoegen").
ADMIN_WORDING += [
    gettext_noop("Error:"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Models in the %(name)s application"),
]

# allauth's pages for the second login step (authenticator app, security keys, recovery codes) in the
# programme's Dutch: "je", "authenticator-app", "verificatiecode", verbs as buttons ("Toevoegen", not
# "Voeg toe"), and no "Voer alstublieft". mentorprogramma/tests/test_dutch_catalogue.py keeps it so.
MFA_WORDING = [
    gettext_noop("Are you sure?"),  # Django's admin Dutch ("Weet u het zeker?") would win over allauth's
    gettext_noop("Incorrect code."),
    gettext_noop("You cannot add an email address to an account protected by two-factor authentication."),
    gettext_noop("TOTP Authenticator"),
    gettext_noop("Authenticator code"),
    gettext_noop("Your account is protected by two-factor authentication. Please enter an authenticator code:"),
    gettext_noop("Enter an authenticator code:"),
    gettext_noop("Authentication using an authenticator app is active."),
    gettext_noop("An authenticator app is not active."),
    gettext_noop("Activate"),
    gettext_noop("Deactivate"),
    gettext_noop("Add"),
    gettext_noop("Remove"),
    gettext_noop("View"),
    gettext_noop("Generate"),
    gettext_noop("Create"),
    gettext_noop("Unspecified"),
    gettext_noop("No security keys have been added."),
    gettext_noop("This action will invalidate your existing codes."),
    gettext_noop("Activate Authenticator App"),
    gettext_noop(
        "To protect your account with two-factor authentication, scan the QR code below with your authenticator "
        "app. Then, input the verification code generated by the app below."
    ),
    gettext_noop("Authenticator secret"),
    gettext_noop("You can store this secret and use it to reinstall your authenticator app at a later time."),
    gettext_noop("Deactivate Authenticator App"),
    gettext_noop("You are about to deactivate authenticator app based authentication. Are you sure?"),
    gettext_noop("Trust this Browser?"),
    gettext_noop(
        "If you choose to trust this browser, you will not be asked for a verification code the next time you sign in."
    ),
    gettext_noop("Trust for %(period)s"),
    gettext_noop("Don't Trust"),
    gettext_noop("Add Security Key"),
    gettext_noop("Remove Security Key"),
    gettext_noop("Edit Security Key"),
    gettext_noop(
        "You are about to create a passkey for your account. As you can add additional keys later on, you can use "
        "a descriptive name to tell the keys apart."
    ),
    gettext_noop(
        "Enabling passwordless operation allows you to sign in using just this key, but imposes additional "
        "requirements such as biometrics or PIN protection."
    ),
]
