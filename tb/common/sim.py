"""pytest side of the RTL simulations: parametrization over the selected simulators and the
mutant checks; building and running live in the ``rtlsim`` package (re-exported here)."""
from __future__ import annotations

import pytest

from rtlsim import (ALL_SIMS, PRIMS, ROOT, RTL, read_filelist, run_cocotb,  # noqa: F401
                    selected_sims, sim_build_dir, tag)


def sim_cases(icarus_sets: list[dict], verilator_sets: list[dict]) -> list:
    """pytest.param list (sim, params) over the selected simulators, with readable ids."""
    out = []
    for sim, sets in (("icarus", icarus_sets), ("verilator", verilator_sets)):
        if sim not in selected_sims():
            continue
        for p in sets:
            out.append(pytest.param(sim, p, id=f"{sim}-{tag(p)}"))
    return out


def mutant_sim(prefer: str) -> str:
    """The simulator a mutant test builds on: ``prefer`` when it is selected, else the other."""
    other = ALL_SIMS[1 - ALL_SIMS.index(prefer)]
    return prefer if prefer in selected_sims() else other


def assert_mutant_fails(mutant: str, n_tests: int, n_fail: int, what: str) -> None:
    """A mutant run must have run its one cocotb test, and that test must have failed: a test
    a broken design passes proves nothing."""
    assert n_tests == 1, f"expected the one cocotb test of {what} to run, ran {n_tests}"
    assert n_fail == 1, f"mutant {mutant!r} passed {what}: the test cannot see it"
