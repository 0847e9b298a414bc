import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import MemberListEntry, MemberListImport, MembershipType, Profile, VerificationStatus
from accounts.tests.factories import CoordinatorFactory, MemberFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- The profile step -----------------------------------------------------------------


def test_a_member_without_a_profile_is_led_to_the_profile_step(client):
    client.force_login(UserFactory())

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile_edit") + "?next=%2Foverzicht%2F"


@pytest.mark.parametrize("name", ["home", "misconduct", "confidentiality", "account_email", "account_change_password"])
def test_account_and_information_pages_stay_open_without_a_profile(client, name):
    # R13: the page about misconduct must always be reachable.
    client.force_login(UserFactory())

    assert client.get(reverse(name)).status_code == 200


def test_she_can_log_out_without_a_profile(client):
    client.force_login(UserFactory())

    assert client.get(reverse("account_logout")).status_code == 200
    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_she_can_switch_language_without_a_profile(client):
    from django.conf import settings

    client.force_login(UserFactory())

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Tell us who you are" in client.get(reverse("accounts:profile_edit")).content.decode()


def test_she_can_confirm_a_new_email_address_without_a_profile(client):
    # The link in the mail must work even before the profile step is done.
    import re

    from notifications.tests.mailbox import delivered

    user = UserFactory(email="oud@example.org")
    client.force_login(user)
    client.post(reverse("account_email"), {"action_add": "", "email": "nieuw@example.org"})
    link = re.search(r"https?://[^/\s]+(/account/confirm-email/\S+)", delivered()[-1].body).group(1)

    assert client.get(link).status_code == 200
    client.post(link)

    assert user.emailaddress_set.get(email="nieuw@example.org").verified


def test_coordinators_need_no_member_profile(client):
    client.force_login(CoordinatorFactory())

    assert client.get(reverse("dashboard")).status_code == 200


def test_completing_the_profile_step_returns_her_where_she_was_going(client, profile_data):
    user = UserFactory(full_name="Anna")
    client.force_login(user)

    response = client.post(reverse("accounts:profile_edit") + "?next=/overzicht/", profile_data(next="/overzicht/"))

    assert response.status_code == 302
    assert response["Location"] == "/overzicht/"
    profile = Profile.objects.get(user=user)
    user.refresh_from_db()
    assert user.full_name == "Anna de Boer"
    assert profile.verification_status == VerificationStatus.PENDING
    assert [area.name for area in profile.expertise.all()] == ["Btw"]
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_next_address_must_stay_on_this_site(client, profile_data):
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:profile_edit"), profile_data(next="https://evil.example.com/"))

    assert response["Location"] == reverse("accounts:profile")


# --- Bad input: a message at the field, and what she typed stays ------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"membership_number": "12-34"}, "membership_number", "4 tot 8 cijfers"),
        ({"membership_number": "123"}, "membership_number", "4 tot 8 cijfers"),
        ({"career_start_year": str(timezone.localdate().year + 1)}, "career_start_year", "toekomst"),
        ({"career_start_year": "1901"}, "career_start_year", "te vroeg"),
        ({"career_start_year": "tweeduizend"}, "career_start_year", "geheel getal"),
        ({"organisation": None}, "organisation", "verplicht"),
        ({"confirms_female_member": None}, "confirms_female_member", "vrouwelijke"),
        ({"wants_mentee": None}, "wants_mentee", "ten minste één rol"),
        ({"linkedin_url": "https://example.com/anna"}, "linkedin_url", "LinkedIn"),
        ({"phone": "bel me"}, "phone", "telefoonnummer"),
        ({"phone": "bel me maar ☎"}, "phone", "telefoonnummer"),
        ({"phone": "0000000000"}, "phone", "telefoonnummer"),
        ({"phone": "06-1234"}, "phone", "telefoonnummer"),
        ({"region": "mars"}, "region", "geen beschikbare keuze"),
        ({"expertise": ["999999"]}, "expertise", "geen beschikbare keuze"),
    ],
)
def test_bad_input_gives_a_dutch_message_at_the_field_and_keeps_the_rest(client, profile_data, changes, field, message):
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:profile_edit"), profile_data(**changes))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors, response.context["form"].errors
    content = response.content.decode()
    assert 'value="Fiscaal Advies Utrecht"' in content or field == "organisation"
    assert 'value="Anna de Boer"' in content
    assert not Profile.objects.exists()


