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
