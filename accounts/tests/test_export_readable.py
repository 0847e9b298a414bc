"""The export a person can read (issue 21 §8): Dutch labels, dates as people write them, no internals,
mail subjects instead of template names, and a readable page with the JSON beside it for machines."""

import io
import re
import zipfile

import pytest
from django.urls import reverse

from accounts import data_rights
from accounts.tests.test_data_rights import her  # noqa: F401 - the fixture: Anna takes part fully
from notifications.models import OutboxMessage
from notifications.tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db


def readable(client, anna) -> list[str]:
    client.force_login(anna)
    page = client.get(reverse("my_data:overview")).content.decode()
    archive = zipfile.ZipFile(io.BytesIO(data_rights.export_zip(anna)))
    return [page, archive.read(data_rights.HTML_NAME).decode()]


def labels(html: str) -> list[str]:
    return re.findall(r"<dt[^>]*>([^<]*)</dt>", html)


def test_labels_are_dutch_and_nothing_internal_is_shown(her, client):  # noqa: F811
    for html in readable(client, her["anna"]):
        shown = labels(html)
        assert shown
        for internal in ("Stafstatus", "Supergebruikerstatus", "Uid", "Submission key", "Sjabloon", "Over (id)"):
            assert internal not in shown
        for english in ("Meeting", "Created at", "Updated at", "Last used at", "Revoked at"):
            assert english not in shown
        assert "NOB-lidnummer" in shown and "Nob-lidnummer" not in shown


def test_dates_read_as_people_write_them(her, client):  # noqa: F811
    anna = her["anna"]
    for html in readable(client, anna):
        assert not re.search(r"\d{4}-\d{2}-\d{2}", html.split("<body", 1)[-1]), "an ISO date on a readable page"
        months = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
        assert re.search(rf"\b\d{{1,2}} ({months}) \d{{4}}\b", html)
    # The JSON keeps ISO 8601 for machines.
    document = data_rights.export_document(anna)
    assert re.match(r"\d{4}-\d{2}-\d{2}T", document["sections"]["account"]["records"][0]["date_joined"])


def test_e_mails_are_listed_by_their_subject(her, client):  # noqa: F811
    anna = her["anna"]
    OutboxMessageFactory(
        recipient=anna, kind=OutboxMessage.Kind.ACCOUNT, template="account/email/email_confirmation_signup"
    )
    for html in readable(client, anna):
        assert "account/email/email_confirmation_signup" not in html
        assert "Onderwerp" in labels(html)


def test_the_readable_page_speaks_no_json(her, client):  # noqa: F811
    archive = zipfile.ZipFile(io.BytesIO(data_rights.export_zip(her["anna"])))
    html = archive.read(data_rights.HTML_NAME).decode()
    assert "'keys'" not in html and "'withheld'" not in html
    assert data_rights.JSON_NAME in html  # it points at the file for machines
