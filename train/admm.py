"""ADMM towards block-circulant weights (E-RNN / ADMM-NN), docs/design.md section 3.

Problem: min f(W) s.t. every k x k block of every weight matrix is circulant (set S).
    W-step: SGD on f(W) + rho/2 ||W - Z + U||^2   (`AdmmState.penalty`)
    Z-step: Z = Proj_S(W + U)                      (diagonal averaging, `project_dense`)
    U-step: U = U + W - Z;  rho = rho * growth     (`AdmmState.round`)
Then `hard_project` copies a dense model into its circulant form (W -> Proj_S(W)).
"""
from __future__ import annotations

import logging
import math

import torch

from .circulant import dense_from_vectors, project_dense
from .config import ModelSpec
from .models import SpeechRNN

log = logging.getLogger(__name__)


def target_ks(spec: ModelSpec) -> dict[str, int]:
    """Block size each matrix gets in the circulant model: 'w_p' -> k_proj, others k."""
    return {"w_p": spec.kp, "w_x": spec.k, "w_r": spec.k, "w_h": spec.k}


def projection(W: torch.Tensor, k: int) -> torch.Tensor:
    """Proj_S(W) as a dense matrix."""
    return dense_from_vectors(project_dense(W, k), *W.shape)


class AdmmState:
    """Z and U per weight matrix of a dense model, and the penalty weight rho."""

    def __init__(self, model: SpeechRNN, target: ModelSpec, rho: float):
        ks = target_ks(target)
        self.ks = {name: ks[name.rsplit(".", 1)[1]] for name in model.circulant_layers()}
        self.ks = {n: k for n, k in self.ks.items() if k > 1}
        self.rho = rho
        self.Z: dict[str, torch.Tensor] = {}
        self.U: dict[str, torch.Tensor] = {}
        with torch.no_grad():
            for name, lay in model.circulant_layers().items():
                if name in self.ks:
                    W = lay.matrix().detach()
                    self.Z[name] = projection(W, self.ks[name])
                    self.U[name] = torch.zeros_like(W)

    def penalty(self, model: SpeechRNN) -> torch.Tensor:
        mats = model.circulant_layers()
        total = sum(((mats[n].matrix() - self.Z[n] + self.U[n]) ** 2).sum() for n in self.Z)
        return 0.5 * self.rho * total

    @torch.no_grad()
    def round(self, model: SpeechRNN, growth: float) -> dict:
        """Z- and U-steps, then rho *= growth.  Returns the distances before the Z-step."""
        mats = model.circulant_layers()
        for n in self.Z:
            W = mats[n].matrix()
            self.Z[n] = projection(W + self.U[n], self.ks[n])
            self.U[n] += W - self.Z[n]
        stats = distances(model, self.ks)
        stats["rho"] = self.rho
        self.rho *= growth
        return stats

    def state_dict(self) -> dict:
        return {"rho": self.rho, "Z": self.Z, "U": self.U, "ks": self.ks}

    def load_state_dict(self, d: dict) -> None:
        self.rho, self.Z, self.U, self.ks = d["rho"], d["Z"], d["U"], d["ks"]


@torch.no_grad()
def distances(model: SpeechRNN, ks: dict[str, int]) -> dict:
    """||W - Proj(W)|| over all matrices (Frobenius, combined) and relative to ||W||."""
    mats = model.circulant_layers()
    d2 = w2 = 0.0
    for n, k in ks.items():
        W = mats[n].matrix()
        d2 += float(((W - projection(W, k)) ** 2).sum())
        w2 += float((W ** 2).sum())
    return {"dist": math.sqrt(d2), "rel_dist": math.sqrt(d2 / max(w2, 1e-30))}


@torch.no_grad()
def hard_project(dense: SpeechRNN, target: ModelSpec) -> SpeechRNN:
    """The circulant model nearest (per matrix, Euclidean) to a dense one; other parameters
    (biases, peepholes, classifier) are copied."""
    circ = SpeechRNN(target)
    src = dense.state_dict()
    mats = dense.circulant_layers()
    new = {}
    for name, lay in circ.circulant_layers().items():
        W = mats[name].matrix()
        new[name] = W if lay.k == 1 else project_dense(W, lay.k)
    dst = circ.state_dict()
    for key in dst:
        base = key[:-len(".weight")] if key.endswith(".weight") else None
        mod = _golden_name(base) if base else None
        if mod in new:
            dst[key] = new[mod].to(dst[key].dtype)
        else:
            dst[key] = src[key]
    circ.load_state_dict(dst)
    return circ


def _golden_name(module_path: str) -> str | None:
    """'layers.0.1.w_x' -> 'l0.d1.w_x'."""
    parts = module_path.split(".")
    if len(parts) == 4 and parts[0] == "layers":
        return f"l{parts[1]}.d{parts[2]}.{parts[3]}"
    return None
