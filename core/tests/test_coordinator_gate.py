"""One coordinator gate for the admin and the cockpit (issue 21 findings 3 and 4, issue 23).

The matrix: anonymous, member, staff outside the group, coordinator without a second factor,
coordinator with one but a password-only session, coordinator whose session passed it.
"""

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, TOTP_SECRET, CoordinatorFactory, MemberFactory, UserFactory
from core import roles
from core.mfa import current_totp_code, totp_activate

pytestmark = pytest.mark.django_db

COCKPIT = reverse("coordination")
ADMIN_PAGE = reverse("admin:accounts_profile_changelist")
MFA_SETUP = reverse("mfa_index")
SECOND_STEP = reverse("mfa_reauthenticate")


def password_login(client, user):
    """Log in through allauth's form with the password alone (an account without a second factor)."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.mark.parametrize("url", [COCKPIT, ADMIN_PAGE])
def test_anonymous_visitors_and_members_and_staff_outside_the_group_are_kept_out(client, url):
    assert client.get(url).status_code in (302, 404)
    assert not client.get(url).headers.get("Location", "").startswith(MFA_SETUP)
    for user in (MemberFactory(), UserFactory(is_staff=True)):
        client.force_login(user)
        response = client.get(url)
        if url == COCKPIT and user.is_staff:
            # Staff outside the group is no coordinator: like any account, first the profile step.
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:profile_edit"))
            assert client.get(url, follow=True).status_code == 200  # the profile step, not the cockpit
            assert "coordination/cockpit.html" not in [t.name for t in client.get(url, follow=True).templates]
        elif url == COCKPIT:
            assert response.status_code == 404
        else:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", [COCKPIT, ADMIN_PAGE])
def test_a_coordinator_without_a_second_factor_sets_one_up_first(client, url):
    client.force_login(CoordinatorFactory(second_factor=False))

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == MFA_SETUP


@pytest.mark.parametrize("url", [COCKPIT, ADMIN_PAGE])
def test_a_password_only_session_from_before_enrolment_goes_through_the_second_step(client, url):
    coordinator = CoordinatorFactory(second_factor=False)
    password_login(client, coordinator)
    totp_activate(user=coordinator, secret=TOTP_SECRET)  # she enrolled elsewhere, later

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(SECOND_STEP)
    # The second step with a code brings her back, and the page opens.
    response = client.post(response["Location"], {"code": current_totp_code(TOTP_SECRET)})
    assert response.status_code == 302
    assert response["Location"] == url
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [COCKPIT, ADMIN_PAGE])
def test_a_coordinator_whose_session_passed_the_second_factor_opens_the_page(client, url):
    coordinator = CoordinatorFactory()
    response = client.post(reverse("account_login"), {"login": coordinator.email, "password": PASSWORD})
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(TOTP_SECRET)})

    assert client.get(url).status_code == 200


def test_one_definition_of_coordinator():
    member, staff, coordinator = MemberFactory(), UserFactory(is_staff=True), CoordinatorFactory()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    inactive = CoordinatorFactory(is_active=False)

    assert [roles.is_coordinator(user) for user in (member, staff, coordinator, superuser, inactive)] == [
        False,
        False,
        True,
        True,
        False,
    ]
    assert set(roles.coordinators()) == {coordinator, superuser}
    assert coordinator.is_coordinator and not staff.is_coordinator
