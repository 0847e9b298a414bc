"""Reading the NOB member list as membership administrations export it, without touching the database.

What real exports look like, and what is accepted:
- CSV or text in UTF-8 (with or without byte order mark), UTF-16 (Excel's "Unicode-tekst",
  tab-separated) or Windows-1252; separated by semicolons, commas or tabs, or as a first
  line `sep=;` says;
- XLSX with title or blank rows above the header, on any sheet: the header is looked for in
  the first `HEADER_SEARCH_ROWS` rows of every sheet, the first sheet that has one is read;
- headers under the synonyms in `HEADER_ALIASES` (documented on the import page);
- membership numbers with leading zeros: `012345` and `12345` are the same number
  (`membership_number_key`), on the list and on the profile alike.

Every row counts: XLSX sheets are read row by row as they are stored, whatever size they
declare, and a sheet longer than `MAX_ROWS` is refused with a message instead of cut short.
The import is all-or-nothing, so reading collects every problem with its real line number;
membership types it does not know ("Erelid") are set aside for the coordinator to decide.
"""

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .models import MembershipType

# The headers coordinators see documented on the import page; compared lower-case, with
# underscores, dots and colons read as spaces.
HEADER_ALIASES = {
    "membership_number": {
        "lidnummer",
        "lid nummer",
        "lidnr",
        "lidmaatschapsnummer",
        "lidmaatschap nummer",
        "nob lidnummer",
        "relatienummer",
        "membership number",
        "member number",
    },
    "email": {
        "e-mail",
        "email",
        "e-mailadres",
        "emailadres",
        "e-mail adres",
        "email adres",
        "mailadres",
        "e-mail address",
        "email address",
    },
    "membership_type": {
        "soort lid",
        "soortlid",
        "soort lidmaatschap",
        "lidmaatschapssoort",
        "lidmaatschapsvorm",
        "type lidmaatschap",
        "lidmaatschap",
        "membership type",
    },
}
REQUIRED_COLUMNS = ("membership_number", "email", "membership_type")
COLUMN_LABELS = {"membership_number": "lidnummer", "email": "e-mail", "membership_type": "soort lid"}
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
# What a coordinator may decide for a membership type the import does not know.
SKIP = "skip"
TYPE_CHOICES = (MembershipType.MEMBER, MembershipType.ASPIRANT, SKIP)
MEMBERSHIP_NUMBER = re.compile(r"^\d{4,8}$")
HEADER_SEARCH_ROWS = 20
MAX_ROWS = 50_000
# Columns beyond this are not read: a member list has a handful.
MAX_COLUMNS = 200
# A row with more cells than this is no member list: the file is refused before reading on.
MAX_CELLS_PER_ROW = 1000
# Nor is a sheet with more cells than this (50,000 rows of 20 columns, 10,000 of 100), counting the
# cells beyond the columns read: each costs time to parse, about 5 µs, even when it is dropped.
MAX_CELLS = 1_000_000
# An upload larger than this is refused (the form says so); a member list of 50,000 rows is ~3 MB.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# An XLSX is a zip: refuse one that unpacks to more than this before parsing anything.
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024
# Worksheet XML that no spreadsheet program writes is refused as unreadable: nesting deeper than
# this (a rich-text cell is 8 deep), more elements than this inside one cell, more elements than
# this outside the rows (column widths, views; what follows the rows is not read).
MAX_XML_DEPTH = 32
MAX_ELEMENTS_PER_CELL = 1000
MAX_OTHER_ELEMENTS = 100_000
# The parts openpyxl parses whole (content types, workbook, its relations) are a few kilobytes;
# above this they are refused as unreadable.
MAX_WHOLE_PART_BYTES = 2 * 1024 * 1024
# The style sheet is streamed for its number formats: Excel allows 64,000 cell formats; more
# formats, or more elements in all, are refused as unreadable.
MAX_CELL_FORMATS = 65_536
MAX_STYLE_ELEMENTS = 1_000_000


def membership_number_key(number: str) -> str:
    """The number as compared: spaces and leading zeros do not count (`012345` is `12345`)."""
    return re.sub(r"\s", "", number or "").lstrip("0")


