import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import (
    COORDINATOR_GROUP,
    Expertise,
    MemberListImport,
    MembershipType,
    Profile,
    User,
    VerificationStatus,
)
from accounts.permissions import coordinator_permissions, grant_coordinator_permissions
from accounts.tests.factories import CoordinatorFactory, MemberFactory, ProfileFactory, UserFactory, reauthenticate

pytestmark = pytest.mark.django_db


def test_the_coordinators_group_has_exactly_what_each_app_declares():
    group = Group.objects.get(name=COORDINATOR_GROUP)

    granted = set(group.permissions.values_list("content_type__app_label", "codename"))

    declared = coordinator_permissions()
    assert {"accounts", "matching", "evaluations", "notifications"} <= set(declared)
    assert "meetings" not in declared  # R11: coordinators see counts only
    assert granted == {(app_label, codename) for app_label, codenames in declared.items() for codename in codenames}
    # Never the power to edit accounts (that would allow making oneself superuser) or delete members.
    assert ("accounts", "change_user") not in granted
    assert ("accounts", "delete_profile") not in granted
    assert ("auth", "change_group") not in granted


def test_the_expertise_list_is_seeded_in_dutch_with_english_names():
    btw = Expertise.objects.get(name="Btw")

    assert btw.name_en == "VAT"
    assert Expertise.objects.filter(name="Transfer pricing").exists()
    assert Expertise.objects.count() >= 12


def test_granting_is_idempotent_and_refuses_unknown_codenames():
    from django.apps import apps

    grant_coordinator_permissions(apps, "accounts", ["view_profile"])
    assert Group.objects.filter(name=COORDINATOR_GROUP).count() == 1

    with pytest.raises(LookupError):
        grant_coordinator_permissions(apps, "accounts", ["fly_to_the_moon"])


def test_coordinators_are_staff_but_not_superusers_and_reach_the_member_admin(client):
    coordinator = CoordinatorFactory()
    assert coordinator.is_staff and not coordinator.is_superuser
    client.force_login(coordinator)
    reauthenticate(client, coordinator)  # the import asks for her password again

    assert client.get(reverse("admin:accounts_profile_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_memberlistimport_add")).status_code == 200
    assert client.get(reverse("admin:accounts_expertise_add")).status_code == 200
    # Looking at accounts is fine, changing them is not.
    assert client.get(reverse("admin:accounts_user_change", args=[coordinator.pk])).status_code == 200
    response = client.post(
        reverse("admin:accounts_user_change", args=[coordinator.pk]),
        {"email": coordinator.email, "full_name": "x", "is_superuser": "on", "is_staff": "on", "language": "nl"},
    )
    assert response.status_code == 403
    coordinator.refresh_from_db()
    assert not coordinator.is_superuser


def test_members_cannot_reach_the_admin(client):
    member = MemberFactory()
    profile = ProfileFactory()
    client.force_login(member)

    for url in (
        reverse("admin:accounts_profile_changelist"),
        reverse("admin:accounts_profile_verification", args=[profile.pk]),
        reverse("admin:accounts_memberlistimport_add"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]

    client.post(reverse("admin:accounts_profile_verification", args=[profile.pk]), {"decision": "verify"})
    profile.refresh_from_db()
    assert profile.verification_status == VerificationStatus.PENDING


def test_a_coordinator_verifies_a_member_in_the_admin(client):
    coordinator = CoordinatorFactory()
    profile = ProfileFactory()
    client.force_login(coordinator)

    response = client.post(reverse("admin:accounts_profile_verification", args=[profile.pk]), {"decision": "verify"})

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.is_verified
    assert profile.verified_by == coordinator
    assert profile.verified_at is not None


def test_a_coordinator_rejects_with_a_reason_the_member_reads(client):
    coordinator = CoordinatorFactory()
    profile = ProfileFactory()
    client.force_login(coordinator)
    url = reverse("admin:accounts_profile_verification", args=[profile.pk])

    response = client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    profile.refresh_from_db()
    assert profile.verification_status == VerificationStatus.PENDING

    client.post(url, {"decision": "reject", "reason": "Dit lidnummer hoort bij iemand anders."})
    profile.refresh_from_db()
    assert profile.verification_status == VerificationStatus.REJECTED

    client.force_login(profile.user)
    assert "Dit lidnummer hoort bij iemand anders." in client.get(reverse("accounts:profile")).content.decode()


def test_bulk_verify_from_the_member_list(client):
    coordinator = CoordinatorFactory()
    waiting = ProfileFactory.create_batch(3)
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:accounts_profile_changelist"),
        {"action": "verify_selected", "_selected_action": [str(profile.pk) for profile in waiting[:2]]},
    )

    assert response.status_code == 302
    statuses = [Profile.objects.get(pk=profile.pk).verification_status for profile in waiting]
    assert statuses == [VerificationStatus.VERIFIED, VerificationStatus.VERIFIED, VerificationStatus.PENDING]


