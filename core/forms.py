"""Form helpers shared by every app."""

from django.core.exceptions import ValidationError


def add_service_error(form, error: ValidationError, *, fields: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form that called it, so she sees it next to what she typed.

    A message about a field the form shows goes to that field (`fields` maps a model field to the
    form field that edits it); anything else goes on top of the form.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = (fields or {}).get(name, name)
        form.add_error(target if target in form.fields else None, errors)
