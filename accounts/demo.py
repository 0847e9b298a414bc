"""Demo people for development (`make run`). Idempotent: updates rather than duplicates."""

from allauth.account.models import EmailAddress
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.utils import timezone

from .models import (
    COORDINATOR_GROUP,
    Expertise,
    MeetingPreference,
    MemberListEntry,
    MemberListImport,
    MembershipType,
    Profile,
    Region,
    User,
    VerificationStatus,
)
from .permissions import grant_all_coordinator_permissions

DEMO_PASSWORD = "demo-mentor-2026"

PEOPLE = [
    {
        "key": "coordinator",
        "role": "coördinator",
        "email": "coordinator@example.org",
        "full_name": "Carla Coördinator",
    },
    {
        "key": "mentor",
        "role": "mentor (geverifieerd)",
        "email": "marieke@example.org",
        "full_name": "Marieke de Vries",
        "profile": {
            "membership_number": "100101",
            "membership_type": MembershipType.MEMBER,
            "organisation": "Belastingadvies Noord",
            "job_title": "Partner",
            "career_start_year": 2004,
            "region": Region.NOORD_HOLLAND,
            "wants_mentor": True,
            "verified": True,
            "expertise": ["Btw", "Internationaal belastingrecht"],
            "introduction": "Twintig jaar btw-praktijk, de laatste tien als partner. Ik denk graag mee over "
            "de stap naar een leidinggevende rol.",
            "languages": "Nederlands, Engels",
            "phone": "+31 6 10000101",
            "linkedin_url": "https://www.linkedin.com/in/marieke-de-vries-demo",
        },
    },
    {
        "key": "mentor2",
        "role": "mentor en mentee (geverifieerd)",
        "email": "sandra@example.org",
        "full_name": "Sandra Jansen",
        "profile": {
            "membership_number": "100102",
            "membership_type": MembershipType.MEMBER,
            "organisation": "Fiscaal Kantoor Zuid",
            "job_title": "Senior belastingadviseur",
            "career_start_year": 2014,
            "region": Region.NOORD_BRABANT,
            "wants_mentor": True,
            "wants_mentee": True,
            "verified": True,
            "expertise": ["Vennootschapsbelasting"],
            "introduction": "Vpb-specialist die zelf ook nog wil leren, bijvoorbeeld over internationale structuren.",
            "meeting_preference": MeetingPreference.VIRTUAL,
        },
    },
    {
        "key": "mentee",
        "role": "mentee (geverifieerd)",
        "email": "lotte@example.org",
        "full_name": "Lotte Bakker",
        "profile": {
            "membership_number": "100103",
            "membership_type": MembershipType.ASPIRANT,
            "organisation": "Adviesgroep Midden",
            "job_title": "Belastingadviseur",
            "career_start_year": timezone.localdate().year - 3,
            "region": Region.UTRECHT,
            "wants_mentee": True,
            "verified": True,
            "expertise": ["Btw"],
            "introduction": "Drie jaar aan het werk als adviseur; ik zoek iemand die me helpt mijn richting te kiezen.",
            "phone": "+31 6 10000103",
        },
    },
    {
        "key": "newcomer",
        "role": "mentee (wacht op verificatie)",
        "email": "eva@example.org",
        "full_name": "Eva Smit",
        "profile": {
            "membership_number": "100104",
            "membership_type": MembershipType.MEMBER,
            "organisation": "Accountants & Belastingadviseurs Oost",
            "job_title": "Junior belastingadviseur",
            "career_start_year": timezone.localdate().year - 1,
            "region": Region.GELDERLAND,
            "wants_mentee": True,
            "verified": False,
            "expertise": [],
        },
    },
]


def _user(person) -> User:
    user, _created = User.objects.get_or_create(email=person["email"], defaults={"full_name": person["full_name"]})
    user.full_name = person["full_name"]
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def _profile(user: User, data: dict) -> Profile:
    data = dict(data)
    verified = data.pop("verified")
    expertise_names = data.pop("expertise")
    defaults = {
        **data,
        "confirms_female_member": True,
        "verification_status": VerificationStatus.VERIFIED if verified else VerificationStatus.PENDING,
        "verified_at": timezone.now() if verified else None,
    }
    profile, _created = Profile.objects.update_or_create(user=user, defaults=defaults)
    profile.expertise.set([Expertise.objects.get_or_create(name=name)[0] for name in expertise_names])
    return profile


def _member_list() -> None:
    """A member list holding the verified demo members, so the import admin has something to show.

    Eva (the newcomer) is not on it: she waits for a coordinator.
    """
    if MemberListImport.objects.exists():
        return
    record = MemberListImport.objects.create(file_name="demo-ledenlijst.csv")
    rows = [person["profile"] for person in PEOPLE if person.get("profile", {}).get("verified")]
    for row in rows:
        MemberListEntry.objects.update_or_create(
            membership_number=row["membership_number"],
            defaults={"membership_type": row["membership_type"], "member_list_import": record},
        )
    record.row_count = len(rows)
    record.save(update_fields=["row_count"])


def load() -> dict[str, User]:
    _member_list()
    members = {}
    for person in PEOPLE:
        user = _user(person)
        if person["key"] == "coordinator":
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            grant_all_coordinator_permissions(django_apps)
            user.groups.add(Group.objects.get(name=COORDINATOR_GROUP))
        else:
            _profile(user, person["profile"])
        members[person["key"]] = user
    return members
