"""Never one person (issue 27 §3): the one function that decides whether a figure may be shown."""

import itertools
import random

import numpy

from coordination.suppression import Disclosure

K = 5


def _isolating_subtractions(disclosure: Disclosure, decisions: dict[str, bool]) -> int:
    """How many sets of people obtainable by adding and subtracting shown figures (coefficients -1, 0, 1)
    hold between 1 and k - 1 people."""
    shown = [f for key, f in disclosure.figures.items() if decisions[key]]
    if not shown:
        return 0
    atoms = list(disclosure.atoms)
    vectors = numpy.array([[1 if atom in figure.atoms else 0 for atom in atoms] for figure in shown])
    coefficients = numpy.array(list(itertools.product((-1, 0, 1), repeat=len(shown))))
    combined = coefficients @ vectors  # one row per combination: how often each atom is counted
    is_a_set = numpy.all((combined == 0) | (combined == 1), axis=1)
    sizes = combined @ numpy.array([disclosure.atoms[atom] for atom in atoms])
    return int(numpy.sum(is_a_set & (sizes > 0) & (sizes < K)))


def _random_two_cycles(rng: random.Random) -> Disclosure:
    """Two cycles side by side: a cumulative funnel (registered ⊇ verified, growing across years) and,
    per cycle, pairs split into renewed / not renewed and ended early by category."""
    d = Disclosure(minimum=K)
    size = lambda: rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12])  # noqa: E731
    # verified last year, registered last year but not verified, verified since among last year's
    # registrations, registered since and verified, registered since not verified.
    for atom in ("vp", "rp_only", "verified_later", "new_verified", "new_unverified"):
        d.atom(atom, size())
    d.count("registered_prev", ["vp", "rp_only", "verified_later"], published_before=True)
    d.count("verified_prev", ["vp"], published_before=True)
    d.count("registered", ["vp", "rp_only", "verified_later", "new_verified", "new_unverified"])
    d.count("verified", ["vp", "verified_later", "new_verified"])
    for cycle in ("prev", "cur"):
        for atom in ("renewed", "completed", "ended_a", "ended_b"):
            d.atom(f"{cycle}_{atom}", size())
        d.count(f"{cycle}_pairs", [f"{cycle}_{a}" for a in ("renewed", "completed", "ended_a", "ended_b")])
        d.count(f"{cycle}_renewed", [f"{cycle}_renewed"])
        d.count(f"{cycle}_ended", [f"{cycle}_ended_a", f"{cycle}_ended_b"])
        d.count(f"{cycle}_ended_a", [f"{cycle}_ended_a"])
        d.derive(f"{cycle}_renewal_rate", of=[f"{cycle}_renewed", f"{cycle}_pairs"])
    return d


def test_a_count_below_k_is_too_few():
    d = Disclosure(minimum=K)
    d.single("renewed", 4)
    d.single("early", 1)
    d.single("zero", 0)
    d.single("many", 5)

    assert d.decide() == {"renewed": False, "early": False, "zero": False, "many": True}


def test_a_part_whose_complement_in_the_total_is_below_k_is_suppressed():
    d = Disclosure(minimum=K)
    d.atom("renewed", 4)
    d.atom("not_renewed", 8)
    d.count("pairs", ["renewed", "not_renewed"])
    d.count("renewed", ["renewed"])
    d.count("not_renewed", ["not_renewed"])
    d.derive("renewal_rate", of=["renewed", "pairs"])

    decisions = d.decide()

    assert decisions["renewed"] is False
    assert decisions["renewal_rate"] is False
    # 12 − 8 would be the 4: one of the two goes too, and the total (more telling) stays.
    assert decisions == {"pairs": True, "renewed": False, "not_renewed": False, "renewal_rate": False}


def test_this_year_against_last_year_isolates_nobody():
    d = Disclosure(minimum=K)
    d.atom("before", 40)
    d.atom("since", 3)
    d.count("registered_prev", ["before"], published_before=True)
    d.count("registered", ["before", "since"])

    # Last year's figure is out already: this year's goes.
    assert d.decide() == {"registered_prev": True, "registered": False}


def test_a_median_needs_k_people():
    d = Disclosure(minimum=K)
    d.single("matched", 6)
    d.derive("median_days", of=["matched"], population=4)

    assert d.decide()["median_days"] is False


def test_property_no_subtraction_of_shown_figures_isolates_fewer_than_k():
    published = 0
    for seed in range(150):
        rng = random.Random(seed)
        disclosure = _random_two_cycles(rng)
        decisions = disclosure.decide()
        # Small figures never shown, and nothing isolating derivable from what is shown.
        assert all(figure.count >= K for key, figure in disclosure.figures.items() if decisions[key]), seed
        assert _isolating_subtractions(disclosure, decisions) == 0, seed
        published += sum(decisions.values())
    assert published > 150  # not by hiding everything