@dataclass(frozen=True)
class MemberRow:
    line: int
    membership_number: str  # the key: without leading zeros
    email: str  # trimmed, lower case
    membership_type: str  # a MembershipType value; "" while the type is unknown and undecided
    type_label: str = ""  # as written in the file


@dataclass
class UnknownType:
    label: str
    lines: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.lines)


@dataclass
class ParsedMemberList:
    rows: list[MemberRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Normalised type -> what the file calls it and where; only types without a decision.
    unknown_types: dict[str, UnknownType] = field(default_factory=dict)
    # Unknown types the coordinator decided on, with her decision in `type_choices`.
    decided_types: dict[str, UnknownType] = field(default_factory=dict)
    skipped: int = 0
    sheet_name: str = ""
    header_line: int = 0

    @property
    def lines_read(self) -> int:
        return len(self.rows) + self.skipped + sum(unknown.count for unknown in self.unknown_types.values())


class TooManyRows(Exception):
    pass


class TooWide(Exception):
    def __init__(self, line: int, sheet: str):
        super().__init__(line, sheet)
        self.line, self.sheet = line, sheet


class TooManyCells(Exception):
    pass


class Unreadable(Exception):
    """XML that no spreadsheet program writes."""


def _normalise_header(value) -> str:
    text = str(value or "").replace("\ufeff", "").strip().lower()
    text = re.sub(r"[_.:*]", " ", text)
    return " ".join(text.split())


def normalise_type(value: str) -> str:
    return " ".join(str(value or "").strip().lower().split())


def _header_positions(row: list) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, raw in enumerate(row):
        name = _normalise_header(raw)
        for column, aliases in HEADER_ALIASES.items():
            if name in aliases and column not in positions:
                positions[column] = index
    return positions


def _cell(row: list, index: int) -> str:
    value = row[index] if index < len(row) else ""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Spreadsheets store 100101 as 100101.0.
        value = int(value)
    return str(value).strip()


def _blank(row: list) -> bool:
    return not any(str(cell if cell is not None else "").strip() for cell in row)


def _find_header(sheet_rows: list[tuple[int, list]]) -> tuple[int, dict[str, int], dict[str, int]]:
    """(index in sheet_rows, positions) of the header among the first rows; best partial header too."""
    best: dict[str, int] = {}
    for index, (_line, row) in enumerate(sheet_rows[:HEADER_SEARCH_ROWS]):
        positions = _header_positions(row)
        if all(column in positions for column in REQUIRED_COLUMNS):
            return index, positions, positions
        if len(positions) > len(best):
            best = positions
    return -1, {}, best


def _check_rows(rows, positions: dict[str, int], type_choices: dict[str, str], result: ParsedMemberList) -> None:
    seen: dict[str, int] = {}
    for line, row in rows:
        if _blank(row):
            continue
        raw_number = re.sub(r"\s", "", _cell(row, positions["membership_number"]))
        number = membership_number_key(raw_number)
        email = _cell(row, positions["email"]).lower()
        kind = _cell(row, positions["membership_type"])
        problems = []
        if not raw_number.isdigit() or not MEMBERSHIP_NUMBER.match(number):
            problems.append(_("membership number “%(value)s” is not 4 to 8 digits") % {"value": raw_number})
        elif number in seen:
            problems.append(
                _("membership number %(value)s already appears on line %(line)s")
                % {"value": raw_number, "line": seen[number]}
            )
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("“%(value)s” is not a valid e-mail address") % {"value": email})
        type_key = normalise_type(kind)
        membership_type = MEMBERSHIP_TYPE_VALUES.get(type_key, "")
        if not type_key:
            problems.append(_("the membership type is empty"))
        if problems:
            result.errors.append(_("Line %(line)s: %(problems)s.") % {"line": line, "problems": "; ".join(problems)})
            continue
        seen[number] = line
        if not membership_type:
            decision = type_choices.get(type_key)
            if decision in TYPE_CHOICES:
                result.decided_types.setdefault(type_key, UnknownType(label=kind)).lines.append(line)
            if decision == SKIP:
                result.skipped += 1
                continue
            if decision in (MembershipType.MEMBER, MembershipType.ASPIRANT):
                membership_type = decision
            else:
                result.unknown_types.setdefault(type_key, UnknownType(label=kind)).lines.append(line)
                continue
        result.rows.append(MemberRow(line, number, email, membership_type, kind))


