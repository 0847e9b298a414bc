"""The conflict-of-interest register: no mentor from the mentee's own firm (or one she names).

Three sources, one rule (`conflict_reason`), used by the scorer through `OrganisationRegister`:
- organisation names normalised: case, punctuation, legal forms (B.V., N.V., LLP, "& Co", …);
- firm groups kept by coordinators in the admin, each with its name variants (`FirmGroup`):
  "PwC" and "PricewaterhouseCoopers Belastingadviseurs N.V." are one group. A variant matches a
  name that starts with its words, so "Deloitte" covers "Deloitte Belastingadviseurs B.V.";
- the mentee's own "niet met iemand van …" list on her application.

A person's organisation becomes a *key*: "group:<id>" when a variant matches, else the
normalised name. Two people with the same key work at the same organisation (group).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import FirmGroup

# Legal forms and suffixes that say nothing about which firm it is (as whole words, after
# punctuation is gone): Dutch, Belgian, German, British and American forms.
LEGAL_FORMS = {
    "bv",
    "nv",
    "vof",
    "cv",
    "cvba",
    "bvba",
    "srl",
    "sa",
    "gmbh",
    "ag",
    "llp",
    "llc",
    "lp",
    "ltd",
    "limited",
    "plc",
    "inc",
    "corp",
    "co",
    "holding",
    "holdings",
    "stichting",
    "en",
    "and",
}
_AVOID_SPLIT = re.compile(r"[\n;,]+")


def normalise_organisation(name: str) -> str:
    """`Deloitte Belastingadviseurs B.V.` → `deloitte belastingadviseurs`; `KPMG Meijburg & Co` → `kpmg meijburg`."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    # "B.V." and "N.V." lose their dots before splitting, so they are one word to drop.
    text = re.sub(r"\b([a-z])\.(?=[a-z]\.?)", r"\1", text)
    text = text.replace("&", " and ")
    words = re.sub(r"[^\w]+", " ", text).split()
    # Trailing legal forms go; words in the middle stay ("Ernst & Young").
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def parse_avoided(text: str) -> list[str]:
    """The mentee's "niet met iemand van …" field: names separated by commas, semicolons or lines."""
    return [part.strip() for part in _AVOID_SPLIT.split(text or "") if part.strip()]


@dataclass
class OrganisationRegister:
    """The firm groups as the scorer needs them: normalised variant words → group."""

    # (variant words, group id) longest first, so the most specific variant wins.
    variants: list[tuple[tuple[str, ...], int]] = field(default_factory=list)
    group_names: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "OrganisationRegister":
        """One query for every group and its variants."""
        register = cls()
        for group in FirmGroup.objects.all():
            register.group_names[group.pk] = group.name
            for variant in group.variant_list():
                words = tuple(normalise_organisation(variant).split())
                if words:
                    register.variants.append((words, group.pk))
        register.variants.sort(key=lambda item: -len(item[0]))
        return register

    def group_of(self, name: str) -> int | None:
        words = tuple(normalise_organisation(name).split())
        for variant, group_id in self.variants:
            if words[: len(variant)] == variant:
                return group_id
        return None

    def key(self, name: str) -> str:
        """Who counts as the same organisation: the group if a variant matches, else the normalised name."""
        group_id = self.group_of(name)
        if group_id is not None:
            return f"group:{group_id}"
        return normalise_organisation(name)

    def avoided_keys(self, text: str) -> frozenset[str]:
        return frozenset(key for key in (self.key(name) for name in parse_avoided(text)) if key)


def conflict_reason(
    *, mentor_key: str, mentee_key: str, mentee_avoids: frozenset[str] = frozenset(), allow_same: bool = False
) -> str:
    """Why this mentor is not offered to this mentee because of where they work, or "" (the hard rule)."""
    if mentor_key and mentor_key in mentee_avoids:
        return _("the mentee asked for no mentor from this organisation")
    if mentor_key and mentor_key == mentee_key and not allow_same:
        return _("same organisation group")
    return ""
