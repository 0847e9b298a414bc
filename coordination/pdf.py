"""The year report as a PDF (issue 27 §2), with fpdf2: the same lines, and "te weinig", as the page."""

from django.utils.translation import gettext as _
from fpdf import FPDF

# The PDF's built-in fonts know Latin-1 only: a few typographic characters are written plainly.
PLAIN = str.maketrans({"–": "-", "—": "-", "→": "->", "≥": ">=", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "..."})


def _text(value) -> str:
    return str(value).translate(PLAIN).encode("latin-1", "replace").decode("latin-1")


def year_report_pdf(report) -> bytes:
    document = FPDF(format="A4")
    document.set_title(_text(_("Year report %(cycle)s") % {"cycle": report.cycle}))
    document.add_page()
    document.set_font("Helvetica", "B", 16)
    document.cell(0, 10, _text(_("Year report %(cycle)s") % {"cycle": report.cycle}), new_x="LMARGIN", new_y="NEXT")
    document.set_font("Helvetica", "", 9)
    document.multi_cell(
        0,
        5,
        _text(
            _('Every figure rests on at least %(k)s people; smaller groups are shown as "%(too_few)s".')
            % {"k": report.minimum, "too_few": _("too few")}
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    widths = (110, 40, 40) if report.previous else (130, 60)
    for title, lines in report.sections:
        document.ln(3)
        document.set_font("Helvetica", "B", 12)
        document.cell(0, 8, _text(title), new_x="LMARGIN", new_y="NEXT")
        document.set_font("Helvetica", "B", 9)
        header = [_("figure"), str(report.cycle)] + ([str(report.previous)] if report.previous else [])
        for width, cell in zip(widths, header, strict=True):
            document.cell(width, 6, _text(cell), border="B")
        document.ln()
        document.set_font("Helvetica", "", 9)
        for line in lines:
            cells = [line.label, line.current] + ([line.previous] if report.previous else [])
            for index, (width, cell) in enumerate(zip(widths, cells, strict=True)):
                if index == 0:
                    _fit(document, _text(cell), width)
                document.cell(width, 6, _text(cell), align="L" if index == 0 else "R")
                document.set_font_size(9)
            document.ln()
    return bytes(document.output())


def _fit(document, text: str, width: float) -> None:
    """A long label (an evaluation question with its role) in a smaller font rather than running into
    the figures beside it; the text itself stays whole, as on the page."""
    size = 9.0
    while size > 5 and document.get_string_width(text) > width - 2:
        size -= 0.5
        document.set_font_size(size)
