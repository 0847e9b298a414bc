"""Issue 13 §5: whatever a visitor types into an address or a filter, the answer is never a 500.

Every URL pattern of the project is requested with a NUL byte, an over-long value and an
out-of-range number in each of its parts, and every admin change list with such values in
each filter it offers, as each role. Run on PostgreSQL (CI) these used to reach the database:
PostgreSQL refuses NUL in a string, and a year of 999999999 is no date.
"""

import re

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.tests.factories import CoordinatorFactory, UserFactory
from matching.tests.factories import ActiveMatchFactory

pytestmark = pytest.mark.django_db

NUL = "%00"
BAD_PARTS = {"nul": f"ab{NUL}cd", "over-long": "x" * 5000, "out-of-range": "9" * 30}
BAD_VALUES = {"nul": NUL, "over-long": "x" * 5000, "out-of-range": "9" * 30}
PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _routes(patterns=None, prefix=""):
    """Every route of the project as a string with <converter:name> placeholders."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        pattern = entry.pattern
        text = str(pattern)
        if text.startswith("^"):
            # The admin's regex routes: its app index and catch-all; fill in a real app label.
            text = re.sub(r"\(\?P<app_label>[^)]*\)", "accounts", text).strip("^$")
            text = text.replace(r"(?P<url>.*)", "<str:url>")
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + text)
        elif isinstance(entry, URLPattern):
            yield prefix + text


def _bad_urls():
    urls = set()
    for route in _routes():
        placeholders = list(PLACEHOLDER.finditer(route))
        if not placeholders:
            continue
        for label, bad in BAD_PARTS.items():
            for index in range(len(placeholders)):
                # This part bad, the others a plausible value.
                url = route
                for position, match in reversed(list(enumerate(placeholders))):
                    value = bad if position == index else "1"
                    url = url[: match.start()] + value + url[match.end() :]
                urls.add((f"/{url}", label))
    return sorted(urls)


@pytest.fixture
def clients(db):
    match = ActiveMatchFactory()
    roles = {
        "anonymous": Client(raise_request_exception=False),
        "member": Client(raise_request_exception=False),
        "coordinator": Client(raise_request_exception=False),
        "superuser": Client(raise_request_exception=False),
    }
    roles["member"].force_login(match.mentee)
    roles["coordinator"].force_login(CoordinatorFactory())
    roles["superuser"].force_login(UserFactory(is_staff=True, is_superuser=True))
    return roles


def test_the_reported_addresses_answer_404_or_400(clients):
    anonymous, coordinator = clients["anonymous"], clients["coordinator"]

    assert anonymous.get("/afspraken/agenda/%00.ics").status_code in (400, 404)
    assert clients["member"].get("/evaluaties/%00/").status_code in (400, 404)
    assert coordinator.get("/admin/matching/match/?status=%00").status_code in (400, 404)
    assert coordinator.get("/admin/matching/application/?role=%00").status_code in (400, 404)
    assert coordinator.get("/admin/accounts/profile/?verification_status=%00").status_code in (400, 404)
    assert coordinator.get("/admin/evaluations/evaluationround/?opens_on__year=999999999").status_code in (400, 404)


def test_every_url_pattern_with_bad_parts_never_answers_500(clients):
    failures = []
    for url, label in _bad_urls():
        in_admin = url.startswith("/admin/")
        # Outside the admin every role, and POST too (some views only take POST); the admin sends
        # everyone but staff to its login page before any view runs.
        roles = ("coordinator", "superuser") if in_admin else ("anonymous", "member", "coordinator")
        for role in roles:
            for method in ("get",) if in_admin else ("get", "post"):
                response = getattr(clients[role], method)(url)
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url[:120]} ({label}) as {role}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_every_admin_change_list_with_bad_filters_never_answers_500(clients):
    request = RequestFactory().get("/")
    failures = []
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        parameters = sorted(model_admin.allowed_lookups(request)) + ["q", "p", "o", "all", "e", "_to_field"]
        for parameter in parameters:
            for label, bad in BAD_VALUES.items():
                # The superuser sees every change list; the coordinator's are a subset with the same policy.
                response = clients["superuser"].get(f"{url}?{parameter}={bad}")
                if response.status_code >= 500:
                    failures.append(f"{url}?{parameter}= ({label}): {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_nul_byte_in_the_address_gets_the_sites_own_400_page_in_dutch(clients):
    response = clients["member"].get(reverse("dashboard") + "?next=%00")

    assert response.status_code == 400
    assert "Ongeldig verzoek" in response.content.decode()
