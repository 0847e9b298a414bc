from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Question
from .services import MAX_OPEN_ANSWER_LENGTH


class EvaluationForm(forms.Form):
    """The questions of one round for one role, built from what coordinators defined."""

    # The site's error summary (templates/_error_summary.html) opens with this line.
    error_summary_intro = _(
        "Some answers are missing or not valid. Please check the questions marked below; everything else "
        "you answered has been kept."
    )

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q_{question.pk}"] = self._field_for(question)

    @staticmethod
    def _field_for(question: Question) -> forms.Field:
        common = {
            "label": question.localised_text,
            "required": question.required,
            "error_messages": {
                "required": _("Please answer this question."),
                "invalid_choice": _("Please choose one of the options given."),
            },
        }
        if not question.required:
            common["help_text"] = _("Optional.")
        if question.kind == Question.Kind.SCALE:
            choices = [(str(n), str(n)) for n in range(1, 6)]
            choices[0] = ("1", f"1 – {question.localised_scale_low}")
            choices[4] = ("5", f"5 – {question.localised_scale_high}")
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        options = [(str(position), label) for position, label in enumerate(question.option_list(), start=1)]
        if question.kind == Question.Kind.SINGLE_CHOICE:
            return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
        if question.kind == Question.Kind.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
        limit = _("At most %(limit)s characters.") % {"limit": MAX_OPEN_ANSWER_LENGTH}
        common["help_text"] = f"{common['help_text']} {limit}" if "help_text" in common else limit
        common["error_messages"]["max_length"] = _(
            "Please keep your answer to at most %(limit_value)d characters (it has %(show_value)d)."
        )
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_OPEN_ANSWER_LENGTH, strip=True, **common
        )
