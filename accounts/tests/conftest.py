import pytest
from django.utils import timezone

from accounts.models import Expertise


@pytest.fixture
def profile_data(db):
    """What a newcomer types into the profile step; tests change one value at a time."""

    def make(**changes):
        expertise = Expertise.objects.get_or_create(name="Btw")[0]
        data = {
            "full_name": "Anna de Boer",
            "confirms_female_member": "on",
            "membership_number": "123456",
            "membership_type": "member",
            "organisation": "Fiscaal Advies Utrecht",
            "job_title": "Belastingadviseur",
            "career_start_year": str(timezone.localdate().year - 3),
            "expertise": [str(expertise.pk)],
            "region": "utrecht",
            "meeting_preference": "both",
            "languages": "Nederlands, Engels",
            "introduction": "Ik werk drie jaar in de btw-praktijk.",
            "phone": "+31 6 12345678",
            "linkedin_url": "https://www.linkedin.com/in/anna-de-boer",
            "wants_mentee": "on",
        }
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        return data

    return make
