"""Test data for models this branch only knows by their agreed fields (meetings, evaluations).

``build(Model, **given)`` fills every required field that is not given with a plain value,
and every free-text field with a recognisable secret, so a test can assert that nothing a
pair or a respondent wrote ever reaches an e-mail (R11, R14).
"""

import datetime
import itertools
import uuid

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from accounts.tests.factories import MemberFactory

SECRET = "GEHEIM"
_counter = itertools.count(1)


def secret_text(model, field) -> str:
    text = f"{SECRET}-{model._meta.model_name}-{field.name}-{next(_counter)}"
    return text[: field.max_length] if getattr(field, "max_length", None) else text


def _value(model, field, *, when, related):
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.ForeignKey | models.OneToOneField):
        target = field.related_model
        if target in related:
            return related[target]
        if target is get_user_model():
            return MemberFactory()
        return build(target, when=when, related=related)
    if isinstance(field, models.DateTimeField):
        return timezone.make_aware(datetime.datetime.combine(when, datetime.time(10, 0)))
    if isinstance(field, models.DateField):
        return when
    if isinstance(field, models.TimeField):
        return datetime.time(10, 0)
    if isinstance(field, models.DurationField):
        return datetime.timedelta(hours=1)
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DecimalField | models.FloatField | models.IntegerField):
        return 1
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.EmailField):
        return f"iemand{next(_counter)}@example.org"
    if isinstance(field, models.URLField):
        return "https://example.org/"
    if isinstance(field, models.SlugField):
        return f"slug-{next(_counter)}"
    if isinstance(field, models.CharField | models.TextField):
        return secret_text(model, field)
    raise TypeError(f"builders cannot fill {model.__name__}.{field.name} ({type(field).__name__})")


def build(model, *, when=None, related=None, **given):
    """Create a row of model: given values, then every required field, and secrets in text fields."""
    when = when or timezone.localdate()
    related = dict(related or {})
    values = dict(given)
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in values or field.attname in values:
            continue
        free_text = isinstance(field, models.CharField | models.TextField) and not field.choices
        if free_text and not isinstance(field, models.EmailField | models.URLField | models.SlugField):
            if field.name in {"token", "key", "code", "language"} or field.has_default() and field.default != "":
                continue
            values[field.name] = secret_text(model, field)
            continue
        if field.has_default() or field.null:
            continue
        values[field.name] = _value(model, field, when=when, related=related)
    return model.objects.create(**values)


def try_build(model, **kwargs):
    """build() for models whose fields no contract names (notes, answers): None if it cannot."""
    try:
        with transaction.atomic():
            return build(model, **kwargs)
    except Exception:
        return None


def secrets_stored(*apps_labels) -> list[str]:
    """Every secret text now stored in the given apps' tables."""
    from django.apps import apps

    found = []
    for label in apps_labels:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.CharField | models.TextField):
                    found += [
                        value
                        for value in model.objects.values_list(field.name, flat=True)
                        if isinstance(value, str) and value.startswith(SECRET)
                    ]
    return found
