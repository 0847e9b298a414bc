"""Model fields shared by the apps."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

TOO_LONG = _("Use at most %(limit_value)d characters here; this text has %(show_value)d.")


class BoundedTextField(models.TextField):
    """A text field whose max_length is a rule, not only a hint.

    Django's TextField passes max_length to the form's textarea but does not
    validate it, so a service's full_clean() would accept 20,000 characters.
    """

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(max_length, message=TOO_LONG))

    def formfield(self, **kwargs):
        # The form field checks the length first; it should say so in the same words.
        field = super().formfield(**kwargs)
        for validator in field.validators:
            if isinstance(validator, MaxLengthValidator):
                validator.message = TOO_LONG
        return field
