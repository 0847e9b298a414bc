"""Never one person: the one function that decides whether a figure may be shown (issue 27 §3).

Every figure on the cockpit's charts, in the year report, its PDF and its CSV goes through
`disclose`. A figure counts people (a pair counts as one: its mentee); a rate, a median or a
share is *derived* from such counts and is shown only when every count it rests on is shown.

The rule, with k = ``evaluations.selectors.min_group_size()`` (EVALUATION_MIN_GROUP_SIZE, 5):

1. **Minimum**: a count below k (zero included) is not shown: "te weinig".
2. **Complement and differencing**: no subtraction between shown figures may isolate between 1 and
   k − 1 people. The report describes each count as a set of disjoint *atoms* (people who
   registered but did not verify, mentees who applied and were matched, …; for two cycles side
   by side, the members who registered before the previous cycle and those who registered since:
   overlapping populations share atoms). Atoms that belong to exactly the same shown figures form a
   *cell*; every number anyone can work out by adding and subtracting shown figures (a total minus
   its parts, this year minus last year, a funnel step minus the next) is a sum of whole cells.
   So the rule is: **every non-empty cell holds at least k people.** While a cell holds 1 to k − 1
   people, one more figure is suppressed: of the figures that contain the cell or separate it from
   a neighbouring cell, the one with the fewest people, preferring figures of the current cycle
   (the previous cycle's figures were published in last year's report already), then the
   figures of the same cycle. Each round suppresses one figure, so it ends.

   Example: a total of 12 pairs and 4 renewed: "renewed" fails the minimum; "not renewed" (8)
   would give it away as 12 − 8, so the smaller of the total and that part is suppressed too.

For a family of figures where any two are nested or disjoint (a funnel, a total with its parts)
the cells are exactly the remainders "figure minus its largest shown sub-figures", and the rule is
both necessary and sufficient; for other families it is sufficient (it may suppress more than
strictly needed). The property test in coordination/tests/test_suppression.py checks it against
every subtraction of shown figures over random small cycles.

The guarantee against last year's report holds as far as last year's figures are still the same
when computed now: figures are defined per cycle from that cycle's own data and dates.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from evaluations import selectors as evaluation_selectors

TOO_FEW = _("too few")


def k() -> int:
    """The smallest group a figure may rest on: the evaluations' threshold, written once there."""
    return evaluation_selectors.min_group_size()


@dataclass
class Figure:
    key: str
    atoms: frozenset
    count: int
    # Already published elsewhere (last year's report): suppressed only when nothing else helps.
    published_before: bool = False


@dataclass
class Disclosure:
    """The figures of one report (or chart) and the atoms they are made of.

    Add atoms with their sizes, then counts as sets of atoms, then derived figures (rates,
    medians) by the counts they rest on; `decide()` answers, per key, whether it may be shown.
    """

    minimum: int = field(default_factory=k)
    atoms: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    derived: dict = field(default_factory=dict)

    def atom(self, name, size: int) -> None:
        self.atoms[name] = max(0, int(size))

    def count(self, key: str, atoms: Iterable, *, published_before: bool = False) -> None:
        atoms = frozenset(atoms)
        unknown = atoms - self.atoms.keys()
        if unknown:
            raise ValueError(f"unknown atoms {sorted(map(str, unknown))} in figure {key}")
        size = sum(self.atoms[atom] for atom in atoms)
        self.figures[key] = Figure(key, atoms, size, published_before)

    def single(self, key: str, size: int, *, published_before: bool = False) -> None:
        """A count that shares no people with any other figure of the report."""
        self.atom(("single", key), size)
        self.count(key, [("single", key)], published_before=published_before)

    def derive(self, key: str, *, of: Iterable[str], population: int | None = None) -> None:
        """A figure computed from counts (a rate from its two counts, a median from its population)."""
        self.derived[key] = (tuple(of), population)

    def decide(self) -> dict[str, bool]:
        return disclose(self)


def _cells(shown: list[Figure], atoms: dict) -> dict[frozenset, int]:
    """Atoms grouped by the shown figures they belong to (membership -> people)."""
    cells: dict[frozenset, int] = {}
    for atom, size in atoms.items():
        membership = frozenset(figure.key for figure in shown if atom in figure.atoms)
        if membership:
            cells[membership] = cells.get(membership, 0) + size
    return cells


def disclose(disclosure: Disclosure) -> dict[str, bool]:
    """The one decision: key -> may this figure be shown (see the module docstring for the rule)."""
    minimum = disclosure.minimum
    figures = disclosure.figures
    shown = {key for key, figure in figures.items() if figure.count >= minimum}
    while True:
        visible = [figures[key] for key in sorted(shown)]
        cells = _cells(visible, disclosure.atoms)
        small = next(
            ((membership, size) for membership, size in sorted(cells.items(), key=_cell_order) if 0 < size < minimum),
            None,
        )
        if small is None:
            break
        membership, _size = small
        # Figures that contain the cell, and those that separate it from a neighbour (a cell whose
        # membership differs by one figure): suppressing any of them merges the cell with another.
        candidates = set(membership)
        for other in cells:
            difference = other ^ membership
            if len(difference) == 1 and cells[other] > 0:
                candidates |= difference
        victim = min(
            candidates, key=lambda key: (figures[key].published_before, figures[key].count, key not in membership, key)
        )
        shown.discard(victim)
    decisions = {key: key in shown for key in figures}
    for key, (of, population) in disclosure.derived.items():
        decisions[key] = all(decisions.get(part, False) for part in of) and (
            population is None or population >= minimum
        )
    return decisions


def _cell_order(item):
    membership, size = item
    return (size, sorted(membership))


def shown_or_too_few(value, shown: bool):
    """What a page, CSV or PDF prints: the value, or "te weinig"."""
    return value if shown else TOO_FEW
