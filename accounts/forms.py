from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line

from .eligibility import mentor_decision
from .member_list import MAX_UPLOAD_BYTES
from .models import Expertise, MeetingPreference, MembershipType, Profile
from .services import PROFILE_FIELDS, career_start_year_problems


class SignupForm(forms.Form):
    """Extra field on allauth's sign-up form; allauth adds e-mail and password."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        validators=[validate_single_line],
    )

    field_order = ["full_name", "email", "password1", "password2"]

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])


class ProfileForm(forms.ModelForm):
    """The programme profile. It only presents the rules; `services.profile_save` enforces them."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        validators=[validate_single_line],
    )
    linkedin_url = forms.URLField(
        label=_("LinkedIn profile (optional)"),
        required=False,
        assume_scheme="https",
        max_length=200,
        widget=forms.URLInput(attrs={"placeholder": "https://www.linkedin.com/in/…"}),
        help_text=_("Only your mentor or mentee sees this, once you are paired."),
    )
    expertise = forms.ModelMultipleChoiceField(
        label=_("Areas of expertise"),
        queryset=Expertise.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose the areas you work in or would like to learn more about."),
    )

    class Meta:
        model = Profile
        fields = PROFILE_FIELDS
        labels = {
            "confirms_female_member": _(
                "I confirm that I am a female NOB member or aspiring member: the programme is run by and for "
                "the women of the NOB"
            ),
            "career_start_year": _("Year your working career started"),
            "phone": _("Phone number (optional)"),
            "wants_mentee": _("Mentee: I would like a mentor"),
            "wants_mentor": _("Mentor: I would like to guide a mentee"),
        }
        help_texts = {
            "membership_number": _("4 to 8 digits, as on your NOB membership card or invoice."),
            "career_start_year": _(
                "Your years of experience are counted from this year, so they stay up to date by themselves."
            ),
            "languages": _("The languages you could hold the conversations in, e.g. Nederlands, Engels."),
            "introduction": _("A few sentences about yourself and what you hope to get from the programme."),
            "phone": _("Only your mentor or mentee sees this, once you are paired."),
            "wants_mentor": _("A mentor needs more than 5 years of work experience."),
        }
        widgets = {
            "membership_type": forms.RadioSelect,
            "meeting_preference": forms.RadioSelect,
            "introduction": forms.Textarea(attrs={"rows": 4}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "membership_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.is_bound:
            self.initial.setdefault("full_name", user.full_name)
        this_year = timezone.localdate().year
        year_widget = self.fields["career_start_year"].widget
        year_widget.attrs.update({"min": this_year - 60, "max": this_year, "inputmode": "numeric"})
        # Radio buttons need no "---------" option.
        self.fields["membership_type"].choices = MembershipType.choices
        self.fields["meeting_preference"].choices = MeetingPreference.choices
        self.fields["confirms_female_member"].required = True
        self.fields["confirms_female_member"].error_messages["required"] = _(
            "The programme is open to female NOB members and aspiring members; please confirm this."
        )
        # Present R3 with her own numbers when we already know them.
        if self.instance.pk and not self.is_bound:
            decision = mentor_decision(self.instance.career_start_year)
            if not decision:
                self.fields["wants_mentor"].help_text = decision.reason

    def validate_unique(self):
        # The service checks a membership number that is already taken, with a message that helps.
        pass

    def clean_membership_number(self):
        # "100 101" as printed on a card is the same number; the model then checks the format.
        return "".join(self.cleaned_data["membership_number"].split())

    def clean_career_start_year(self):
        # Presented here so the message appears before the database constraint would speak.
        year = self.cleaned_data["career_start_year"]
        problems = career_start_year_problems(year)
        if problems:
            raise forms.ValidationError(problems)
        return year

    def clean(self):
        cleaned = super().clean()
        # Presented together with the other field errors, so she fixes everything in one go (R3).
        year = cleaned.get("career_start_year")
        if cleaned.get("wants_mentor") and year is not None and not self.has_error("career_start_year"):
            decision = mentor_decision(year)
            if not decision:
                self.add_error("wants_mentor", decision.reason)
        return cleaned

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        return {
            "full_name": data.pop("full_name"),
            "expertise": data.pop("expertise"),
            **{name: data[name] for name in PROFILE_FIELDS if name in data},
        }


class VerificationForm(forms.Form):
    """A coordinator's decision on one membership (admin)."""

    DECISIONS = [("verify", _("Verify: she is an NOB member")), ("reject", _("Reject"))]

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason (the member reads this)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejecting: tell her what is wrong and what she can do."),
    )


class MemberListImportForm(forms.Form):
    file = forms.FileField(
        label=_("Member list (CSV, text or XLSX)"),
        help_text=_(
            "Columns: lidnummer, e-mail, soort lid. At most 10 MB. You see a preview before anything is imported."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "This file is %(size)s MB; a member list may be at most %(limit)s MB. Save it as CSV or XLSX "
                    "with only the member list, or remove unrelated sheets and columns."
                ),
                code="too_large",
                params={"size": f"{upload.size / 1024 / 1024:.1f}", "limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        return upload