def test_mark_reviewed_clears_the_flag_and_keeps_the_member(client):
    flagged = ProfileFactory(verified=True, needs_review=True)
    client.force_login(CoordinatorFactory())

    client.post(
        reverse("admin:accounts_profile_changelist"),
        {"action": "mark_reviewed", "_selected_action": [str(flagged.pk)]},
    )

    flagged.refresh_from_db()
    assert not flagged.needs_review
    assert flagged.is_verified


@pytest.mark.parametrize(
    "query",
    [
        "verification_status__exact=pending",
        "needs_review__exact=1",
        "wants_mentor__exact=1",
        "membership_type__exact=aspirant",
        "region__exact=utrecht",
        "q=Kantoor",
        "q=200",
    ],
)
def test_the_member_list_filters_and_searches(client, query):
    ProfileFactory(organisation="Kantoor X", wants_mentor=True)
    client.force_login(CoordinatorFactory())

    response = client.get(reverse("admin:accounts_profile_changelist") + "?" + query)

    assert response.status_code == 200


def test_the_member_list_is_searched_by_organisation(client):
    # Issue 17: a search box rather than a filter listing every firm of 10,000 members.
    in_firm = ProfileFactory(organisation="Kantoor X")
    ProfileFactory(organisation="Ander bureau")
    client.force_login(CoordinatorFactory())

    response = client.get(reverse("admin:accounts_profile_changelist") + "?q=Kantoor%20X")

    assert list(response.context["cl"].result_list) == [in_firm]


def test_the_member_list_filters_by_expertise(client):
    btw = Expertise.objects.get(name="Btw")
    with_btw = ProfileFactory(expertise=[btw])
    ProfileFactory()
    client.force_login(CoordinatorFactory())

    response = client.get(reverse("admin:accounts_profile_changelist") + f"?expertise__id__exact={btw.pk}")

    assert list(response.context["cl"].queryset) == [with_btw]


def test_a_coordinator_cannot_add_profiles_for_members(client):
    client.force_login(CoordinatorFactory())

    assert client.get(reverse("admin:accounts_profile_add")).status_code == 403


def test_the_import_page_documents_the_headers_and_imports_a_file(client):
    coordinator = CoordinatorFactory()
    profile = ProfileFactory(membership_number="100201", user__email="a@example.org")
    client.force_login(coordinator)
    reauthenticate(client, coordinator)
    url = reverse("admin:accounts_memberlistimport_add")

    page = client.get(url).content.decode()
    assert "lidnummer" in page and "soort lid" in page

    upload = SimpleUploadedFile("lijst.csv", b"lidnummer;e-mail;soort lid\n100201;a@example.org;lid\n")
    preview = client.post(url, {"file": upload})

    assert preview.status_code == 200
    assert "1 profiel wordt geverifieerd" in preview.content.decode()
    assert str(profile) in preview.content.decode()
    profile.refresh_from_db()
    assert not profile.is_verified  # only her confirmation writes
    assert not MemberListImport.objects.exists()

    response = client.post(url, {"token": preview.context["token"], "action": "confirm"})

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.is_verified
    assert MemberListImport.objects.get().verified_count == 1


