"""allauth messages whose Dutch we word differently.

allauth translates "Sign In" as "Aanmelden", but in this programme "aanmelden"
means applying for the programme. Listing the strings here puts them in our own
catalogue (locale/), which takes precedence over allauth's.
"""

from django.utils.translation import gettext_noop

ALLAUTH_WORDING = [
    gettext_noop("Sign In"),
    gettext_noop("Sign Out"),
    gettext_noop("Are you sure you want to sign out?"),
    gettext_noop("If you have not created an account yet, then please %(link)ssign up%(end_link)s first."),
]
