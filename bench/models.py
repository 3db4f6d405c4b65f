"""Model shapes the benchmarks share (golden ``ModelConfig`` keyword arguments, without k).

The reference models are docs/design.md's (section 2), unidirectional: the engine runs one direction
(``golden.engine_layout.check_model_fits``), so a bidirectional model needs two engines or two
passes.  ``gru-1024`` is train/config.py's preset of that name without ``bidirectional``.
"""
from __future__ import annotations

from golden.model import GATES

LSTMP_1024 = dict(cell="lstm", input_size=153, hidden_size=1024, num_layers=2, proj_size=512,
                  peephole=True)
GRU_1024 = dict(cell="gru", input_size=153, hidden_size=1024, num_layers=2, proj_size=0,
                peephole=False)
REFERENCE = {"lstmp-1024": LSTMP_1024, "gru-1024": GRU_1024}
# The step-latency shape: a 512x512 LSTM (one layer, no peepholes or projection), the model of
# the TVLSI 2017 circulant-LSTM ASIC (1.71 us per step at k = 8).
LSTM_512 = dict(cell="lstm", input_size=512, hidden_size=512, num_layers=1, proj_size=0,
                peephole=False)
LATENCY = {"lstm-512": LSTM_512}
CELL_MODEL = {"lstm": "lstmp-1024", "gru": "gru-1024"}    # reference model of each cell type

# Tiny engines for quick runs (the shapes of the engine's own tests).
TINY_LSTMP = dict(cell="lstm", input_size=16, hidden_size=32, num_layers=2, proj_size=16,
                  peephole=True, k=4)
TINY_GRU = dict(cell="gru", input_size=16, hidden_size=16, num_layers=2, proj_size=0,
                peephole=False, k=4)
TINY = {"tiny-lstmp": TINY_LSTMP, "tiny-gru": TINY_GRU}


def passes_per_frame(cell: str, num_layers: int, proj_size: int) -> int:
    """Engine passes per frame: per layer a gate pass, plus a projection pass (LSTMP)."""
    return num_layers * (1 + int(cell == "lstm" and proj_size > 0))


def dense_macs_per_frame(cell: str, input_size: int, hidden_size: int, num_layers: int,
                         proj_size: int, **_) -> int:
    """Real MACs per frame of the same model with dense matrices (input, recurrent and
    projection matrices; peepholes, biases and element-wise work not counted)."""
    gates = GATES[cell]
    rec = proj_size or hidden_size
    total, d_in = 0, input_size
    for _ in range(num_layers):
        total += gates * hidden_size * (d_in + rec)
        if cell == "lstm" and proj_size:
            total += proj_size * hidden_size
        d_in = rec
    return total