def test_the_import_page_lists_bad_lines_and_changes_nothing(client):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    reauthenticate(client, coordinator)
    profile = ProfileFactory(membership_number="100201")

    upload = SimpleUploadedFile("lijst.csv", b"lidnummer;e-mail;soort lid\n100201;a@example.org;lid\nabc;;lid\n")
    response = client.post(reverse("admin:accounts_memberlistimport_add"), {"file": upload})

    assert "Regel 3" in response.content.decode()
    profile.refresh_from_db()
    assert profile.verification_status == VerificationStatus.PENDING


def test_a_member_without_staff_rights_gets_no_coordination_panel(client):
    client.force_login(MemberFactory())

    assert "admin" not in client.get(reverse("dashboard")).content.decode().split("<main")[1]


def test_the_coordinators_dashboard_counts_waiting_members(client):
    ProfileFactory.create_batch(2)
    client.force_login(CoordinatorFactory())

    content = client.get(reverse("dashboard")).content.decode()

    assert "2 leden wachten op verificatie" in content


def test_only_the_group_permissions_make_the_difference(client):
    # A staff user outside the group sees no member data at all.
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    # No coordinator (core.roles): the admin is closed to her, as to any member.
    response = client.get(reverse("admin:accounts_profile_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert not Permission.objects.filter(user=staff).exists()


def test_the_import_page_asks_for_a_file_when_none_was_sent(client):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    reauthenticate(client, coordinator)

    response = client.post(reverse("admin:accounts_memberlistimport_add"), {})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_verifying_an_unknown_profile_is_a_404(client):
    client.force_login(CoordinatorFactory())

    assert client.get("/admin/accounts/profile/99999999999999999999/verificatie/").status_code == 404


# --- make_coordinator ------------------------------------------------------------------


def test_make_coordinator_makes_her_staff_and_a_group_member_but_not_superuser():
    from django.core.management import call_command

    user = UserFactory(email="carla@example.org")

    call_command("make_coordinator", "Carla@Example.org", stdout=io.StringIO())
    call_command("make_coordinator", "carla@example.org", stdout=io.StringIO())  # twice is harmless

    user.refresh_from_db()
    assert user.is_staff and not user.is_superuser
    assert user.is_coordinator
    assert user.groups.count() == 1
    assert user.has_perm("accounts.change_profile")
    assert not user.has_perm("accounts.change_user")


def test_make_coordinator_refuses_an_unknown_address_and_creates_nobody():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Er is geen account"):
        call_command("make_coordinator", "niemand@example.org", stdout=io.StringIO())

    assert not User.objects.filter(email="niemand@example.org").exists()


def test_make_coordinator_remove_takes_the_role_away_and_keeps_the_account(client):
    from django.core.management import call_command

    coordinator = CoordinatorFactory()

    call_command("make_coordinator", coordinator.email, "--remove", stdout=io.StringIO())

    coordinator.refresh_from_db()
    assert not coordinator.is_staff
    assert not coordinator.is_coordinator
    client.force_login(coordinator)
    assert client.get(reverse("admin:accounts_profile_changelist")).status_code == 302


def test_the_verification_page_tells_whether_and_how_she_is_on_the_member_list(client):
    from accounts.models import MemberListEntry, MemberListImport

    record = MemberListImport.objects.create(row_count=1)
    MemberListEntry.objects.create(membership_number="300001", membership_type="aspirant", member_list_import=record)
    on_list_as_other_type = ProfileFactory(membership_number="300001", membership_type=MembershipType.MEMBER)
    not_on_list = ProfileFactory(membership_number="300002")
    client.force_login(CoordinatorFactory())

    url = "admin:accounts_profile_verification"
    assert "ja, maar als aspirant-lid" in client.get(reverse(url, args=[on_list_as_other_type.pk])).content.decode()
    assert "Op de nieuwste ledenlijst" in client.get(reverse(url, args=[not_on_list.pk])).content.decode()
