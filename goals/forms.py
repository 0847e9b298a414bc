from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line

from .models import MAX_GOAL_LENGTH, MAX_NEXT_STEP_LENGTH, MAX_PROGRESS_NOTE_LENGTH, GoalState

MONTH_FORMATS = ["%Y-%m", "%m-%Y", "%m/%Y", "%Y-%m-%d"]


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class GoalForm(forms.Form):
    text = forms.CharField(
        label=_("Goal"),
        max_length=MAX_GOAL_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What do you want to have achieved? One or two sentences. Only the two of you can read it."),
    )
    next_step = forms.CharField(
        label=_("Next step"),
        max_length=MAX_NEXT_STEP_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The first concrete thing you will do. Optional."),
    )
    target_month = forms.DateField(
        label=_("Target month"),
        required=False,
        input_formats=MONTH_FORMATS,
        widget=MonthInput(),
        help_text=_("When you want to have reached it, as year and month (for example 2027-06). Optional."),
        error_messages={"invalid": _("Enter a month as year and month, for example 2027-06.")},
    )

    def __init__(self, *args, with_state: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_state:
            self.fields["state"] = forms.ChoiceField(
                label=_("State"),
                choices=[(value, capfirst(label)) for value, label in GoalState.choices],
                widget=forms.RadioSelect,
            )


class ProgressNotesForm(forms.Form):
    """Issue 26 §2: one optional line per live goal, when a meeting is marked held."""

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = goals
        for view in goals:
            self.fields[f"goal_{view.goal.pk}"] = forms.CharField(
                label=view.text if view.text is not None else _("(a goal that can no longer be read)"),
                max_length=MAX_PROGRESS_NOTE_LENGTH,
                required=False,
                validators=[validate_single_line],
                help_text=_("Progress on this goal, in one line. Optional."),
            )

    def notes(self) -> dict[int, str]:
        return {view.goal.pk: self.cleaned_data.get(f"goal_{view.goal.pk}", "") for view in self.goals}


class CarryOverForm(forms.Form):
    """R5: which running goals go with the pair into a new term; the others close with this one."""

    carried = forms.TypedMultipleChoiceField(
        label=_("Goals to carry over to a new term"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Goals you do not tick are closed with this term. You can change this until the new term starts."),
    )

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carried"].choices = [
            (view.goal.pk, view.text if view.text is not None else _("(a goal that can no longer be read)"))
            for view in goals
        ]
        if not self.is_bound:
            self.initial["carried"] = [view.goal.pk for view in goals if view.goal.carry_over]