def test_a_membership_number_of_another_account_is_refused_at_the_field(client, profile_data):
    ProfileFactory(membership_number="123456")
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:profile_edit"), profile_data())

    assert response.status_code == 200
    assert "al gebruikt door een ander account" in " ".join(response.context["form"].errors["membership_number"])
    assert Profile.objects.count() == 1


def test_a_hand_made_post_with_nonsense_does_not_break_the_page(client):
    client.force_login(UserFactory())

    response = client.post(
        reverse("accounts:profile_edit"),
        {"career_start_year": "9" * 40, "expertise": "abc", "membership_type": "koning", "phone": "x" * 500},
    )

    assert response.status_code == 200
    assert not Profile.objects.exists()


# --- Her profile page ---------------------------------------------------------------------


def test_profile_page_shows_status_roles_and_the_email_change_link(client):
    profile = ProfileFactory(wants_mentee=True, wants_mentor=True)
    client.force_login(profile.user)

    content = client.get(reverse("accounts:profile")).content.decode()

    assert "Wacht op verificatie" in content
    assert "Mentee" in content and "Mentor" in content
    assert reverse("account_email") in content


def test_a_rejected_member_reads_the_coordinators_reason(client):
    profile = ProfileFactory(
        verification_status=VerificationStatus.REJECTED, verification_note="Nummer onbekend bij NOB"
    )
    client.force_login(profile.user)

    content = client.get(reverse("accounts:profile")).content.decode()

    assert "Nummer onbekend bij NOB" in content
    assert "Niet geverifieerd" in content


def test_dashboard_shows_her_status_and_a_link_to_her_profile(client):
    member = MemberFactory()
    client.force_login(member)

    content = client.get(reverse("dashboard")).content.decode()

    assert "Geverifieerd" in content
    assert reverse("accounts:profile") in content
    assert "Mijn profiel" in content


def test_editing_the_membership_number_asks_for_verification_again(client, profile_data):
    member = MemberFactory()
    client.force_login(member)

    client.post(reverse("accounts:profile_edit"), profile_data(membership_number="777777"))

    profile = Profile.objects.get(user=member)
    assert profile.membership_number == "777777"
    assert profile.verification_status == VerificationStatus.PENDING
    assert profile.verified_at is None


def test_editing_other_details_keeps_her_verified(client, profile_data):
    member = MemberFactory()
    client.force_login(member)
    number = member.profile.membership_number

    client.post(reverse("accounts:profile_edit"), profile_data(membership_number=number, job_title="Partner"))

    profile = Profile.objects.get(user=member)
    assert profile.job_title == "Partner"
    assert profile.is_verified


def test_a_profile_on_the_member_list_is_verified_as_soon_as_it_is_saved(client, profile_data):
    record = MemberListImport.objects.create(row_count=1)
    MemberListEntry.objects.create(
        membership_number="123456",
        email="anna@example.org",
        membership_type=MembershipType.MEMBER,
        member_list_import=record,
    )
    user = UserFactory(email="Anna@Example.org")
    client.force_login(user)

    client.post(reverse("accounts:profile_edit"), profile_data())

    profile = Profile.objects.get(user=user)
    assert profile.is_verified
    assert profile.verified_by is None


def test_a_number_on_the_member_list_with_another_e_mail_is_flagged_not_verified(client, profile_data):
    # Issue 13 §3: a number alone verifies nobody, and she is not told whose number it is.
    record = MemberListImport.objects.create(row_count=1)
    MemberListEntry.objects.create(
        membership_number="123456",
        email="owner@example.org",
        membership_type=MembershipType.MEMBER,
        member_list_import=record,
    )
    user = UserFactory(email="claimant@example.org")
    client.force_login(user)

    client.post(reverse("accounts:profile_edit"), profile_data(membership_number="0123456"))

    profile = Profile.objects.get(user=user)
    assert not profile.is_verified
    assert profile.needs_review
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "owner@example.org" not in page
    assert "ander e-mailadres" not in page


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["accounts:profile", "accounts:profile_edit"])
def test_anonymous_visitors_are_sent_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_editing_always_changes_her_own_profile_only(client, profile_data):
    other = ProfileFactory(membership_number="555555", organisation="Andermans Kantoor")
    member = MemberFactory()
    client.force_login(member)

    client.post(reverse("accounts:profile_edit"), profile_data(membership_number="555556", user=str(other.user.pk)))

    other.refresh_from_db()
    assert other.organisation == "Andermans Kantoor"
    assert Profile.objects.get(user=member).membership_number == "555556"


