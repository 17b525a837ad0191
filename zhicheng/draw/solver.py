"""Thin helpers around HiGHS (highspy): the composition MILP and incremental LPs.

The MILP over type counts is built once and re-solved with new objectives, which is what
column generation needs; highspy keeps the model between runs.
"""

from __future__ import annotations

import numpy as np
import highspy

from .structure import Constraint, Structure

INF = highspy.kHighsInf


def quiet_highs() -> highspy.Highs:
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("random_seed", 0)
    highs.setOptionValue("threads", 1)
    return highs


class CompositionMilp:
    """max weights·c over integer compositions c satisfying the given constraints."""

    def __init__(self, structure: Structure, constraints: list[Constraint] | None = None, integer: bool = True):
        rows = structure.constraints if constraints is None else constraints
        sizes = structure.sizes.astype(float)
        self.num_types = len(sizes)
        matrix = structure.matrix(rows).tocsc()
        lp = highspy.HighsLp()
        lp.num_col_ = self.num_types
        lp.num_row_ = len(rows)
        lp.col_cost_ = np.zeros(self.num_types)
        lp.col_lower_ = np.zeros(self.num_types)
        lp.col_upper_ = sizes
        lp.row_lower_ = np.array([float(c.low) for c in rows])
        lp.row_upper_ = np.array([float(c.high) for c in rows])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data.astype(float)
        lp.sense_ = highspy.ObjSense.kMaximize
        if integer:
            lp.integrality_ = [highspy.HighsVarType.kInteger] * self.num_types
        self.highs = quiet_highs()
        self.highs.setOptionValue("mip_rel_gap", 1e-9)
        self.highs.setOptionValue("mip_abs_gap", 1e-12)
        if structure.weighted:
            # Rational weights: feasibility to the default 1e-6 would let loads just past a
            # cap through, which the exact check then refuses.
            self.highs.setOptionValue("mip_feasibility_tolerance", 1e-9)
            self.highs.setOptionValue("primal_feasibility_tolerance", 1e-9)
        self.highs.passModel(lp)
        self.indices = np.arange(self.num_types, dtype=np.int32)

    def solve(self, weights: np.ndarray | None = None) -> np.ndarray | None:
        """An optimal composition (integer counts), or None when none is feasible."""
        costs = np.zeros(self.num_types) if weights is None else np.asarray(weights, dtype=float)
        self.highs.changeColsCost(self.num_types, self.indices, costs)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS: {self.highs.modelStatusToString(status)}")
        return np.rint(np.array(self.highs.getSolution().col_value)).astype(np.int64)


def is_feasible(structure: Structure, constraints: list[Constraint]) -> bool:
    """Whether some integer composition satisfies these constraints (LP first: cheap refutation)."""
    if CompositionMilp(structure, constraints, integer=False).solve() is None:
        return False
    return CompositionMilp(structure, constraints).solve() is not None
