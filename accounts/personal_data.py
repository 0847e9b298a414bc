"""What the programme holds about one member, gathered from every app without accounts importing them.

Apps depend one way (accounts → matching → meetings/evaluations → notifications), yet a
member's data lives in all of them. So each app registers a ``Contributor`` from its
``AppConfig.ready()``: it says which of its foreign keys to the user it answers for
(``relations``), what it shows her (``collect``), what it does before her account is
deleted (``erase``) and, for retention, since when she took part (``last_participation``)
and what of its own expires (``purge``). The registry is read by the export, the
erasure and the retention job in ``accounts.data_rights`` and ``accounts.retention``.

A test walks every model with a foreign key to the user and fails when one is not
declared here, so a new model cannot be forgotten.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str

from core import disclosure
from core.disclosure import HIDDEN


class Policy:
    """What erasure does with a foreign key to the member, and whether the export shows it."""

    # Her own data: in the export, deleted with her account.
    HERS = "hers"
    # Kept for someone else's sake (a pair, a meeting, a coordinator's record): in the export
    # where it is about her, and on erasure the link becomes empty ("voormalig deelnemer").
    KEPT_WITHOUT_HER = "kept_without_her"
    # A reference to her as the person who did something (verified a profile, uploaded a list):
    # not personal data about her as a member, emptied on erasure.
    ACTOR = "actor"

    EXPORTED = (HERS, KEPT_WITHOUT_HER)


@dataclass
class Section:
    """One group of her data, the same on the page, in the JSON and in the readable copy."""

    key: str
    title: str
    description: str = ""
    # key -> label, in order: the documentation of the keys in ``records``.
    fields: dict[str, str] = field(default_factory=dict)
    records: list[dict] = field(default_factory=list)
    # The model the records come from ("app_label.model"), so the completeness test can check
    # that every field of it is exported or deliberately withheld (``withheld``: field -> why).
    model: str = ""
    withheld: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "title": force_str(self.title),
            "description": force_str(self.description),
            "keys": {key: force_str(label) for key, label in self.fields.items()},
            "withheld": {key: force_str(reason) for key, reason in self.withheld.items()},
            "records": self.records,
        }

    def rows(self) -> list[list[tuple[str, object]]]:
        """Records as (label, value) pairs, for the page and the readable copy."""
        return [[(force_str(label), record.get(key)) for key, label in self.fields.items()] for record in self.records]


@dataclass
class Contributor:
    app_label: str
    # "app_label.model.field" -> Policy, for every foreign key to the user this app owns.
    relations: dict[str, str]
    collect: Callable[[object], Iterable[Section]]
    # Called inside the erasure's transaction, before the user row is deleted (which cascades).
    erase: Callable[..., None] | None = None
    # (today, user_ref) -> date-valued expressions on rows whose OuterRef(user_ref) is her id:
    # when she last took part here (NULL when never).
    last_participation: Callable[[datetime.date, str], list[models.Expression]] | None = None
    # Retention: (today, dry_run) -> human-readable lines of what is (or would be) removed.
    purge: Callable[..., list[str]] | None = None
    order: int = 100


_registry: dict[str, Contributor] = {}


def register(contributor: Contributor) -> None:
    # Keyed by app, so a second ready() (tests, autoreload) replaces rather than doubles.
    _registry[contributor.app_label] = contributor


def contributors() -> list[Contributor]:
    return sorted(_registry.values(), key=lambda item: (item.order, item.app_label))


def declared_relations() -> dict[str, str]:
    declared = {}
    for contributor in contributors():
        declared.update(contributor.relations)
    return declared


# --- Helpers for contributors ------------------------------------------------------------


def json_value(value):
    """A value the JSON file can hold and a reader understands: dates in ISO 8601, text as text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).isoformat(timespec="seconds") if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    return force_str(value)


def field_value(obj, model_field):
    """A field's value as she reads it: the label of a choice, the name of a related row."""
    if model_field.choices:
        return force_str(getattr(obj, f"get_{model_field.name}_display")())
    if model_field.is_relation:
        related = getattr(obj, model_field.name)
        return force_str(related) if related is not None else None
    return json_value(getattr(obj, model_field.attname))


def as_label(text) -> str:
    """A label as she reads it: its first letter a capital, the rest as written ("NOB-lidnummer")."""
    text = force_str(text)
    return text[:1].upper() + text[1:]


def model_fields(model, *, exclude: Iterable[str] = ()) -> dict[str, str]:
    """Every concrete field of a model (labels from verbose_name), minus those withheld or shown otherwise."""
    skip = set(exclude)
    return {
        f.name: as_label(f.verbose_name)
        for f in model._meta.get_fields()
        if getattr(f, "concrete", False) and not f.auto_created and f.name not in skip and not f.many_to_many
    }


def model_section(
    key, title, rows, *, model, viewer, description="", withheld=None, exclude=(), extra=None, labels=None
) -> Section:
    """A section with one record per row and every concrete field of the model, except those withheld.

    ``withheld`` names fields left out on purpose and why (shown in the JSON too);
    ``exclude`` names fields left out because they point at the section's own owner or parent;
    ``extra`` is a mapping key -> (label, function(row)) for derived values.
    ``labels`` gives a field a label of our own where the model's (a third-party one's) is not hers to read;
    ``viewer`` is whoever reads the section (she herself): a private field she may not see
    (`core.disclosure`, e.g. a reason her partner did not share) reads "not shared with you".
    """
    withheld = withheld or {}
    extra = extra or {}
    fields = model_fields(model, exclude=[*withheld, *exclude])
    fields.update({name: as_label(label) for name, label in (labels or {}).items() if name in fields})
    concrete = {f.name: f for f in model._meta.get_fields() if f.name in fields}
    records = []
    for row in rows:
        record = {
            name: field_value(row, concrete[name]) if disclosure.may_see(viewer, row, name) else force_str(HIDDEN)
            for name in fields
        }
        record.update({name: json_value(function(row)) for name, (_label, function) in extra.items()})
        records.append(record)
    fields.update({name: as_label(label) for name, (label, _function) in extra.items()})
    return Section(
        key=key,
        title=title,
        description=description,
        fields=fields,
        records=records,
        model=model._meta.label_lower,
        withheld=withheld,
    )
