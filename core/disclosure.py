"""Who may see a private field: one rule per field, decided here and asked by every surface.

A private field is one that not everyone who sees its row may read: the reason a partner gave for
ending a pair (unless she shared it), the reason a coordinator typed, a fit-check answer, a private
note, a line of the member list. The app that owns the field registers its rule once, from its
`AppConfig.ready()` (its `disclosure.py`), because only it knows the rule; the ground floor keeps the
registry, so the surfaces never decide again:

- pages and e-mails ask `may_see(viewer, obj, "field")` before they show or send a value;
- *Mijn gegevens* and its ZIP (`accounts.personal_data.model_section`) replace a value she may not
  see with "not shared with you";
- the admin (`core.admin_site.ChangeListPrivacyMixin`) leaves out a field or column the coordinator
  may not see.

A field without a rule is not private: whoever sees the row sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# (viewer, obj) -> may she see this field of obj? obj is None when a surface asks about the field
# in general (an admin column, before any row): the rule then answers for "some row".
Rule = Callable[[object, object], bool]

HIDDEN = _("not shared with you")


@dataclass(frozen=True)
class PrivateField:
    label: str  # "app_label.model.field"
    rule: Rule
    who: str  # who may see it, in a sentence (for the README and reviewers)


_rules: dict[str, PrivateField] = {}


def private(label: str, *, who: str):
    """Register the rule of one private field: `@private("matching.match.end_reason", who="...")`."""

    def decorator(rule: Rule) -> Rule:
        _rules[label.lower()] = PrivateField(label=label.lower(), rule=rule, who=who)
        return rule

    return decorator


def _label(model_or_obj, field: str) -> str:
    return f"{model_or_obj._meta.label_lower}.{field}"


def is_private(model_or_obj, field: str) -> bool:
    return _label(model_or_obj, field) in _rules


def may_see(viewer, obj, field: str, *, model=None) -> bool:
    """May this viewer read this field of this row? True for a field without a rule."""
    entry = _rules.get(_label(model if obj is None else obj, field))
    if entry is None:
        return True
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return bool(entry.rule(viewer, obj))


def shown(viewer, obj, field: str):
    """The field's value when she may see it, else None (for templates and mail builders)."""
    return getattr(obj, field) if may_see(viewer, obj, field) else None


def private_fields() -> dict[str, str]:
    """Every registered private field and who may see it."""
    return {label: entry.who for label, entry in sorted(_rules.items())}
