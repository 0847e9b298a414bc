"""Issue 13 §1: no admin URL filter or search reads a field the change list does not show.

Django's admin accepts a lookup on any local field and shows the number of matching rows, so
`?phone__startswith=0612` read a member's phone number one digit at a time. The project's admin
site gives every registered ModelAdmin one policy; these tests walk every registered model.
"""

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Profile, User
from accounts.tests.factories import CoordinatorFactory, MemberFactory, UserFactory
from core.admin_site import ChangeListPrivacyMixin, MentorprogrammaAdminSite
from evaluations.models import Invitation, Role
from evaluations.tests.factories import EvaluationRoundFactory
from matching.tests.factories import ActiveMatchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client):
    client.force_login(CoordinatorFactory())
    return client


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _shown_and_allowed(model_admin) -> tuple[set[str], set[str]]:
    request = RequestFactory().get("/")
    return model_admin.visible_paths(request), model_admin.allowed_lookups(request)


def _hidden_lookups():
    """(model, lookup) for every concrete field of every registered model that its change list does not show."""
    cases = []
    for model, model_admin in admin.site._registry.items():
        shown, allowed = _shown_and_allowed(model_admin)
        for field in model._meta.concrete_fields:
            if field.name in shown or field.attname in shown:
                continue
            cases.append(pytest.param(model, f"{field.name}__startswith", id=f"{model._meta.label}.{field.name}"))
            cases.append(pytest.param(model, field.attname, id=f"{model._meta.label}.{field.attname}=exact"))
        # A filter on a relation must not walk on into the related model's hidden fields.
        for path in shown:
            try:
                field = model._meta.get_field(path)
            except Exception:  # noqa: BLE001 - a display method, not a field
                continue
            if field.is_relation and field.related_model is not None:
                for target in field.related_model._meta.concrete_fields:
                    if not target.primary_key:
                        cases.append(
                            pytest.param(
                                model,
                                f"{path}__{target.name}__startswith",
                                id=f"{model._meta.label}.{path}.{target.name}",
                            )
                        )
    return cases


def test_every_registered_admin_has_the_privacy_policy():
    # Also third-party admins (allauth's e-mail addresses, groups): the site mixes it in on registration.
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, ChangeListPrivacyMixin), model


def test_the_phone_oracle_is_closed(coordinator_client):
    """The reported leak: the row count answered "does her phone number start with 0612?"."""
    member = MemberFactory()
    Profile.objects.filter(user=member).update(phone="0612345678", linkedin_url="https://linkedin.com/in/x")
    url = _changelist(Profile)
    pk = member.profile.pk

    for query in (
        f"?id__exact={pk}&phone__startswith=0612",
        f"?id__exact={pk}&phone__startswith=0699",
        "?linkedin_url__icontains=linkedin",
        "?user__password__startswith=md5",
    ):
        assert coordinator_client.get(url + query).status_code == 400, query


def test_the_evaluation_token_oracle_is_closed(coordinator_client):
    match = ActiveMatchFactory()
    invitation = Invitation.objects.create(round=EvaluationRoundFactory(), user=match.mentee, role=Role.MENTEE)

    response = coordinator_client.get(_changelist(Invitation) + f"?token__startswith={invitation.token[:2]}")

    assert response.status_code == 400


@pytest.mark.parametrize(("model", "lookup"), _hidden_lookups())
def test_no_filter_on_a_field_the_change_list_does_not_show(superuser_client, model, lookup):
    MemberFactory()
    response = superuser_client.get(_changelist(model) + f"?{lookup}=a")

    assert response.status_code == 400


def test_the_filters_and_links_coordinators_use_still_work(coordinator_client):
    MemberFactory()
    profiles = _changelist(Profile)
    for query in (
        "?verification_status__exact=pending",
        "?needs_review__exact=1",
        "?wants_mentor__exact=1&region__exact=utrecht",
        "?expertise__id__exact=1",
    ):
        assert coordinator_client.get(profiles + query).status_code == 200, query
    round_ = EvaluationRoundFactory()
    rounds = reverse("admin:evaluations_evaluationround_changelist")
    assert coordinator_client.get(rounds + f"?opens_on__year={round_.opens_on.year}").status_code == 200
    assert coordinator_client.get(rounds + f"?cycle__id__exact={round_.cycle_id}").status_code == 200


def test_search_never_reaches_a_hidden_field(coordinator_client):
    member = MemberFactory()
    Profile.objects.filter(user=member).update(phone="0612345678")

    response = coordinator_client.get(_changelist(Profile) + "?q=0612345678")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    # Searching what the list shows still finds her.
    response = coordinator_client.get(_changelist(Profile) + f"?q={member.email}")
    assert response.context["cl"].result_count == 1


def test_a_new_admin_that_searches_a_hidden_field_is_kept_from_it():
    """A ModelAdmin written tomorrow with a careless search_fields still cannot search the phone."""
    site = MentorprogrammaAdminSite(name="probe")

    class CarelessProfileAdmin(ModelAdmin):
        list_display = ["membership_number", "user"]
        search_fields = ["membership_number", "phone", "linkedin_url", "user__password", "user__email"]
        list_filter = ["region"]

    site.register(Profile, CarelessProfileAdmin)
    site.register(User, admin.site._registry[User].__class__)
    model_admin = site._registry[Profile]
    request = RequestFactory().get("/")

    assert model_admin.get_search_fields(request) == ["membership_number", "user__email"]
    assert not model_admin.lookup_allowed("phone__startswith", "06", request)
    assert model_admin.lookup_allowed("region__exact", "utrecht", request)
    with pytest.raises(DisallowedModelAdminLookup):
        model_admin.lookup_allowed("region__exact", "\x00", request)


def test_display_columns_count_as_shown():
    model_admin = admin.site._registry[Profile]
    shown, _allowed = _shown_and_allowed(model_admin)

    assert {"user__full_name", "user__email", "membership_number"} <= shown
    assert "phone" not in shown and "linkedin_url" not in shown
