"""The model container: configuration + float time-domain weights, saved as one ``.npz``.

Training fills it (``python -m train export``); the golden runner and the RTL memory-file
writers read it.  Loading validates every field and fails with a ValueError naming it.

Parameter names (``l{layer}.d{direction}.`` prefix; direction 1 runs in reverse time):

* LSTM: ``w_x`` (4H/k, ceil(n_in/k), k), ``w_r`` (4H/k, ceil(R/k), k) with R = P or H,
  ``b`` (4H,) gate order i, f, g, o; ``p_i``, ``p_f``, ``p_o`` (H,) with peepholes;
  ``w_p`` (P/k_proj, H/k_proj, k_proj) with a projection.
* GRU (reset-after): ``w_x`` (3H/k, ceil(n_in/k), k), ``w_h`` (3H/k, H/k, k), ``b_x``, ``b_h``
  (3H,), gate order r, z, n.
* Classifier (host side, float): ``cls.w`` (C, out_dim * dirs), ``cls.b`` (C,).

Circulant weights are FIRST-COLUMN time-domain vectors (``scipy.linalg.circulant(w_ij)``).
"""
from __future__ import annotations


import json
import os
import zipfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from .atomic import atomic_write
from .circulant import n_blocks
from .fft import check_k
from .formats import Formats

FORMAT_VERSION = 1
CELLS = ("lstm", "gru")


GATES = {"lstm": 4, "gru": 3}
"""Gate matrices per cell: LSTM i, f, g, o; GRU r, z, n.  The one place this count is written."""


