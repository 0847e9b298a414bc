import datetime
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line
from goals.forms import ProgressNotesForm

from .models import MAX_DURATION_MINUTES, Meeting, MentorTopic
from .services import MAX_NOTE_LENGTH, meeting_date_error


def topics_field(*, help_text) -> forms.MultipleChoiceField:
    """The MENTOR topics (R16) a meeting touched, as checkboxes; never required."""
    return forms.MultipleChoiceField(
        label=_("MENTOR topics"),
        choices=MentorTopic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class MeetingForm(forms.Form):
    """Date, start and end in Europe/Amsterdam; the service stores start and duration."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    mode = forms.ChoiceField(
        label=_("How do you meet?"),
        choices=[(value, capfirst(label)) for value, label in Meeting.Mode.choices],
        widget=forms.RadioSelect,
        initial=Meeting.Mode.IN_PERSON,
    )
    location = forms.CharField(
        label=_("Location"),
        max_length=200,
        required=False,
        help_text=_("For example the office, a lunch spot or a city. Optional."),
        validators=[validate_single_line],
    )
    video_url = forms.URLField(
        label=_("Video link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("For a virtual meeting: the Teams, Zoom or other meeting link. Optional."),
    )
    is_introduction = forms.BooleanField(
        label=_("This is our introductory meeting"),
        required=False,
        help_text=_("The first meeting, in which you get to know each other. The mentee takes the initiative."),
    )
    topics = topics_field(help_text=_("Optional: which themes of the MENTOR framework did or will you talk about?"))

    # Errors from the service about model fields, shown at the form field a member filled in.
    FIELD_FOR_MODEL_ERROR = {"starts_at": "date", "duration_minutes": "end_time"}

    # A fresh key each time the planning form is shown: sending it twice plans one meeting.
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, match, meeting: Meeting | None = None, **kwargs):
        self.match = match
        if meeting is not None and "initial" not in kwargs:
            local_start = timezone.localtime(meeting.starts_at)
            local_end = timezone.localtime(meeting.ends_at)
            kwargs["initial"] = {
                "date": local_start.date(),
                "start_time": local_start.time().replace(second=0, microsecond=0),
                "end_time": local_end.time().replace(second=0, microsecond=0),
                "mode": meeting.mode,
                "location": meeting.location,
                "video_url": meeting.video_url,
                "is_introduction": meeting.is_introduction,
                "topics": meeting.topics,
            }
        super().__init__(*args, **kwargs)
        if meeting is not None:
            del self.fields["submission_key"]
        elif not self.is_bound:
            self.initial["submission_key"] = uuid.uuid4()

    def clean(self):
        cleaned = super().clean()
        date, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        date_error = meeting_date_error(self.match, date) if date else None
        if date_error:
            self.add_error("date", date_error)
        if date and start and end:
            if end <= start:
                self.add_error("end_time", ValidationError(_("The end time must be after the start time.")))
            elif not self.has_error("date") and self._times_exist(date, start=start, end=end):
                starts_at = timezone.make_aware(datetime.datetime.combine(date, start))
                ends_at = timezone.make_aware(datetime.datetime.combine(date, end))
                # Through UTC, so a meeting across a daylight-saving change gets its real length
                # (subtracting two times in the same zone would give the wall-clock difference).
                minutes = int((ends_at.astimezone(datetime.UTC) - starts_at.astimezone(datetime.UTC)).total_seconds())
                minutes //= 60
                if minutes > MAX_DURATION_MINUTES:
                    self.add_error("end_time", ValidationError(_("A meeting lasts at most 8 hours.")))
                else:
                    cleaned["starts_at"] = starts_at
                    cleaned["duration_minutes"] = minutes
        return cleaned

    def _times_exist(self, date, **times) -> bool:
        """On the spring clock change 02:00–03:00 does not exist in the Netherlands: say so, never move it."""
        for field, time in times.items():
            wall_clock = datetime.datetime.combine(date, time)
            # Through UTC: converting to the same zone directly would not normalise the time.
            aware = timezone.make_aware(wall_clock).astimezone(datetime.UTC)
            if timezone.localtime(aware).replace(tzinfo=None) != wall_clock:
                self.add_error(
                    f"{field}_time",
                    ValidationError(
                        _("%(time)s does not exist on %(date)s: the clocks go forward from 02:00 to 03:00.")
                        % {"time": time.strftime("%H:%M"), "date": date_format(date, "j F Y")}
                    ),
                )
                return False
        return True

    def meeting_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "duration_minutes": data["duration_minutes"],
            "mode": data["mode"],
            "location": data["location"],
            "video_url": data["video_url"],
            "is_introduction": data["is_introduction"],
            "topics": data["topics"],
        }


class PrivateNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Your notes on this meeting"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Only you can read these notes: not your partner, not the coordinators. "
            "They are stored encrypted. Leave empty and save to delete them."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        # Only an explicit empty field deletes the note: a request without it (a stray POST, a
        # broken script) must never cost her what she wrote.
        if "text" not in self.data:
            raise ValidationError(_("No note was sent, so nothing was changed."), code="missing")
        return cleaned


class HeldForm(ProgressNotesForm):
    """Marking a meeting held (R10): the MENTOR topics it touched and, per running goal, one optional
    line of progress (issue 26 §2). The hidden `checkin` tells this form from a bare "held" button."""

    checkin = forms.BooleanField(required=False, initial=True, widget=forms.HiddenInput)
    topics = topics_field(help_text=_("Optional: which themes of the MENTOR framework did you talk about?"))
    error_summary_intro = _("The meeting is not marked as held yet. Please check:")

    def __init__(self, *args, meeting: Meeting, goals, **kwargs):
        kwargs.setdefault("initial", {"topics": meeting.topics, "checkin": True})
        super().__init__(*args, goals=goals, **kwargs)
        # The topics first, then a line per goal.
        self.order_fields(["checkin", "topics"])
