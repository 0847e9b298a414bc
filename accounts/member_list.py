"""Reading the NOB member list (CSV or XLSX) into checked rows, without touching the database.

The import is all-or-nothing, so parsing collects every problem with its line
number first; only a file without problems reaches the database (see services).
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .models import MembershipType

# The headers coordinators see documented on the import page; a few spellings are accepted.
HEADER_ALIASES = {
    "membership_number": {"lidnummer", "lid nummer", "lidnr", "membership number"},
    "email": {"e-mail", "email", "e-mailadres", "emailadres"},
    "membership_type": {"soort lid", "soort_lid", "soortlid", "lidmaatschap", "membership type"},
}
REQUIRED_COLUMNS = ("membership_number", "email", "membership_type")
MEMBERSHIP_TYPE_VALUES = {
    "lid": MembershipType.MEMBER,
    "gewoon lid": MembershipType.MEMBER,
    "member": MembershipType.MEMBER,
    "aspirant-lid": MembershipType.ASPIRANT,
    "aspirant lid": MembershipType.ASPIRANT,
    "aspirantlid": MembershipType.ASPIRANT,
    "aspirant": MembershipType.ASPIRANT,
    "aspiring member": MembershipType.ASPIRANT,
}
MEMBERSHIP_NUMBER = re.compile(r"^\d{4,8}$")
MAX_ROWS = 50_000


@dataclass(frozen=True)
class MemberRow:
    line: int
    membership_number: str
    email: str
    membership_type: str


@dataclass
class ParsedMemberList:
    rows: list[MemberRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _normalise_header(value) -> str:
    return " ".join(str(value or "").strip().lower().replace("\ufeff", "").split())


def _column_positions(header: list) -> tuple[dict[str, int], list[str]]:
    positions, errors = {}, []
    for index, raw in enumerate(header):
        name = _normalise_header(raw)
        for column, aliases in HEADER_ALIASES.items():
            if name in aliases and column not in positions:
                positions[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        labels = {"membership_number": "lidnummer", "email": "e-mail", "membership_type": "soort lid"}
        errors.append(
            _("Line 1: the header must name the columns %(columns)s; missing: %(missing)s.")
            % {"columns": "lidnummer, e-mail, soort lid", "missing": ", ".join(labels[column] for column in missing)}
        )
    return positions, errors


def _cell(row: list, index: int) -> str:
    value = row[index] if index < len(row) else ""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Spreadsheets store 100101 as 100101.0.
        value = int(value)
    return str(value).strip()


def _check_rows(table) -> ParsedMemberList:
    """`table` yields (line number, list of cells); the first non-empty line is the header."""
    result = ParsedMemberList()
    positions = None
    seen: dict[str, int] = {}
    for line, row in table:
        if not any(str(cell or "").strip() for cell in row):
            continue
        if positions is None:
            positions, header_errors = _column_positions(row)
            if header_errors:
                result.errors.extend(header_errors)
                return result
            continue
        if len(result.rows) + len(result.errors) >= MAX_ROWS:
            result.errors.append(_("The file has more than %(count)s rows.") % {"count": MAX_ROWS})
            return result
        number = _cell(row, positions["membership_number"])
        email = _cell(row, positions["email"]).lower()
        kind = _cell(row, positions["membership_type"])
        problems = []
        if not MEMBERSHIP_NUMBER.match(number):
            problems.append(_("membership number “%(value)s” is not 4 to 8 digits") % {"value": number})
        elif number in seen:
            problems.append(
                _("membership number %(value)s already appears on line %(line)s")
                % {"value": number, "line": seen[number]}
            )
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("“%(value)s” is not a valid e-mail address") % {"value": email})
        membership_type = MEMBERSHIP_TYPE_VALUES.get(" ".join(kind.lower().split()))
        if membership_type is None:
            problems.append(_("membership type “%(value)s” is not “lid” or “aspirant-lid”") % {"value": kind})
        if problems:
            result.errors.append(_("Line %(line)s: %(problems)s.") % {"line": line, "problems": "; ".join(problems)})
            continue
        seen[number] = line
        result.rows.append(MemberRow(line, number, email, membership_type))
    if positions is None:
        result.errors.append(_("The file is empty."))
    return result


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError


def _csv_table(data: bytes):
    text = _decode(data)
    first_line = text.splitlines()[0] if text else ""
    # Dutch spreadsheet programs write semicolons; others commas.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for row in reader:
        yield reader.line_num, row


def _xlsx_table(data: bytes):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, list(row)
    finally:
        workbook.close()


def parse_member_list(*, data: bytes, file_name: str) -> ParsedMemberList:
    """Check every row of a CSV or XLSX member list; never raises for a bad file."""
    name = (file_name or "").lower()
    try:
        if name.endswith(".xlsx"):
            return _check_rows(_xlsx_table(data))
        if name.endswith((".csv", ".txt")):
            return _check_rows(_csv_table(data))
    except Exception:  # noqa: BLE001 - a broken upload (zip, encoding, csv) must never become a 500
        return ParsedMemberList(errors=[_("The file could not be read. Save it as CSV (UTF-8) or XLSX and try again.")])
    return ParsedMemberList(errors=[_("Upload a CSV or XLSX file.")])
