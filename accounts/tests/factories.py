import time

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.faker import Faker as FakerFactory

from accounts.eligibility import mentor_decision
from accounts.models import COORDINATOR_GROUP, Expertise, MembershipType, Profile, Region, User, VerificationStatus

PASSWORD = "een-lang-wachtwoord-2026"
# Factory staff's authenticator-app secret: core.mfa.current_totp_code(TOTP_SECRET) logs in.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"lid{n}@example.org")
    # Dutch names, without the apostrophe of "van 't Riet": pages escape it, so tests that look for
    # a name in the HTML would fail now and then.
    full_name = factory.LazyFunction(lambda: FakerFactory._get_faker(locale="nl_NL").name().replace("'", ""))
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        # allauth's mandatory verification: factory users can log in unless told otherwise.
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        # Staff must have MFA before the admin opens (core.mfa); factory staff have it,
        # with TOTP_SECRET, unless a test passes second_factor=False.
        if create and self.is_staff and extracted is not False:
            from core.mfa import totp_activate

            totp_activate(user=self, secret=TOTP_SECRET)


class CoordinatorFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def coordinator_group(self, create, extracted, **kwargs):
        if create:
            # A transactional test's flush removes the group the migrations made: grant again (idempotent).
            from django.apps import apps

            from accounts.permissions import grant_all_coordinator_permissions

            grant_all_coordinator_permissions(apps)
            group = Group.objects.get(name=COORDINATOR_GROUP)
            self.groups.add(group)


class ExpertiseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expertise
        django_get_or_create = ("name",)

    name = factory.Iterator(["Btw", "Vennootschapsbelasting", "Loonheffingen", "Transfer pricing"])


class ProfileFactory(factory.django.DjangoModelFactory):
    """A complete profile of a member still awaiting verification."""

    class Meta:
        model = Profile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    membership_number = factory.Sequence(lambda n: f"{200000 + n}")
    membership_type = MembershipType.MEMBER
    confirms_female_member = True
    organisation = factory.Sequence(lambda n: f"Kantoor {n}")
    job_title = "Belastingadviseur"
    career_start_year = factory.LazyFunction(lambda: timezone.localdate().year - 10)
    region = Region.UTRECHT
    # As the profile form requires: at least one role, and mentor only with more than 5 years (R3).
    wants_mentee = True
    wants_mentor = factory.LazyAttribute(
        lambda profile: profile.career_start_year is not None and bool(mentor_decision(profile.career_start_year))
    )

    class Params:
        verified = factory.Trait(
            verification_status=VerificationStatus.VERIFIED,
            verified_at=factory.LazyFunction(timezone.now),
        )

    @factory.post_generation
    def expertise(self, create, extracted, **kwargs):
        if create and extracted:
            self.expertise.set(extracted)


class MemberFactory(UserFactory):
    """A verified member with a complete profile: the usual participant."""

    profile = factory.RelatedFactory(ProfileFactory, factory_related_name="user", verified=True)


def reauthenticate(client, user) -> None:
    """As if she just confirmed her password again (allauth), for views behind sensitive_coordinator_action."""

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )

    session = client.session
    # allauth appends to the session's records (the login's second factor stays recorded).
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        *session.get(AUTHENTICATION_METHODS_SESSION_KEY, []),
        {"method": "password", "at": time.time(), "email": user.email, "reauthenticated": True},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


def browser_second_step(page, secret: str = TOTP_SECRET) -> None:
    """Browser tests: allauth's second step after a staff member's password, with her authenticator code."""
    import re

    from playwright.sync_api import expect

    from core.mfa import current_totp_code

    code = page.get_by_role("textbox", name="Code")
    expect(code).to_be_visible()
    # A code read in the last seconds of its 30-second period can reach a loaded server after it expired
    # ("Deze code klopt niet", seen in CI): take the next period's code instead, as a person would.
    left = 30 - time.time() % 30
    if left < 8:
        time.sleep(left + 0.5)
    code.fill(current_totp_code(secret))
    page.get_by_role("button", name="Inloggen", exact=True).click()
    # Wait until she is in, so a test's next goto() does not overtake the login.
    expect(page).not_to_have_url(re.compile(r".*/2fa/authenticate/"))
