from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import Expertise

from .models import END_CATEGORY_CHOICES, Agreement, Application, FitCheck
from .services import CATEGORY_REQUIRED

MENTORING_QUESTION_HELP = _(
    "What do you want to grow in over the coming year? A good mentoring question is about your long-term "
    "development, not a task to get done: a mentor is not a coach. For example: “How do I grow into a "
    "leadership role without losing my technical work?” or “How do I build a network outside my own "
    "firm?”"
)


class MenteeApplicationForm(forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics you want to grow in"),
        queryset=Expertise.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Application
        fields = [
            "mentoring_question",
            "topics",
            "meeting_preference",
            "prefers_same_region",
            "allow_same_organisation",
            "avoid_organisations",
        ]
        labels = {
            "mentoring_question": _("Your mentoring question or goal"),
            "avoid_organisations": _("Not with someone from … (optional)"),
        }
        help_texts = {
            "mentoring_question": MENTORING_QUESTION_HELP,
            "allow_same_organisation": _("Off by default: most mentees prefer a mentor from another organisation."),
            "avoid_organisations": _(
                "Organisations you do not want a mentor from, e.g. a former employer or a client's firm; "
                "separate them with commas. Only the coordinators see this."
            ),
        }
        widgets = {"mentoring_question": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentoring_question"].required = True


class MentorApplicationForm(forms.ModelForm):
    capacity = forms.TypedChoiceField(
        label=_("How many mentees can you take?"),
        choices=[(1, "1"), (2, "2"), (3, "3")],
        coerce=int,
        initial=1,
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics you can help with"),
        queryset=Expertise.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Application
        fields = ["capacity", "topics", "meeting_preference", "availability", "offer"]
        labels = {"availability": _("Availability"), "offer": _("What I have to offer")}
        help_texts = {
            "availability": _("For example: one lunch a month, not in the busy weeks before 1 May."),
            "offer": _(
                "A few sentences for the mentees who choose their mentors: what you can share from your work "
                "and your career. Mentees see it with your name, organisation, years of experience, expertise "
                "and region."
            ),
        }
        widgets = {"availability": forms.Textarea(attrs={"rows": 3}), "offer": forms.Textarea(attrs={"rows": 3})}


class MentorChoicesForm(forms.Form):
    """Her first, second and third choice from her shortlist (issue 25 §1); each is optional."""

    def __init__(self, *args, cards=(), **kwargs):
        super().__init__(*args, **kwargs)
        options = [("", _("(no choice)"))] + [(str(card.application_id), card.name) for card in cards]
        labels = [_("1st choice"), _("2nd choice"), _("3rd choice")]
        for rank, label in enumerate(labels, start=1):
            self.fields[f"choice_{rank}"] = forms.ChoiceField(label=label, choices=options, required=False)

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(f"choice_{rank}") for rank in (1, 2, 3)]
        picked = [pk for pk in chosen if pk]
        if len(set(picked)) != len(picked):
            raise forms.ValidationError(_("You can rank a mentor only once."))
        cleaned["mentor_application_ids"] = [int(pk) for pk in picked]
        return cleaned


class EndCategoryField(forms.ChoiceField):
    """Why a pair ends early, as one of a few categories (issue 27 §2): the year report counts them."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("What comes closest to why it ends?"))
        kwargs.setdefault("error_messages", {"required": CATEGORY_REQUIRED})
        choices = [(value, capfirst(label)) for value, label in END_CATEGORY_CHOICES]
        super().__init__(choices=choices, widget=forms.RadioSelect, **kwargs)


class MentorAnswerForm(forms.Form):
    """Issue 25 §3: the mentor's yes or no; a no asks a reason that only the coordinators read."""

    answer = forms.ChoiceField(
        label=_("Will you be her mentor?"),
        choices=[("yes", _("Yes, I will be her mentor")), ("no", _("No, I cannot be her mentor"))],
        widget=forms.RadioSelect,
    )
    decline_reason = forms.CharField(
        label=_("If not: why? (for the coordinators)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the coordinators read this. The mentee does not hear that you declined."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == "no" and not (cleaned.get("decline_reason") or "").strip():
            self.add_error("decline_reason", _("Tell the coordinators briefly why; the mentee does not read it."))
        return cleaned


class WithdrawForm(forms.Form):
    # Only when she has been matched (the view removes it otherwise): her mentorship then ends early.
    category = EndCategoryField(
        help_text=_("The year report for the board counts how often each reason occurs; it never shows who chose what.")
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required if you have already been matched: your mentorship then ends early. Your reason goes to the "
            "coordinators."
        ),
    )
    share_reason = forms.BooleanField(
        label=_("My mentor or mentee may read my reason too"),
        required=False,
        help_text=_("Otherwise she only hears that the mentorship has ended."),
    )


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = ["mission", "meeting_mode", "meeting_frequency", "networking", "opportunities", "evaluation_date"]
        labels = {
            "mission": _("Mission: what do you want to achieve together?"),
            "meeting_mode": _("Engagement: how do you meet?"),
            "meeting_frequency": _("Engagement: how often do you meet?"),
            "networking": _("Networking: which introductions can the mentor offer?"),
            "opportunities": _("Opportunities: what do you both want to learn?"),
            "evaluation_date": _("Evaluation and renewal: when do you look back and decide whether to continue?"),
        }
        help_texts = {
            "mission": _("Starts from the mentoring question; sharpen it together."),
            "meeting_frequency": _("For example: every two weeks at first, monthly later."),
            "networking": _("Introductions are made with care, never to sell anything."),
            "opportunities": _("Both of you learn: the mentor too, for example through reverse mentoring."),
        }
        widgets = {
            "mission": forms.Textarea(attrs={"rows": 3}),
            "networking": forms.Textarea(attrs={"rows": 3}),
            "opportunities": forms.Textarea(attrs={"rows": 3}),
            "evaluation_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class RenewalForm(forms.Form):
    wants_to_continue = forms.TypedChoiceField(
        label=_("Do you want to continue this mentorship for another term?"),
        choices=[("yes", _("Yes, I want to continue")), ("no", _("No, we complete it"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class FitCheckForm(forms.Form):
    """Issue 15 §3: "Does it fit?", privately; the note is for the coordinators only."""

    answer = forms.ChoiceField(label=_("Does it fit?"), choices=FitCheck.Answer.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("A note for the coordinators (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the coordinators read your answer and this note; your mentor or mentee does not."),
    )


class MentorPlacesForm(forms.Form):
    """Issue 25 §4: her number of places and a pause for this cycle, also after she has been matched."""

    capacity = forms.TypedChoiceField(
        label=_("How many mentees can you take?"),
        choices=[(1, "1"), (2, "2"), (3, "3")],
        coerce=int,
        help_text=_("Never fewer than the mentees you have now: they keep their mentor."),
    )
    paused = forms.BooleanField(
        label=_("Pause this cycle: no new mentee for now"),
        required=False,
        help_text=_("Your current mentorships go on. Untick it when you have room again."),
    )


class CoordinatorPlacesForm(MentorPlacesForm):
    """The same, changed by a coordinator in the admin, with a reason for the history."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history of the application."),
    )
