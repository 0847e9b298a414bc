"""The member-list line is hers only when she was verified against it (issue 21 §2).

Claiming someone's membership number revealed that member's line, e-mail included, on *Mijn
gegevens* and in its ZIP: 100 numbers gave 100 addresses. Now the line is shown only when its
number AND her verified e-mail address match it; changing the number is limited and logged.
"""

import io
import zipfile

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts import data_rights
from accounts.models import MemberListEntry, MemberListImport, MembershipType, Profile
from accounts.services import MEMBERSHIP_NUMBER_CHANGES_PER_DAY
from accounts.tests.factories import CoordinatorFactory, UserFactory
from core import disclosure

pytestmark = pytest.mark.django_db


def on_the_list(number: str, email: str) -> MemberListEntry:
    record = MemberListImport.objects.create(row_count=1)
    return MemberListEntry.objects.create(
        membership_number=number, email=email, membership_type=MembershipType.MEMBER, member_list_import=record
    )


def what_she_reads(client, user) -> str:
    client.force_login(user)
    page = client.get(reverse("my_data:overview")).content.decode()
    archive = zipfile.ZipFile(io.BytesIO(data_rights.export_zip(user)))
    return page + "".join(archive.read(name).decode() for name in archive.namelist())


def test_claiming_someone_elses_number_reveals_nothing(client, profile_data):
    entry = on_the_list("123456", "owner@example.org")
    stranger = UserFactory(email="stranger@example.org")
    client.force_login(stranger)
    client.post(reverse("accounts:profile_edit"), profile_data(membership_number="123456"))
    assert Profile.objects.get(user=stranger).membership_number == "123456"

    assert "owner@example.org" not in what_she_reads(client, stranger)
    assert not disclosure.may_see(stranger, entry, "email")
    assert disclosure.may_see(CoordinatorFactory(), entry, "email")


def test_she_sees_the_line_she_was_verified_against_even_with_a_leading_zero(client, profile_data):
    # Issue 21 §8: she typed 0123456, the list says 123456: "Niets opgeslagen" was wrong.
    entry = on_the_list("123456", "anna@example.org")
    anna = UserFactory(email="Anna@Example.org")
    client.force_login(anna)
    client.post(reverse("accounts:profile_edit"), profile_data(membership_number="0123456"))
    assert Profile.objects.get(user=anna).is_verified

    assert disclosure.may_see(anna, entry, "email")
    assert "anna@example.org" in what_she_reads(client, anna)


def test_changing_the_membership_number_is_limited_per_day_and_logged(client, profile_data):
    member = UserFactory()
    client.force_login(member)
    for number in range(MEMBERSHIP_NUMBER_CHANGES_PER_DAY):
        response = client.post(reverse("accounts:profile_edit"), profile_data(membership_number=f"{200000 + number}"))
        assert response.status_code == 302

    response = client.post(reverse("accounts:profile_edit"), profile_data(membership_number="299999"))

    assert response.status_code == 200
    assert "morgen" in " ".join(response.context["form"].errors["membership_number"])
    assert Profile.objects.get(user=member).membership_number == f"{200000 + MEMBERSHIP_NUMBER_CHANGES_PER_DAY - 1}"
    # Other details can still be saved with the same number.
    same = client.post(
        reverse("accounts:profile_edit"),
        profile_data(membership_number=f"{200000 + MEMBERSHIP_NUMBER_CHANGES_PER_DAY - 1}", job_title="Partner"),
    )
    assert same.status_code == 302
    # Coordinators read every change in the profile's history.
    log = LogEntry.objects.filter(object_id=str(member.profile.pk))
    assert log.count() == MEMBERSHIP_NUMBER_CHANGES_PER_DAY
    assert "200000" in log.order_by("action_time").first().get_change_message()