def _read_sheets(sheets, type_choices: dict[str, str]) -> ParsedMemberList:
    """`sheets` yields (sheet name, iterator of (line, cells)); the first sheet with a header is read."""
    result = ParsedMemberList()
    best_partial: tuple[dict, int, str] | None = None
    any_content = False
    for name, table in sheets:
        head = []
        for line, row in table:
            head.append((line, row))
            if len(head) >= HEADER_SEARCH_ROWS:
                break
        any_content = any_content or any(not _blank(row) for _line, row in head)
        index, positions, partial = _find_header(head)
        if index < 0:
            if partial and (best_partial is None or len(partial) > len(best_partial[0])):
                best_partial = (partial, head[0][0] if head else 1, name)
            continue
        result.sheet_name = name
        result.header_line = head[index][0]

        def rest(head=head, index=index, table=table):
            yield from head[index + 1 :]
            yield from table

        _check_rows(rest(), positions, type_choices, result)
        if not (result.rows or result.errors or result.unknown_types or result.skipped):
            result.errors.append(_("The file contains no members."))
        return result
    if not any_content:
        result.errors.append(_("The file is empty."))
        return result
    expected = ", ".join(COLUMN_LABELS.values())
    if best_partial:
        missing = ", ".join(COLUMN_LABELS[column] for column in REQUIRED_COLUMNS if column not in best_partial[0])
        result.errors.append(
            _(
                "No header row found in the first %(rows)s rows: the columns %(columns)s are needed; "
                "the closest row lacks %(missing)s."
            )
            % {"rows": HEADER_SEARCH_ROWS, "columns": expected, "missing": missing}
        )
    else:
        result.errors.append(
            _("No header row found in the first %(rows)s rows: the columns %(columns)s are needed.")
            % {"rows": HEADER_SEARCH_ROWS, "columns": expected}
        )
    return result


# --- Text files ------------------------------------------------------------------------

DELIMITERS = ("\t", ";", ",")


