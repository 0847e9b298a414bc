"""A member's rights over her data (AVG/GDPR arts. 15, 17, 20): see it, take it, erase it.

Every app contributes its own part through ``accounts.personal_data`` (registered in its
AppConfig.ready()), so this module reads and erases the whole programme without importing
the apps above accounts.
"""

from __future__ import annotations

import io
import json
import zipfile

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Replace
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.disclosure import may_see
from core.people import ERASED_MEMBER
from core.roles import is_coordinator

from .models import MemberListEntry, Profile, RetentionNotice, User
from .personal_data import Contributor, Policy, Section, contributors, json_value, model_section, register
from .selectors import member_list_entry_for

EXPORT_FORMAT = "mentorprogramma-personal-data"
EXPORT_VERSION = 1
JSON_NAME = "mijn-gegevens.json"
HTML_NAME = "mijn-gegevens.html"


# --- The accounts app's own part ----------------------------------------------------------


def _collect_accounts(user) -> list[Section]:
    from allauth.account.models import EmailAddress

    sections = [
        model_section(
            "account",
            gettext_lazy("Account"),
            [user],
            model=User,
            viewer=user,
            description=gettext_lazy("How you log in, and when you last did."),
            withheld={
                "password": gettext_lazy("Only a one-way fingerprint of your password is stored."),
                "is_staff": gettext_lazy(
                    "Whether the account may open the coordinators' pages: a setting, not data about you."
                ),
                "is_superuser": gettext_lazy(
                    "Whether the account may open the coordinators' pages: a setting, not data about you."
                ),
            },
        ),
        model_section(
            "email_addresses",
            gettext_lazy("E-mail addresses"),
            EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
            model=EmailAddress,
            viewer=user,
            exclude=["user"],
        ),
    ]
    profile = Profile.objects.filter(user=user).prefetch_related("expertise").first()
    sections.append(
        model_section(
            "profile",
            gettext_lazy("Programme profile"),
            [profile] if profile else [],
            model=Profile,
            viewer=user,
            description=gettext_lazy(
                "What you filled in when you registered. Your phone number and LinkedIn profile are shown only to "
                "your mentor or mentee, while you are paired."
            ),
            exclude=["user"],
            withheld={
                "verified_by": gettext_lazy(
                    "The coordinator who verified your membership: that is about her, not about you."
                )
            },
            extra={
                "expertise": (
                    gettext_lazy("Areas of expertise"),
                    lambda row: [str(item) for item in row.expertise.all()],
                )
            },
        )
    )
    # Only the line she was verified against (core.disclosure): a number she typed reveals nobody's line.
    entry = member_list_entry_for(profile=profile) if profile else None
    entries = [entry] if entry is not None and may_see(user, entry, "email") else []
    sections.append(
        model_section(
            "member_list",
            gettext_lazy("NOB member list"),
            entries,
            model=MemberListEntry,
            withheld={
                "member_list_import": gettext_lazy("The file the coordinators read the list from: shown as its date.")
            },
            extra={
                "list_of": (
                    gettext_lazy("list of"),
                    lambda row: json_value(row.member_list_import.uploaded_at),
                )
            },
            viewer=user,
            description=gettext_lazy(
                "The line of the association's member list you were verified against: your membership number "
                "and your e-mail address. The list is the association's record: it stays when you delete your "
                "account."
            ),
        )
    )
    sections.append(
        model_section(
            "retention_notices",
            gettext_lazy("Retention warnings"),
            RetentionNotice.objects.filter(user=user),
            model=RetentionNotice,
            viewer=user,
            description=gettext_lazy("Warnings we sent you before deleting data the programme no longer needs."),
            exclude=["user"],
            withheld={"about_id": gettext_lazy("A technical reference to what the warning was about.")},
        )
    )
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.models import Authenticator

        sections.append(
            model_section(
                "authenticators",
                gettext_lazy("Two-factor authentication"),
                Authenticator.objects.filter(user=user),
                model=Authenticator,
                viewer=user,
                exclude=["user"],
                withheld={"data": gettext_lazy("The secret keys of your authenticator are never shown.")},
                labels={"created_at": gettext_lazy("created at"), "last_used_at": gettext_lazy("last used at")},
            )
        )
    return sections


