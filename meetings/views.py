"""The pair's meeting pages. Every object goes through meeting_for_user or pair_for_user (404 for others)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from core.forms import add_service_error
from goals import selectors as goal_selectors
from goals.disclosure import partner_may_see_goals
from matching.selectors import pair_for_user

from . import calendar, selectors, services
from .answers import AnswerLinkExpired, AnswerLinkInvalid, MeetingAnswer, answer_read
from .certificate import certificate_pdf, hours_display
from .forms import HeldForm, MeetingForm, PrivateNoteForm

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


@login_required
@require_GET
def meeting_list(request, match_pk):
    # The list shows the partners' names and the meetings: nothing of their profiles or agreement.
    match = pair_for_user(user=request.user, pk=match_pk, reads=("mentor", "mentee"))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "match": match,
            "partner": match.partner_of(request.user),
            "meetings": selectors.pair_meetings(match=match),
            "can_change": match.is_ongoing,
            "on_meetings_list": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, match_pk):
    match = pair_for_user(user=request.user, pk=match_pk)
    if not match.is_ongoing:
        messages.error(request, _("This pair is no longer active, so no new meetings can be planned."))
        return redirect("meetings:list", match_pk=match.pk)
    # R8: suggest the introductory meeting while the pair has none.
    is_first = not selectors.has_meetings(match=match)
    if request.method == "POST":
        form = MeetingForm(request.POST, match=match)
        if form.is_valid():
            try:
                meeting = services.meeting_plan(
                    match=match,
                    by=request.user,
                    submission_key=form.cleaned_data.get("submission_key"),
                    **form.meeting_fields(),
                )
            except ValidationError as error:
                add_service_error(form, error, fields=form.FIELD_FOR_MODEL_ERROR)
            else:
                messages.success(request, _("The meeting is planned. Your partner sees it on your pair's page."))
                return redirect("meetings:detail", pk=meeting.pk)
    else:
        form = MeetingForm(match=match, initial={"is_introduction": is_first})
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "match": match, "partner": match.partner_of(request.user), "is_first": is_first},
    )


def _held_form(request, meeting, data=None) -> HeldForm | None:
    """The check-in that marks a meeting held (topics, a line per running goal); None when it cannot be marked."""
    if not (meeting.match.is_ongoing and meeting.is_planned and meeting.has_started):
        return None
    goals = goal_selectors.live_goals(match=meeting.match) if partner_may_see_goals(request.user, meeting.match) else []
    return HeldForm(data, meeting=meeting, goals=goals)


def _render_detail(request, meeting, *, note_form=None, held_form=None, note_unreadable=False, status=200):
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "match": meeting.match,
            "partner": meeting.match.partner_of(request.user),
            "note_form": note_form,
            "note_unreadable": note_unreadable,
            "held_form": held_form if held_form is not None else _held_form(request, meeting),
            "can_change": meeting.match.is_ongoing and meeting.is_planned,
            "can_edit": meeting.match.is_ongoing and meeting.status != meeting.Status.CANCELLED,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request, pk):
    """The shared meeting, plus the viewer's own private note (R11)."""
    meeting = selectors.meeting_for_user(user=request.user, pk=pk)
    note_text = selectors.private_note_text(meeting=meeting, user=request.user)
    if request.method == "POST":
        form = PrivateNoteForm(request.POST)
        if form.is_valid():
            try:
                services.private_note_save(meeting=meeting, author=request.user, text=form.cleaned_data["text"])
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Your private notes are saved."))
                return redirect("meetings:detail", pk=meeting.pk)
    else:
        form = PrivateNoteForm(initial={"text": note_text or ""})
    return _render_detail(request, meeting, note_form=form, note_unreadable=note_text is None)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = selectors.meeting_for_user(user=request.user, pk=pk)
    if not meeting.match.is_ongoing or meeting.status == meeting.Status.CANCELLED:
        messages.error(request, _("This meeting can no longer be changed."))
        return redirect("meetings:detail", pk=meeting.pk)
    if request.method == "POST":
        form = MeetingForm(request.POST, match=meeting.match)
        if form.is_valid():
            try:
                services.meeting_update(meeting=meeting, by=request.user, **form.meeting_fields())
            except ValidationError as error:
                add_service_error(form, error, fields=form.FIELD_FOR_MODEL_ERROR)
            else:
                messages.success(request, _("The meeting is updated."))
                return redirect("meetings:detail", pk=meeting.pk)
    else:
        form = MeetingForm(match=meeting.match, meeting=meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "match": meeting.match, "meeting": meeting, "partner": meeting.match.partner_of(request.user)},
    )


