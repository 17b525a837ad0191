"""Dependent rounding on the type × employer graph, in exact fractions.

Gandhi, Khuller, Parthasarathy and Srinivasan, "Dependent rounding and its applications to
approximation algorithms" (JACM 53(3), 2006), for a bipartite graph whose edges carry
values in [0, 1]: each step moves the values along a cycle or a maximal path of fractional
edges, alternately up and down, by an amount chosen at random so that every edge keeps its
expected value, until every edge is 0 or 1. A vertex inside the cycle or path keeps its sum;
an end of a maximal path has a single fractional edge, so every vertex ends at the floor or
the ceiling of its starting sum.

Here the left vertices are the types drawn (count c_t > 0), the right vertices the capped
employers, plus one vertex per type for its members at other employers. The value on the
edge of cell (t, e) is the fractional part of y_te = c_t·n_te/n_t. Type sums are whole
numbers (c_t), so every type receives exactly c_t members; employer e receives ⌊L_e⌋ or
⌈L_e⌉, never more than its cap when L_e ≤ cap_e. Everything is a Fraction and every random
choice an integer from the seeded stream, so an auditor redoes it bit for bit:

1. edges are numbered by type, then by cell (capped employers by id, the rest last);
2. each step starts from the lowest-numbered fractional edge and walks from its type: at
   each vertex it leaves by the lowest-numbered fractional edge other than the one it came
   by; it stops on returning to a vertex already on the walk (the cycle from there on is
   used) or at a vertex with no other fractional edge; in that case it walks again from
   that end, the same way, and uses the cycle it meets or the whole maximal path;
3. the edges of the cycle or path, in walk order, alternate: the odd ones form M1, the even
   ones M2; α = min(1 − x on M1, x on M2), β = min(x on M1, 1 − x on M2); with probability
   β/(α + β) — an integer below its reduced denominator, less than its numerator, label
   `rounding` — M1 rises by α and M2 falls by α, otherwise M1 falls by β and M2 rises by β.
"""

from __future__ import annotations

from fractions import Fraction

from .randomness import Stream
from .structure import Structure


def round_cells(structure: Structure, counts, stream: Stream) -> list[list[int]]:
    """How many members each cell of each type receives, per type in cell order."""
    taken: list[list[int]] = [[0] * len(cells) for cells in structure.cells]
    ends: list[tuple[tuple, tuple]] = []  # per edge: (type vertex, other vertex)
    where: list[tuple[int, int]] = []  # per edge: (type, cell)
    value: list[Fraction] = []
    for t, (count, cells) in enumerate(zip(counts, structure.cells)):
        if not count:
            continue
        size = structure.types[t].size
        for j, cell in enumerate(cells):
            share = Fraction(count * len(cell.members), size)
            taken[t][j] = share.numerator // share.denominator
            if share.denominator > 1:
                other = ("employer", cell.employer) if cell.employer is not None else ("rest", t)
                ends.append((("type", t), other))
                where.append((t, j))
                value.append(share - taken[t][j])
    incident: dict[tuple, list[int]] = {}
    for edge, (left, right) in enumerate(ends):
        incident.setdefault(left, []).append(edge)
        incident.setdefault(right, []).append(edge)

    def other_end(edge: int, vertex: tuple) -> tuple:
        left, right = ends[edge]
        return right if vertex == left else left

    def walk(vertex: tuple, edge: int) -> tuple[list[int], bool, tuple]:
        """(edges, closed, last vertex) from `vertex` leaving by `edge`."""
        seen = {vertex: 0}
        path = []
        while True:
            path.append(edge)
            vertex = other_end(edge, vertex)
            if vertex in seen:
                return path[seen[vertex]:], True, vertex
            seen[vertex] = len(path)
            onward = next((e for e in incident[vertex] if e != edge), None)
            if onward is None:
                return path, False, vertex
            edge = onward

    first = 0
    while True:
        while first < len(value) and value[first] in (0, 1):
            first += 1
        if first == len(value):
            break
        path, closed, end = walk(ends[first][0], first)
        if not closed:
            path, closed, _ = walk(end, path[-1])
        rising, falling = path[0::2], path[1::2]
        alpha = min([1 - value[e] for e in rising] + [value[e] for e in falling])
        beta = min([value[e] for e in rising] + [1 - value[e] for e in falling])
        chance = beta / (alpha + beta)
        step = alpha if stream.below(chance.denominator) < chance.numerator else -beta
        for edges, sign in ((rising, 1), (falling, -1)):
            for e in edges:
                value[e] += sign * step
                if value[e] in (0, 1):
                    for vertex in ends[e]:
                        incident[vertex].remove(e)
    for (t, j), final in zip(where, value):
        taken[t][j] += int(final)
    return taken
