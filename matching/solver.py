"""The optimal proposal at scale: scores in blocks, a sparse candidate graph, an exact solve on it.

A dense score matrix of 50,000 mentees × 25,000 mentors would need gigabytes, and the
optimum on it is slow. Almost every mentee's best mentor is among her best few, though, so:

1. scores are computed a block of mentees at a time (`scoring.score_rows`, the same arithmetic
   as the whole table), keeping for every mentee her best `K` mentors and for every mentor her
   best `K` mentees (K = CANDIDATES_PER_PERSON = 80: with 60 the 5,000 × 2,500 set reached 99.91 %, with 100 99.96 %);
2. the union of those pairs is the candidate graph (at most (mentees + mentors) × K edges);
3. the graph is solved exactly: each mentor becomes one column per free place, each mentee
   gets one "no mentor" column of her own so a full matching always exists, and
   `scipy.sparse.csgraph.min_weight_full_bipartite_matching` finds the matching that first
   matches as many mentees as possible and then maximises the total score (the same objective
   as the dense `scoring.optimal_assignment`).

Small cycles (at most DENSE_LIMIT pairs) are solved densely, which is exact on every pair.
`bench/matching.py` compares the two on generated cycles: the sparse optimum reaches the dense
one (equal on 1,000 × 500, at least 99.9 % on 5,000 × 2,500).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from . import scoring

CANDIDATES_PER_PERSON = 80
# Cycles with up to this many mentee × mentor pairs are solved on the dense table.
DENSE_LIMIT = 1_000_000
# Mentee rows scored at once: 1,000 × 25,000 mentors is 25 million cells (100 MB as int32).
BLOCK_ROWS = 1000
# The score of a forbidden pair while ranking: below any real score.
FORBIDDEN = np.iinfo(np.int32).min


@dataclass
class CandidateGraph:
    """Allowed (mentee index, mentor index, score) edges worth considering."""

    rows: np.ndarray
    columns: np.ndarray
    scores: np.ndarray


def candidate_graph(
    mentors: list[scoring.Candidate],
    mentees: list[scoring.Candidate],
    *,
    k: int = CANDIDATES_PER_PERSON,
    progress: Callable[[float], None] | None = None,
) -> CandidateGraph:
    """Each mentee's best k mentors plus each mentor's best k mentees, scored a block at a time."""
    n, m = len(mentees), len(mentors)
    prepared = scoring.prepare(mentors, mentees)
    k_row, k_col = min(k, m), min(k, n)
    edge_rows, edge_cols, edge_scores = [], [], []
    # Per mentor: her best mentees so far (scores and mentee indices), merged block by block.
    best_col_scores = np.full((m, k_col), FORBIDDEN, dtype=np.int32)
    best_col_rows = np.full((m, k_col), -1, dtype=np.int64)
    for start in range(0, n, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, n)
        scores, allowed = scoring.score_rows(prepared, start, stop)
        masked = np.where(allowed, scores, FORBIDDEN).astype(np.int32, copy=False)
        # Row side: the best k mentors of each mentee in the block (the k largest, unordered).
        top = np.argpartition(masked, m - k_row, axis=1)[:, m - k_row :]
        block_rows = np.repeat(np.arange(start, stop), k_row)
        top_flat = top.ravel()
        keep = allowed[block_rows - start, top_flat]
        edge_rows.append(block_rows[keep])
        edge_cols.append(top_flat[keep])
        edge_scores.append(scores[block_rows[keep] - start, top_flat[keep]])
        # Column side: merge this block's best k mentees per mentor with the best so far.
        by_mentor = np.ascontiguousarray(masked.T)
        block_k = min(k_col, stop - start)
        col_top = np.argpartition(by_mentor, by_mentor.shape[1] - block_k, axis=1)[:, by_mentor.shape[1] - block_k :]
        col_scores = np.take_along_axis(by_mentor, col_top, axis=1)
        merged_scores = np.concatenate([best_col_scores, col_scores], axis=1)
        merged_rows = np.concatenate([best_col_rows, col_top + start], axis=1)
        order = np.argpartition(merged_scores, merged_scores.shape[1] - k_col, axis=1)[
            :, merged_scores.shape[1] - k_col :
        ]
        best_col_scores = np.take_along_axis(merged_scores, order, axis=1)
        best_col_rows = np.take_along_axis(merged_rows, order, axis=1)
        if progress:
            progress(stop / n)
    valid = (best_col_rows >= 0) & (best_col_scores > FORBIDDEN)
    col_index = np.broadcast_to(np.arange(m)[:, None], best_col_rows.shape)
    edge_rows.append(best_col_rows[valid])
    edge_cols.append(col_index[valid])
    edge_scores.append(best_col_scores[valid])
    rows = np.concatenate(edge_rows) if edge_rows else np.zeros(0, dtype=np.int64)
    columns = np.concatenate(edge_cols) if edge_cols else np.zeros(0, dtype=np.int64)
    values = np.concatenate(edge_scores) if edge_scores else np.zeros(0, dtype=np.int64)
    # The two sides overlap: keep each pair once.
    keys = rows.astype(np.int64) * max(m, 1) + columns
    _unique, first = np.unique(keys, return_index=True)
    return CandidateGraph(rows=rows[first], columns=columns[first], scores=values[first].astype(np.int64))


def solve_graph(graph: CandidateGraph, free_places: list[int], mentee_count: int) -> list[tuple[int, int]]:
    """The exact optimum on the candidate graph: (mentee index, mentor index) pairs."""
    free = np.maximum(np.asarray(free_places, dtype=np.int64), 0)
    has_place = free[graph.columns] > 0 if len(graph.columns) else np.zeros(0, dtype=bool)
    rows, columns, scores = graph.rows[has_place], graph.columns[has_place], graph.scores[has_place]
    if not mentee_count or not len(rows):
        return []
    # Mentor j's free places are columns first_slot[j] .. first_slot[j] + free[j] - 1.
    first_slot = np.concatenate([[0], np.cumsum(free)[:-1]])
    slots = int(free.sum())
    edge_places = free[columns]
    slot_rows = np.repeat(rows, edge_places)
    slot_offsets = np.arange(int(edge_places.sum())) - np.repeat(np.cumsum(edge_places) - edge_places, edge_places)
    slot_columns = np.repeat(first_slot[columns], edge_places) + slot_offsets
    slot_scores = np.repeat(scores, edge_places)
    # Costs to minimise, all positive (a zero would read as "no edge"): a real pair costs
    # ceiling - (bonus + score), her own "no mentor" column costs the ceiling.
    ceiling = scoring.ASSIGNMENT_BONUS + int(max(slot_scores.max(), 0)) + 1
    real_costs = ceiling - (scoring.ASSIGNMENT_BONUS + slot_scores)
    mentee_index = np.arange(mentee_count)
    matrix = csr_matrix(
        (
            np.concatenate([real_costs, np.full(mentee_count, ceiling)]).astype(np.float64),
            (np.concatenate([slot_rows, mentee_index]), np.concatenate([slot_columns, slots + mentee_index])),
        ),
        shape=(mentee_count, slots + mentee_count),
    )
    matched_rows, matched_columns = min_weight_full_bipartite_matching(matrix)
    slot_owner = np.repeat(np.arange(len(free)), free)
    return sorted(
        (int(row), int(slot_owner[column]))
        for row, column in zip(matched_rows, matched_columns, strict=True)
        if column < slots
    )


@dataclass
class Proposal:
    pairs: list[tuple[int, int]]  # (mentee index, mentor index)
    total_score: int
    method: str  # "dense" or "sparse"
    edges: int


def propose(
    mentors: list[scoring.Candidate],
    mentees: list[scoring.Candidate],
    *,
    k: int = CANDIDATES_PER_PERSON,
    dense_limit: int = DENSE_LIMIT,
    progress: Callable[[float], None] | None = None,
) -> Proposal:
    """The optimal proposal: dense for a small cycle, sparse and exact on the candidate graph otherwise."""
    if len(mentees) * len(mentors) <= dense_limit:
        table = scoring.score_table(mentors, mentees)
        pairs = scoring.optimal_assignment(table)
        if progress:
            progress(1.0)
        return Proposal(pairs, scoring.total_score(table, pairs), "dense", int(table.allowed.sum()))
    graph = candidate_graph(mentors, mentees, k=k, progress=progress)
    pairs = solve_graph(graph, [c.free_places for c in mentors], len(mentees))
    score_of = dict(
        zip(zip(graph.rows.tolist(), graph.columns.tolist(), strict=True), graph.scores.tolist(), strict=True)
    )
    total = sum(score_of[pair] for pair in pairs)
    return Proposal(pairs, int(total), "sparse", len(graph.rows))