@dataclass
class ModelConfig:
    """Architecture of a (possibly bidirectional, multi-layer) block-circulant LSTM/GRU."""

    cell: str = "lstm"
    input_size: int = 16
    hidden_size: int = 64
    num_layers: int = 1
    proj_size: int = 0
    peephole: bool = False
    k: int = 8
    k_proj: int = 0            # 0: same as k
    bidirectional: bool = False
    num_classes: int = 0
    name: str = "model"
    formats: Formats = field(default_factory=Formats)

    def __post_init__(self) -> None:
        if isinstance(self.formats, dict):
            self.formats = Formats.from_dict(self.formats)
        self.validate()

    # ---- derived sizes ----
    @property
    def kp(self) -> int:
        return self.k_proj or self.k

    @property
    def dirs(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def out_size(self) -> int:
        """Per-direction output size of a layer."""
        return self.proj_size or self.hidden_size

    @property
    def gates(self) -> int:
        return GATES[self.cell]

    def layer_input(self, layer: int) -> int:
        return self.input_size if layer == 0 else self.out_size * self.dirs

    def validate(self) -> None:
        def bad(fieldname: str, msg: str):
            raise ValueError(f"model config '{fieldname}': {msg}")

        if self.cell not in CELLS:
            bad("cell", f"{self.cell!r} is not one of {CELLS}")
        for name in ("input_size", "hidden_size", "num_layers"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or v < 1:
                bad(name, f"must be a positive integer, got {v!r}")
        if not isinstance(self.proj_size, (int, np.integer)) or self.proj_size < 0:
            bad("proj_size", f"must be >= 0, got {self.proj_size!r}")
        if self.num_classes < 0:
            bad("num_classes", f"must be >= 0, got {self.num_classes!r}")
        for name in ("k", "kp"):
            try:
                check_k(getattr(self, name))
            except ValueError as e:
                bad("k" if name == "k" else "k_proj", str(e))
        if self.cell == "gru" and (self.proj_size or self.peephole):
            bad("cell", "projection and peepholes are LSTM options; set proj_size=0, peephole=False for GRU")
        if self.hidden_size % self.k:
            bad("hidden_size", f"{self.hidden_size} must be a multiple of k={self.k}")
        if self.proj_size:
            if self.proj_size % self.kp or self.hidden_size % self.kp:
                bad("proj_size", f"proj_size={self.proj_size} and hidden_size={self.hidden_size} "
                    f"must be multiples of k_proj={self.kp}")
        if not isinstance(self.formats, Formats):
            bad("formats", "must be a golden.formats.Formats")

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every parameter's name and shape."""
        H, k, kp, G = self.hidden_size, self.k, self.kp, self.gates
        shapes: dict[str, tuple[int, ...]] = {}
        for l in range(self.num_layers):
            n_in = self.layer_input(l)
            for d in range(self.dirs):
                pre = f"l{l}.d{d}."
                shapes[pre + "w_x"] = (G * H // k, n_blocks(n_in, k), k)
                if self.cell == "lstm":
                    shapes[pre + "w_r"] = (G * H // k, n_blocks(self.out_size, k), k)
                    shapes[pre + "b"] = (G * H,)
                    if self.peephole:
                        for g in ("p_i", "p_f", "p_o"):
                            shapes[pre + g] = (H,)
                    if self.proj_size:
                        shapes[pre + "w_p"] = (self.proj_size // kp, H // kp, kp)
                else:
                    shapes[pre + "w_h"] = (G * H // k, H // k, k)
                    shapes[pre + "b_x"] = (G * H,)
                    shapes[pre + "b_h"] = (G * H,)
        if self.num_classes:
            shapes["cls.w"] = (self.num_classes, self.out_size * self.dirs)
            shapes["cls.b"] = (self.num_classes,)
        return shapes

    def n_params(self) -> int:
        return int(sum(np.prod(s) for s in self.param_shapes().values()))

    def dense_equivalent_params(self) -> int:
        """Parameters of the same architecture with dense matrices (for compression ratios)."""
        total = 0
        for name, s in self.param_shapes().items():
            total += s[0] * s[1] * s[2] * s[2] if len(s) == 3 else int(np.prod(s))
        return int(total)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["formats"] = self.formats.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"model config: unknown field(s) {sorted(unknown)}")
        d = dict(d)
        if "formats" in d:
            d["formats"] = Formats.from_dict(d["formats"])
        return cls(**d)


class Model:
    """Config + float64 parameters.  ``Model.random`` makes an untrained model for tests/demos."""

    def __init__(self, config: ModelConfig, params: dict[str, np.ndarray]):
        self.config = config
        self.params = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
        self.validate()

    def validate(self) -> None:
        shapes = self.config.param_shapes()
        missing = sorted(set(shapes) - set(self.params))
        extra = sorted(set(self.params) - set(shapes))
        if missing:
            raise ValueError(f"model parameters missing: {missing}")
        if extra:
            raise ValueError(f"unexpected model parameters (not in the config): {extra}")
        for name, shape in shapes.items():
            a = self.params[name]
            if a.shape != shape:
                raise ValueError(f"parameter '{name}': shape {a.shape} does not match the config, "
                                 f"expected {shape}")
            if not np.isfinite(a).all():
                raise ValueError(f"parameter '{name}' contains NaN or Inf")

    @classmethod
    def random(cls, config: ModelConfig, seed: int = 0, scale: float | None = None,
               gain: float = 1.0) -> "Model":
        """Random block-circulant model: circulant vectors uniform in +-gain/sqrt(fan_in)
        (or +-scale), so gate pre-activations stay in a sensible range."""
        rng = np.random.default_rng(seed)
        params = {}
        for name, shape in config.param_shapes().items():
            if len(shape) == 3:
                fan_in = shape[1] * shape[2]
                s = scale if scale is not None else gain / np.sqrt(fan_in)
                params[name] = rng.uniform(-s, s, size=shape)
            elif name.split(".")[-1].startswith("p_"):
                params[name] = rng.uniform(-0.5, 0.5, size=shape)
            elif name == "cls.w":
                params[name] = rng.normal(0, 1.0 / np.sqrt(shape[1]), size=shape)
            else:
                params[name] = rng.uniform(-0.1, 0.1, size=shape)
        return cls(config, params)

    # ---- persistence ----
    def save(self, path: "str | os.PathLike") -> Path:
        """Write ``path`` (.npz) atomically: config JSON + every parameter."""
        path = Path(path)
        meta = {"format_version": FORMAT_VERSION, "config": self.config.to_dict()}
        with atomic_write(path, "wb") as f:
            np.savez(f, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
                     **self.params)
        return path

    @classmethod
    def load(cls, path: "str | os.PathLike") -> "Model":
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"model file not found: {path}")
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise ValueError(f"{path}: not a readable model file ({e})") from None
        if "__meta__" not in arrays:
            raise ValueError(f"{path}: field '__meta__' (config) is missing; not a model file")
        try:
            meta = json.loads(arrays.pop("__meta__").tobytes().decode())
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"{path}: field '__meta__' is corrupt ({e})") from None
        ver = meta.get("format_version")
        if ver != FORMAT_VERSION:
            raise ValueError(f"{path}: field 'format_version' is {ver!r}; this golden model reads {FORMAT_VERSION}")
        if "config" not in meta:
            raise ValueError(f"{path}: field 'config' is missing")
        try:
            config = ModelConfig.from_dict(meta["config"])
        except TypeError as e:
            raise ValueError(f"{path}: field 'config' is invalid ({e})") from None
        return cls(config, arrays)

    def summary(self) -> str:
        c = self.config
        n, nd = c.n_params(), c.dense_equivalent_params()
        return (f"{c.name}: {c.num_layers}x{'bi' if c.bidirectional else ''}{c.cell.upper()} "
                f"in={c.input_size} H={c.hidden_size} P={c.proj_size} peephole={c.peephole} "
                f"k={c.k} k_proj={c.kp} classes={c.num_classes}; {n:,} params "
                f"({nd / n:.1f}x fewer than dense {nd:,})")