@login_required
@require_POST
def meeting_mark_held(request, pk):
    """Mark held; with the check-in form also its MENTOR topics and a line of progress per goal (issue 26 §2)."""
    meeting = selectors.meeting_for_user(user=request.user, pk=pk)
    held_form = _held_form(request, meeting, request.POST) if "checkin" in request.POST else None
    if held_form is not None and not held_form.is_valid():
        return _render_detail(request, meeting, note_form=_note_form(request, meeting), held_form=held_form)
    checkin = {"topics": held_form.cleaned_data["topics"], "progress_notes": held_form.notes()} if held_form else {}
    try:
        services.meeting_mark_held(meeting=meeting, by=request.user, **checkin)
    except ValidationError as error:
        if held_form is None:
            messages.error(request, " ".join(error.messages))
            return redirect("meetings:detail", pk=meeting.pk)
        meeting.refresh_from_db()
        add_service_error(held_form, error)
        return _render_detail(request, meeting, note_form=_note_form(request, meeting), held_form=held_form)
    messages.success(request, _("Marked as held. Good to hear you met!"))
    return redirect("meetings:detail", pk=meeting.pk)


def _note_form(request, meeting) -> PrivateNoteForm:
    return PrivateNoteForm(initial={"text": selectors.private_note_text(meeting=meeting, user=request.user) or ""})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk):
    meeting = selectors.meeting_for_user(user=request.user, pk=pk)
    if not (meeting.is_planned and meeting.match.is_ongoing):
        # Held, already cancelled, or the pair ended: nothing to confirm.
        messages.error(request, _("Only a planned meeting can be cancelled."))
        return redirect("meetings:detail", pk=meeting.pk)
    if request.method == "POST":
        try:
            services.meeting_cancel(meeting=meeting, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("meetings:detail", pk=meeting.pk)
        messages.success(request, _("The meeting is cancelled. Plan a new one when it suits you both."))
        return redirect("meetings:list", match_pk=meeting.match_id)
    return render(
        request,
        "meetings/meeting_cancel.html",
        {"meeting": meeting, "match": meeting.match, "partner": meeting.match.partner_of(request.user)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])  # mail scanners prefetch links: GET and HEAD only show
@never_cache
def meeting_answer(request, token):
    """Issue 26 §4: the e-mail's one-click answer opens this page; only her POST changes the meeting.

    The link works only for the member it was sent to, while she is logged in; anyone else gets a 404.
    """
    try:
        link = answer_read(token)
    except AnswerLinkInvalid:
        raise Http404 from None
    except AnswerLinkExpired:
        return render(request, "meetings/meeting_answer_expired.html", status=410)
    if link.user_id != request.user.pk:
        raise Http404
    meeting = selectors.meeting_for_user(user=request.user, pk=link.meeting_id)
    answerable = meeting.is_planned and meeting.match.is_ongoing
    # "Held": the same check-in as on the meeting's page (topics, a line of progress per goal).
    held_form = None
    if answerable and link.answer == MeetingAnswer.HELD:
        posted = request.POST if request.method == "POST" and "checkin" in request.POST else None
        held_form = _held_form(request, meeting, posted)
    if request.method == "POST" and answerable and not (held_form and held_form.is_bound and not held_form.is_valid()):
        try:
            if link.answer == MeetingAnswer.HELD:
                checkin = {}
                if held_form is not None and held_form.is_bound:
                    checkin = {"topics": held_form.cleaned_data["topics"], "progress_notes": held_form.notes()}
                services.meeting_mark_held(meeting=meeting, by=request.user, **checkin)
                messages.success(request, _("Marked as held. Good to hear you met!"))
            elif link.answer == MeetingAnswer.NOT_HELD:
                services.meeting_cancel(meeting=meeting, by=request.user)
                messages.success(
                    request, _("Noted: the meeting did not take place. Plan a new one when it suits you both.")
                )
            else:
                messages.info(request, _("Enter the new date and time of your meeting."))
                return redirect("meetings:edit", pk=meeting.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("meetings:detail", pk=meeting.pk)
    return render(
        request,
        "meetings/meeting_answer.html",
        {
            "meeting": meeting,
            "match": meeting.match,
            "partner": meeting.match.partner_of(request.user),
            "answer": link.answer,
            "answerable": answerable,
            "held_form": held_form,
            "Answer": MeetingAnswer,
        },
    )


@login_required
@require_GET
def meeting_ics(request, pk):
    meeting = selectors.meeting_for_user(user=request.user, pk=pk)
    response = HttpResponse(
        calendar.meeting_ics(meeting, request.user, _base_url(request)), content_type=ICS_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="mentorafspraak-{meeting.pk}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def calendar_settings(request):
    """The member's private subscription URL: create, renew or revoke it."""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("Your calendar link no longer works. Calendar apps stop receiving updates."))
        else:
            had_feed = selectors.active_calendar_feed(user=request.user) is not None
            services.calendar_feed_renew(user=request.user)
            messages.success(
                request,
                _("You have a new calendar link; the old one no longer works.")
                if had_feed
                else _("Your calendar link is ready."),
            )
        return redirect("meetings:calendar")
    feed = selectors.active_calendar_feed(user=request.user)
    feed_url = request.build_absolute_uri(reverse("meetings:feed", args=[feed.token])) if feed else ""
    return render(
        request,
        "meetings/calendar_settings.html",
        {
            "feed": feed,
            "feed_url": feed_url,
            "pairs": [
                {"match": match, "partner": match.partner_of(request.user)}
                for match in selectors.active_pairs_for_user(user=request.user)
            ],
        },
    )


@require_safe
def calendar_feed(request, token):
    """Public by design (calendar apps cannot log in); the secret token is the key."""
    feed = selectors.calendar_feed_by_token(token=token)
    meetings = selectors.calendar_meetings_for_user(user=feed.user)
    with translation.override(feed.user.language or "nl"):
        body = calendar.feed_ics(meetings, feed.user, _base_url(request))
    response = HttpResponse(body, content_type=ICS_CONTENT_TYPE)
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
@require_GET
@never_cache
def certificate_download(request, match_pk):
    """Issue 26 §5: her own participation certificate, for this pair only (anyone else: 404)."""
    match = pair_for_user(user=request.user, pk=match_pk)
    held = selectors.held_meetings_of(match=match)
    try:
        certificate = services.certificate_issue(match=match, member=request.user, held_meetings=held)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("matching:pair_detail", pk=match.pk)
    response = HttpResponse(certificate_pdf(certificate, held), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="deelnamebewijs-mentorprogramma.pdf"'
    return response


@require_GET
def certificate_check(request):
    """Anyone types a verification code; the result is the public page below."""
    code = request.GET.get("code", "").strip()
    if code:
        return redirect("certificate_verify", code=code[:40])
    return render(request, "meetings/certificate_verify.html", {"certificate": None})


@require_GET
def certificate_verify(request, code):
    """Public by design: name, role, cycle and total hours of a genuine certificate; an unknown code is a 404."""
    certificate = selectors.certificate_by_code(code=code)
    return render(
        request,
        "meetings/certificate_verify.html",
        {"certificate": certificate, "hours": hours_display(certificate.minutes_total)},
    )