def _erase_accounts(user, by=None) -> None:
    # The admin's history names her in its text ("Anna Jansen (12345)"): remove what is about her.
    about_her = [
        (ContentType.objects.get_for_model(User), [user.pk]),
        (
            ContentType.objects.get_for_model(Profile),
            list(Profile.objects.filter(user=user).values_list("pk", flat=True)),
        ),
    ]
    for content_type, ids in about_her:
        LogEntry.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in ids]).delete()
    # Other history lines name her in their text ("Femke Visser → …" for a pair): "verwijderd lid" instead,
    # so "Recent actions" and an object's history keep what was done, not by or about whom.
    with translation.override(settings.LANGUAGE_CODE):
        erased = str(ERASED_MEMBER)
    for trace in {user.full_name.strip(), user.email.strip()} - {""}:
        LogEntry.objects.filter(object_repr__contains=trace).update(
            object_repr=Replace("object_repr", Value(trace), Value(erased))
        )


def _accounts_relations() -> dict[str, str]:
    relations = {
        "accounts.profile.user": Policy.HERS,
        "accounts.profile.verified_by": Policy.ACTOR,
        "accounts.memberlistimport.uploaded_by": Policy.ACTOR,
        "account.emailaddress.user": Policy.HERS,
        "accounts.retentionnotice.user": Policy.HERS,
        # A coordinator's own admin history goes with her account (Django's CASCADE).
        "admin.logentry.user": Policy.ACTOR,
    }
    if apps.is_installed("allauth.mfa"):
        relations["mfa.authenticator.user"] = Policy.HERS
    return relations


def register_accounts_contributor() -> None:
    register(
        Contributor(
            app_label="accounts",
            relations=_accounts_relations(),
            collect=_collect_accounts,
            erase=_erase_accounts,
            order=90,  # last: the others still find her profile while they erase
        )
    )


# --- Reading ------------------------------------------------------------------------------


def personal_data(user) -> list[Section]:
    """Everything the programme holds about her, grouped, in the registry's order (accounts first)."""
    sections = []
    ordered = sorted(contributors(), key=lambda item: item.order if item.app_label != "accounts" else -1)
    for contributor in ordered:
        sections.extend(contributor.collect(user))
    return sections


def export_document(user, sections: list[Section] | None = None) -> dict:
    sections = personal_data(user) if sections is None else sections
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "language": translation.get_language(),
        "about": _(
            "Everything the mentor programme of the NOB Women's Network stores about you. Each section lists "
            "its keys with what they mean ('keys'), what was left out on purpose and why ('withheld'), and the "
            "records. Your evaluation answers are not here: they are stored without your name, so nobody, not "
            "even the programme, can tell which answers are yours."
        ),
        "sections": {section.key: section.as_json() for section in sections},
    }


def export_zip(user) -> bytes:
    """The ZIP she downloads: the JSON file (machine-readable) and the same data as a readable web page."""
    sections = personal_data(user)
    document = export_document(user, sections)
    html = render_to_string(
        "accounts/personal_data_export.html",
        {
            "sections": sections,
            "member": user,
            "json_name": JSON_NAME,
            "generated_on": date_format(timezone.localtime(), "j F Y, H:i"),
        },
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(document, ensure_ascii=False, indent=2))
        archive.writestr(HTML_NAME, html)
    return buffer.getvalue()


def export_file_name() -> str:
    return f"mentorprogramma-gegevens-{timezone.localdate():%Y-%m-%d}.zip"


# --- Erasure ------------------------------------------------------------------------------


def may_erase_own_account(user) -> bool:
    """Coordinators keep their account while they coordinate: another coordinator erases a member."""
    return user.is_authenticated and not is_coordinator(user)


def member_erase(*, member: User, by: User | None = None) -> None:
    """Erase a member and everything that names her (AVG art. 17), in one transaction.

    Every app first does its own part (matching ends a live pair and the partner is told,
    R6); deleting the user then cascades to her own rows and empties the links kept for a
    partner's sake, which then read "voormalig deelnemer".
    """
    if member.is_superuser:
        raise PermissionDenied("A superuser is not erased through the programme.")
    with transaction.atomic():
        member = User.objects.select_for_update().get(pk=member.pk)
        for contributor in contributors():
            if contributor.erase is not None:
                contributor.erase(member, by=by)
        member.delete()
