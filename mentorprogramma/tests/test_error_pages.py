"""Development shows the programme's own 404 and 500 pages; Django's technical pages only on request."""

import pytest
from django.test import Client
from django.urls import include, path, reverse

from accounts.tests.factories import MemberFactory


def crash(request):
    raise RuntimeError("a bug")


urlpatterns = [path("kapot/", crash), path("", include("mentorprogramma.urls"))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def development(settings):
    settings.DEBUG = True
    settings.DEBUG_TECHNICAL_PAGES = False
    return settings


def test_a_stale_link_in_development_shows_the_programmes_404(client, development):
    response = client.get("/programma/bestaat-niet-meer/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "Pagina niet gevonden" in page and 'class="site-header' in page
    assert "URLconf" not in page


def test_a_missing_object_in_development_shows_the_programmes_404(client, development):
    client.force_login(MemberFactory())

    response = client.get(reverse("meetings:detail", args=[987654]))

    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_a_crash_in_development_shows_the_programmes_500_and_logs_the_traceback(development, caplog):
    response = Client(raise_request_exception=False).get("/kapot/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "Er ging iets mis" in page and 'class="site-header' in page and "site.css" in page
    assert "RuntimeError" not in page
    assert any(record.exc_info and "a bug" in str(record.exc_info[1]) for record in caplog.records)


def test_a_missing_slash_still_redirects(client, development):
    response = client.get("/programma")

    assert response.status_code == 301 and response["Location"] == "/programma/"


def test_djangos_technical_pages_need_the_explicit_setting(development):
    development.DEBUG_TECHNICAL_PAGES = True
    client = Client(raise_request_exception=False)

    assert "URLconf" in client.get("/programma/bestaat-niet-meer/").content.decode()
    assert "RuntimeError" in client.get("/kapot/").content.decode()
