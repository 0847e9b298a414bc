"""Issue 26 §5: the participation certificate ("Deelnamebewijs mentorprogramma") as a PDF.

Built with fpdf2: pure Python, installs from PyPI alone (no system libraries, unlike WeasyPrint's
Pango/Cairo), maintained, and it embeds a subset of the DejaVu Sans font shipped beside this file
(meetings/fonts, Bitstream Vera licence), so every name prints, whatever its accents.

It holds exactly: her name, role, cycle and dates, her held meetings with date and duration and the
total hours, the programme's name and contact address, the verification code and where to check it.
Never her partner, the mentorvraag or any note (R11).
"""

import logging
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import ParticipationCertificate

# fpdf2 subsets the font with fontTools, which logs every glyph at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent / "fonts"
PRIMARY = (122, 31, 93)  # the programme's colour, as on the site
GREY = (90, 90, 90)


def verification_url(certificate: ParticipationCertificate) -> str:
    return settings.SITE_URL + reverse("certificate_verify", args=[certificate.code_display])


def hours_display(minutes: int) -> str:
    return number_format(round(minutes / 60, 2), decimal_pos=None, use_l10n=True)


def duration_display(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": rest}


def role_sentence(certificate: ParticipationCertificate) -> str:
    if certificate.role == ParticipationCertificate.Role.MENTOR:
        return _("took part as a mentor in the mentor programme of the NOB Women's Network.")
    return _("took part as a mentee in the mentor programme of the NOB Women's Network.")


def programme_name() -> str:
    return _("Mentor programme NOB Women's Network")


def certificate_pdf(certificate: ParticipationCertificate, held_meetings) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(_("Participation certificate mentor programme"))
    pdf.set_author(programme_name())
    pdf.set_creator(programme_name())
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(22, 22, 22)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    width = pdf.epw

    pdf.set_draw_color(*PRIMARY)
    pdf.set_line_width(0.8)
    pdf.line(22, 18, 22 + width, 18)

    pdf.set_font("DejaVu", "", 10)
    pdf.set_text_color(*GREY)
    pdf.cell(width, 6, programme_name(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)

    pdf.set_font("DejaVu", "B", 22)
    pdf.set_text_color(*PRIMARY)
    pdf.multi_cell(width, 11, _("Participation certificate mentor programme"), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)

    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(width, 7, _("This is to certify that"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 10, certificate.full_name, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(width, 7, role_sentence(certificate), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)

    label_width = 42
    rows = [
        (_("Role"), certificate.get_role_display()),
        (_("Cycle"), certificate.cycle_name),
        (
            _("Period"),
            f"{date_format(certificate.period_start, 'j F Y')} – {date_format(certificate.period_end, 'j F Y')}",
        ),
    ]
    for label, value in rows:
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(label_width, 7, label)
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(width - label_width, 7, value, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    pdf.set_font("DejaVu", "B", 13)
    pdf.set_text_color(*PRIMARY)
    pdf.cell(width, 8, _("Meetings held"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 11)
    date_width, duration_width = width * 0.6, width * 0.4
    pdf.set_font("DejaVu", "B", 10)
    pdf.set_fill_color(243, 232, 240)
    pdf.cell(date_width, 7, _("Date"), border="B", fill=True)
    pdf.cell(duration_width, 7, _("Duration"), border="B", fill=True, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for meeting in held_meetings:
        pdf.cell(date_width, 7, date_format(timezone.localtime(meeting.starts_at), "j F Y"))
        pdf.cell(
            duration_width, 7, duration_display(meeting.duration_minutes), align="R", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.line(22, pdf.get_y(), 22 + width, pdf.get_y())
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    total = _("Total: %(count)s meetings, %(hours)s hours") % {
        "count": certificate.meetings_held,
        "hours": hours_display(certificate.minutes_total),
    }
    pdf.cell(width, 8, total, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)

    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.3)
    pdf.line(22, pdf.get_y(), 22 + width, pdf.get_y())
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(*GREY)
    footer = [
        _("Issued on %(date)s by the %(programme)s, %(email)s.")
        % {
            "date": date_format(timezone.localtime(certificate.issued_at), "j F Y"),
            "programme": programme_name(),
            "email": settings.PROGRAMME_CONTACT_EMAIL,
        },
        _("Verification code: %(code)s") % {"code": certificate.code_display},
        _("Check that this certificate is genuine at %(url)s") % {"url": verification_url(certificate)},
    ]
    for line in footer:
        pdf.multi_cell(width, 5, line, align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
