"""Finding 21.10: a line break in a name, organisation or place is refused at the field, in Dutch and English."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from accounts.tests.factories import UserFactory
from core.validators import validate_single_line
from matching.models import Agreement, Cycle

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["full_name", "organisation", "job_title", "languages"])
@pytest.mark.parametrize(("language", "message"), [("nl", "één regel"), ("en", "one line")])
def test_the_profile_refuses_control_characters_with_a_clear_message(client, profile_data, field, language, message):
    client.force_login(UserFactory(language=language))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.post(
        reverse("accounts:profile_edit"),
        profile_data(**{field: "Anna\r\nBcc: iedereen@example.org"}),
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 200
    with translation.override(language):  # the messages are lazy: read them in her language
        errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors, response.context["form"].errors
    assert not Profile.objects.exists()


def test_a_tab_in_the_sign_up_name_is_refused():
    from accounts.forms import SignupForm

    with translation.override("nl"):
        form = SignupForm({"full_name": "Anna\tde Boer"})
        form.is_valid()

    assert "één regel" in " ".join(form.errors["full_name"])


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("accounts.User", "full_name"),
        ("accounts.Profile", "organisation"),
        ("meetings.Meeting", "location"),
        ("matching.Cycle", "name"),
        ("evaluations.EvaluationRound", "name"),
        ("evaluations.Question", "text"),
    ],
)
def test_the_model_fields_carry_the_rule_for_every_caller(model, field):
    from django.apps import apps

    model_field = apps.get_model(model)._meta.get_field(field)
    with pytest.raises(ValidationError):
        model_field.run_validators("regel een\nregel twee")
    assert validate_single_line in Agreement._meta.get_field("meeting_frequency").validators
    assert validate_single_line in Cycle._meta.get_field("name").validators