def decode_text(data: bytes) -> str:
    """UTF-16 (with byte order mark, or recognisable by its zero bytes), UTF-8, else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    sample = data[:200]
    if len(sample) >= 4 and sample.count(b"\x00") * 3 >= len(sample):
        # UTF-16 without a byte order mark: every other byte of plain text is zero.
        return data.decode("utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def _choose_delimiter(lines: list[str]) -> str:
    # A delimiter under which one of the first lines is a complete header wins; else the commonest.
    for delimiter in DELIMITERS:
        for row in csv.reader(lines[:HEADER_SEARCH_ROWS], delimiter=delimiter):
            if all(column in _header_positions(row) for column in REQUIRED_COLUMNS):
                return delimiter
    sample = "\n".join(lines[:HEADER_SEARCH_ROWS])
    counts = {delimiter: sample.count(delimiter) for delimiter in DELIMITERS}
    return max(DELIMITERS, key=lambda delimiter: counts[delimiter])


def _text_table(data: bytes):
    text = decode_text(data)
    if "\x00" in text:
        raise ValueError("NUL in text")
    lines = text.splitlines()
    offset = 0
    delimiter = None
    first = lines[0].strip() if lines else ""
    if first.lower().startswith("sep=") and len(first) == 5:
        # Excel's own hint: "sep=;" on the first line names the separator.
        delimiter = first[4]
        offset = 1
        text = "\n".join(lines[1:])
    if delimiter is None:
        delimiter = _choose_delimiter(lines)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows():
        for count, row in enumerate(reader, start=1):
            if count > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise TooManyRows
            yield reader.line_num + offset, row

    yield "", rows()


# --- Spreadsheets -------------------------------------------------------------------------


def _xlsx_sheets(data: bytes):
    """Every sheet's rows as stored, numbered as the spreadsheet numbers them.

    The sheet's declared dimension is ignored on purpose: a file may declare a million
    rows it does not have (openpyxl would pad them all) or fewer than it has (and
    openpyxl would stop early). Rows are counted as they come.

    openpyxl's `load_workbook` is not used: even read-only it looks for every sheet's declared
    dimension first, and a sheet without one is parsed to its end for it (a 118 KB upload with
    one 4,000,000-cell row: 60 MB of XML, 25 s of CPU, 0.5 GB, before the first row). Its pieces
    for the small parts are used (content types, workbook, its relations; each refused above
    MAX_WHOLE_PART_BYTES), so values come out as before; shared strings, the style sheet's
    date formats and the sheets themselves are read here, one element at a time, and the
    sheets only as far as the member list needs.
    """
    from openpyxl.packaging.manifest import ARC_CONTENT_TYPES
    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.reader.excel import ExcelReader, _find_workbook_part

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED_BYTES:
            raise TooManyRows
    # External links are never read: they hold cached copies of other workbooks.
    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)

    def small(name: str) -> None:
        if name in reader.valid_files and reader.archive.getinfo(name).file_size > MAX_WHOLE_PART_BYTES:
            raise Unreadable

    try:
        small(ARC_CONTENT_TYPES)
        reader.read_manifest()
        workbook_part = _find_workbook_part(reader.package).PartName[1:]
        small(workbook_part)
        small(get_rels_path(workbook_part))
        reader.shared_strings = _shared_strings(reader)
        reader.read_workbook()
        reader.wb._date_formats, reader.wb._timedelta_formats = _date_formats(reader.archive)
        for sheet, relation in reader.parser.find_sheets():
            if relation.target not in reader.valid_files or "chartsheet" in relation.Type:
                continue
            yield sheet.name, _xlsx_rows(reader, relation.target, sheet.name)
    finally:
        reader.archive.close()


def _date_formats(archive) -> tuple[set[int], set[int]]:
    """Which cell formats (positions in <cellXfs>) show dates and which durations, decided as
    openpyxl's `apply_stylesheet` decides, but streamed and bounded: openpyxl builds the whole
    style sheet, and 100,000 formats (a 6 KB upload) took 3.6 s and 240 MB."""
    from defusedxml.ElementTree import iterparse
    from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
    from openpyxl.xml.constants import ARC_STYLE, SHEET_MAIN_NS

    if ARC_STYLE not in archive.namelist():
        return set(), set()
    number_format, cell_formats, cell_format = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("numFmt", "cellXfs", "xf"))
    custom: dict[int, str] = {}
    format_ids: list[int] = []
    elements = 0
    open_elements: list = []
    with archive.open(ARC_STYLE) as source:
        for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                open_elements.append(element)
                elements += 1
                if len(open_elements) > MAX_XML_DEPTH or elements > MAX_STYLE_ELEMENTS:
                    raise Unreadable
                continue
            open_elements.pop()
            if len(open_elements) == 2 and element.tag == number_format:
                custom[int(element.get("numFmtId"))] = element.get("formatCode")
            elif len(open_elements) == 2 and element.tag == cell_format and open_elements[1].tag == cell_formats:
                format_ids.append(int(element.get("numFmtId", 0)))
            if len(custom) > MAX_CELL_FORMATS or len(format_ids) > MAX_CELL_FORMATS:
                raise Unreadable
            if open_elements:
                open_elements[-1].remove(element)
    dates, durations = set(), set()
    for index, format_id in enumerate(format_ids):
        code = custom[format_id] if format_id in custom else builtin_format_code(format_id)
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return dates, durations


def _shared_strings(reader) -> list[str]:
    """The workbook's shared strings, as openpyxl's `read_string_table` reads them, but streamed:
    each string is dropped from the tree once read, and more than MAX_CELLS strings (or 3 elements
    a cell's worth on average) stop the file. openpyxl's own reader keeps every <si> in the tree
    and builds an object per string: 5,000,000 one-letter strings (a 208 KB upload) ran for more
    than 300 s and 0.6 GB."""
    from defusedxml.ElementTree import iterparse
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

    part = reader.package.find(SHARED_STRINGS)
    if part is None:
        return []
    string_tag, text_tag = f"{{{SHEET_MAIN_NS}}}si", f"{{{SHEET_MAIN_NS}}}t"
    strings: list[str] = []
    elements = 0
    open_elements: list = []
    with reader.archive.open(part.PartName[1:]) as source:
        for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                open_elements.append(element)
                elements += 1
                if len(open_elements) > MAX_XML_DEPTH:
                    raise Unreadable
                if elements > 3 * MAX_CELLS:
                    raise TooManyCells
                continue
            open_elements.pop()
            if len(open_elements) != 1:
                continue  # the root, or part of a string: read with it
            if element.tag == string_tag:
                if len(element) == 1 and element[0].tag == text_tag:
                    text = element[0].text or ""  # plain text, by far the most common: no object needed
                else:
                    text = Text.from_tree(element).content  # rich text: its runs, without phonetic hints
                strings.append(text.replace("x005F_", ""))
                if len(strings) > MAX_CELLS:
                    raise TooManyCells
            open_elements[0].remove(element)
    return strings


def _xlsx_rows(reader, path: str, sheet_name: str):
    """The sheet's rows, streamed from its XML: at most MAX_COLUMNS cells of a row are turned into
    values, a row with more than MAX_CELLS_PER_ROW cells stops the file (TooWide) as its next cell
    begins, so does a sheet of more than MAX_CELLS cells (TooManyCells) or MAX_ROWS rows, and
    reading ends with the sheet's data.

    Each element is dropped as soon as it is read, so memory holds one cell, whatever the size of
    a row or of the sheet; values come from openpyxl's own cell parser (shared and inline strings,
    numbers, booleans, dates by their number format). A DOCTYPE (the only way to entities) is
    refused, as is XML no spreadsheet writes (elements nested deeper than MAX_XML_DEPTH, more than
    MAX_ELEMENTS_PER_CELL in one cell, more than MAX_OTHER_ELEMENTS outside the rows).
    """
    from defusedxml.ElementTree import iterparse
    from openpyxl.worksheet._reader import CELL_TAG, DATA_TAG, ROW_TAG, WorkSheetParser

    workbook = reader.wb
    with reader.archive.open(path) as source:
        parser = WorkSheetParser(
            source,
            reader.shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        rows = cells = other = cells_in_row = elements_in_cell = 0
        in_data = False
        values: dict[int, object] = {}
        # The elements open at this moment, root first; a cell's children stay until the cell ends.
        open_elements: list = []
        for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                open_elements.append(element)
                depth = len(open_elements)
                if depth > MAX_XML_DEPTH:
                    raise Unreadable
                tag = element.tag
                if depth == 4 and tag == CELL_TAG and in_data:
                    cells_in_row += 1
                    if cells_in_row > MAX_CELLS_PER_ROW:
                        raise TooWide(parser.row_counter, sheet_name)
                    cells += 1
                    if cells > MAX_CELLS:
                        raise TooManyCells
                    elements_in_cell = 0
                elif depth > 4 and in_data:
                    elements_in_cell += 1
                    if elements_in_cell > MAX_ELEMENTS_PER_CELL:
                        raise Unreadable
                elif depth == 3 and tag == ROW_TAG and in_data:
                    values, cells_in_row = {}, 0
                    number = element.get("r")
                    parser.row_counter = int(float(number)) if number else parser.row_counter + 1
                    parser.col_counter = 0
                elif depth == 2 and tag == DATA_TAG:
                    in_data = True
                else:
                    other += 1
                    if other > MAX_OTHER_ELEMENTS:
                        raise Unreadable
                continue
            open_elements.pop()
            depth = len(open_elements) + 1
            if depth > 4 and in_data:
                continue  # part of a cell: read with it
            tag = element.tag
            if depth == 4 and tag == CELL_TAG and in_data:
                if cells_in_row <= MAX_COLUMNS:
                    cell = parser.parse_cell(element)
                    if cell["column"] <= MAX_COLUMNS:
                        values[cell["column"]] = cell["value"]
            elif depth == 3 and tag == ROW_TAG and in_data:
                rows += 1
                if rows > MAX_ROWS + HEADER_SEARCH_ROWS:
                    raise TooManyRows
                open_elements[-1].remove(element)
                width = max(values, default=0)
                yield parser.row_counter, [values.get(column) for column in range(1, width + 1)]
                continue
            elif depth == 2 and tag == DATA_TAG:
                return  # what follows the rows (merged cells, formatting, ...) is not needed
            if open_elements:
                open_elements[-1].remove(element)  # read: it never stays in memory with the rest


def parse_member_list(*, data: bytes, file_name: str, type_choices: dict[str, str] | None = None) -> ParsedMemberList:
    """Check every row of a member list (CSV, TXT or XLSX); never raises for a bad file.

    `type_choices` maps a normalised unknown membership type to one of TYPE_CHOICES
    (a MembershipType value or SKIP).
    """
    name = (file_name or "").lower()
    choices = dict(type_choices or {})
    try:
        if name.endswith(".xlsx"):
            return _read_sheets(_xlsx_sheets(data), choices)
        if name.endswith((".csv", ".txt", ".tsv", ".tab")):
            return _read_sheets(_text_table(data), choices)
    except TooWide as wide:
        return ParsedMemberList(
            errors=[
                _(
                    "Line %(line)s of sheet “%(sheet)s” has more than %(count)s cells. "
                    "Remove the unrelated columns and try again."
                )
                % {"line": wide.line, "sheet": wide.sheet, "count": f"{MAX_CELLS_PER_ROW:,}".replace(",", ".")}
            ]
        )
    except TooManyCells:
        return ParsedMemberList(
            errors=[
                _("The file has more than %(count)s cells. Remove the unrelated columns and try again.")
                % {"count": f"{MAX_CELLS:,}".replace(",", ".")}
            ]
        )
    except TooManyRows:
        return ParsedMemberList(
            errors=[
                _("The file has more than %(count)s rows. Split it, or remove empty and unrelated rows.")
                % {"count": f"{MAX_ROWS:,}".replace(",", ".")}
            ]
        )
    except Exception:  # noqa: BLE001 - a broken upload (zip, encoding, csv) must never become a 500
        return ParsedMemberList(
            errors=[_("The file could not be read. Save it as CSV, Unicode text or XLSX and try again.")]
        )
    return ParsedMemberList(errors=[_("Upload a CSV, text (TXT) or XLSX file.")])


# --- What an import would do -------------------------------------------------------------


def review_reason(*, profile, entry, previously_listed: bool = False) -> str:
    """Why the newest list does not verify this profile, for the coordinator; "" when it does.

    Never shown to the member: she is not told whose number it is (issue 13 §3).
    """
    if entry is None:
        return _("missing from the newest member list") if previously_listed else ""
    if not entry.email:
        return _("her membership number is on the member list without an e-mail address")
    if entry.email != (profile.user.email or "").strip().lower():
        return _("her membership number is on the member list with another e-mail address")
    if entry.membership_type != profile.membership_type:
        return _("on the member list as %(type)s, her profile says %(profile_type)s") % {
            "type": MembershipType(entry.membership_type).label,
            "profile_type": MembershipType(profile.membership_type).label,
        }
    return ""


@dataclass
class MemberListPlan:
    """What importing a checked list changes; computed the same way for the preview and the import."""

    verify: list = field(default_factory=list)
    flag: list = field(default_factory=list)  # (profile, reason): newly flagged for review
    unflag: list = field(default_factory=list)  # flagged before, the reason is gone
    not_verified: list = field(default_factory=list)  # (profile, reason): on the list, waiting, not verified
    type_mismatches: list = field(default_factory=list)  # waiting, on the list as another membership type


def plan_member_list(rows: list[MemberRow], *, previously_listed: set[str], profiles) -> MemberListPlan:
    """Match the list against the profiles: number AND e-mail (trimmed, any case) must match to verify.

    A number that matches with another e-mail is flagged for a coordinator instead (13 §3);
    so is one on the list with another membership type, and one that dropped off the list.
    Rejected members stay as a coordinator left them; a coordinator's own verification is not
    second-guessed by an e-mail address.
    """
    from .models import VerificationStatus

    listed = {row.membership_number: row for row in rows}
    plan = MemberListPlan()
    for profile in profiles:
        key = membership_number_key(profile.membership_number)
        row = listed.get(key)
        reason = review_reason(profile=profile, entry=row, previously_listed=key in previously_listed)
        pending = profile.verification_status == VerificationStatus.PENDING
        automatic = profile.verification_status == VerificationStatus.VERIFIED and profile.verified_by_id is None
        if row is not None and not reason:
            if pending:
                plan.verify.append(profile)
            elif profile.needs_review:
                plan.unflag.append(profile)
            continue
        if not reason:
            continue
        if row is not None and pending:
            plan.not_verified.append((profile, reason))
            if row.membership_type != profile.membership_type:
                plan.type_mismatches.append(profile)
        concerns_her = row is None or pending or automatic
        if concerns_her and not profile.needs_review:
            plan.flag.append((profile, reason))
    return plan
