"""The admin looks like the programme (issue 16 §2): name and colours, year order, Dutch plurals."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import CoordinatorFactory, ProfileFactory, reauthenticate

pytestmark = pytest.mark.django_db


INLINE_DATA = re.compile(r'data-inline-formset="([^"]+)"')


def test_the_admin_carries_the_programmes_name_and_colours(client):
    client.force_login(CoordinatorFactory())

    page = client.get(reverse("admin:index")).content.decode()

    assert "Mentorprogramma NOB Vrouwennetwerk" in page
    assert "css/admin.css" in page
    assert "Django-beheer" not in page and "Django administration" not in page


def test_the_admin_index_follows_the_year_not_the_alphabet(client):
    client.force_login(CoordinatorFactory())

    app_list = client.get(reverse("admin:index")).context["app_list"]

    labels = [app["app_label"] for app in app_list]
    assert labels[:5] == ["accounts", "matching", "meetings", "evaluations", "notifications"]
    accounts = next(app for app in app_list if app["app_label"] == "accounts")
    assert [model["object_name"] for model in accounts["models"]][:2] == ["MemberListImport", "Profile"]
    matching = next(app for app in app_list if app["app_label"] == "matching")
    assert [model["object_name"] for model in matching["models"]][:2] == ["Cycle", "Application"]


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (1, "Ledenlijst ingelezen: 1 lid, 1 profiel geverifieerd, 0 profielen gemarkeerd."),
        (2, "Ledenlijst ingelezen: 2 leden, 2 profielen geverifieerd, 0 profielen gemarkeerd."),
    ],
)
def test_messages_use_natural_dutch_plurals(client, members, expected):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    reauthenticate(client, coordinator)  # the import asks for her password again
    lines = ["lidnummer;e-mail;soort lid"]
    for number in range(members):
        ProfileFactory(membership_number=f"{100201 + number}", user__email=f"lid{number}@voorbeeld.nl")
        lines.append(f"{100201 + number};lid{number}@voorbeeld.nl;lid")
    url = reverse("admin:accounts_memberlistimport_add")
    token = client.post(url, {"file": SimpleUploadedFile("l.csv", "\n".join(lines).encode())}).context["token"]

    response = client.post(url, {"token": token, "action": "confirm"}, follow=True)

    assert expected in [str(message) for message in response.context["messages"]]


def test_the_question_inline_offers_to_add_a_question_in_plain_dutch(client):
    import json

    client.force_login(CoordinatorFactory())

    page = client.get(reverse("admin:evaluations_evaluationround_add")).content.decode()

    # The inline's button text travels as JSON in a data attribute, escaped for HTML.
    add_texts = [json.loads(html.unescape(raw))["options"]["addText"] for raw in INLINE_DATA.findall(page)]
    assert add_texts and all(text.endswith(" toevoegen") and not text.startswith("Nog een") for text in add_texts)