def test_the_admin_never_shows_phone_or_linkedin(client):
    profile = ProfileFactory(phone="+31 6 99998888", linkedin_url="https://www.linkedin.com/in/geheim")
    client.force_login(CoordinatorFactory())

    content = client.get(reverse("admin:accounts_profile_change", args=[profile.pk])).content.decode()

    assert "99998888" not in content
    assert "linkedin.com/in/geheim" not in content


def test_a_membership_number_typed_with_spaces_is_stored_without_them(client, profile_data):
    user = UserFactory()
    client.force_login(user)

    client.post(reverse("accounts:profile_edit"), profile_data(membership_number="123 456"))

    assert Profile.objects.get(user=user).membership_number == "123456"


def test_changing_the_email_address_goes_through_allauths_verification(client):
    from notifications.tests.mailbox import delivered

    profile = ProfileFactory(user__email="oud@example.org")
    client.force_login(profile.user)

    response = client.post(reverse("account_email"), {"action_add": "", "email": "nieuw@example.org"})

    assert response.status_code == 302
    profile.user.refresh_from_db()
    # Until she follows the link in the mail, the old address stays her login.
    assert profile.user.email == "oud@example.org"
    assert not profile.user.emailaddress_set.get(email="nieuw@example.org").verified
    assert delivered()[-1].to == ["nieuw@example.org"]


def test_the_profile_step_works_in_english_too(client, profile_data):
    from django.conf import settings

    client.force_login(UserFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("accounts:profile_edit")).content.decode()
    assert "Tell us who you are" in page
    assert "VAT" in page  # the expertise list in English

    response = client.post(
        reverse("accounts:profile_edit"),
        profile_data(career_start_year=str(timezone.localdate().year - 5), wants_mentor="on"),
    )
    assert "A mentor needs more than 5 years of work experience" in " ".join(
        response.context["form"].errors["wants_mentor"]
    )


def test_an_empty_post_shows_the_required_fields(client):
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:profile_edit"), {})

    assert response.status_code == 200
    assert "verplicht" in " ".join(response.context["form"].errors["membership_number"])


def test_a_number_taken_at_the_same_moment_is_refused_at_the_field_not_with_an_error_page(
    client, profile_data, monkeypatch
):
    # The race the service's own check cannot see: the unique constraint speaks, the form shows it.
    from accounts import services

    ProfileFactory(membership_number="123456")
    monkeypatch.setattr(services, "_profile_errors", lambda profile, *, full_name: {})
    monkeypatch.setattr(Profile, "validate_unique", lambda self, exclude=None: None)
    user = UserFactory(full_name="Oude Naam")
    client.force_login(user)

    response = client.post(reverse("accounts:profile_edit"), profile_data())

    assert response.status_code == 200
    assert "al gebruikt door een ander account" in " ".join(response.context["form"].errors["membership_number"])
    user.refresh_from_db()
    assert user.full_name == "Oude Naam"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06-12345678", "+31 6 12345678"),
        ("0031 6 12345678", "+31 6 12345678"),
        ("020 123 4567", "+31 20 123 4567"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
        ("+32 470 12 34 56", "+32 470 12 34 56"),
    ],
)
def test_dutch_and_international_numbers_are_kept_so_her_partner_can_dial_them(client, profile_data, typed, stored):
    member = UserFactory()
    client.force_login(member)

    response = client.post(reverse("accounts:profile_edit"), profile_data(phone=typed))

    assert response.status_code == 302, response.context["form"].errors
    member.profile.refresh_from_db()
    assert member.profile.phone == stored
