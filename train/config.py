"""Run configuration: one dataclass, saved inside every checkpoint (nanoGPT style).

A run is fully described by a `TrainConfig`: the architecture (`ModelSpec`, which is golden's
`ModelConfig`, so the exported container carries exactly the trained architecture and number
formats), the training mode, the epoch budget and the optimizer.  Presets give the
architectures of docs/design.md section 2; command-line options override single fields.
"""
from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field, fields

from golden.formats import Formats
from golden.model import ModelConfig as ModelSpec

__all__ = ["ModelSpec", "TrainConfig", "PRESETS", "PRESET_FEATURES", "PRESET_DEFAULTS",
           "ADMM_DEFAULTS", "MODES", "BLANK", "with_k", "preset_default"]

MODES = ("dense", "direct", "admm")
BLANK = 0
"""CTC blank index; phone class i of PHONES39 is output i + 1."""


def with_k(spec: ModelSpec, k: int, k_proj: int = 0) -> ModelSpec:
    """The same architecture with other block sizes (k = 1: dense)."""
    return dataclasses.replace(spec, k=k, k_proj=k_proj)


PRESETS: dict[str, ModelSpec] = {
    "tiny": ModelSpec(cell="lstm", input_size=39, hidden_size=16, num_layers=1, k=1,
                      bidirectional=False, num_classes=40, name="tiny"),
    "small": ModelSpec(cell="lstm", input_size=40, hidden_size=128, num_layers=1, k=1,
                       bidirectional=True, num_classes=40, name="small"),
    "lstmp-1024": ModelSpec(cell="lstm", input_size=153, hidden_size=1024, num_layers=2,
                            proj_size=512, peephole=True, k=1, bidirectional=True,
                            num_classes=40, name="lstmp-1024"),
    "gru-1024": ModelSpec(cell="gru", input_size=153, hidden_size=1024, num_layers=2, k=1,
                          bidirectional=True, num_classes=40, name="gru-1024"),
}
"""Architectures (dense form; ``--k`` makes them block-circulant).  40 outputs = 39 phones +
the CTC blank.  Formats default to golden's."""

PRESET_FEATURES: dict[str, str] = {"tiny": "mfcc39", "small": "fbank40",
                                   "lstmp-1024": "fbank153", "gru-1024": "fbank153"}
"""Default feature preset of each architecture preset (`fit --features` overrides it).
Block-circulant input matrices want features whose neighbouring coordinates are related: a
k x k circulant block applies one k-tap filter, cyclically shifted, across k adjacent inputs,
which on log-mel bins is a convolution along frequency, while MFCC coefficients are
decorrelated and a shift mixes unrelated ones (measured in docs/training.md, "Input
features")."""

PRESET_DEFAULTS: dict[str, dict] = {
    "small": {"batch_size": 16, "augment": "speed,noise,reverb,gain,tilt", "aug_copies": 6}}
"""Per-preset `TrainConfig` fields that `fit` uses in every mode unless given on the command
line (`explore` takes the batch size): measured in docs/training.md, "Input features" (batch
size) and "Robustness" (augmentation)."""

ADMM_DEFAULTS: dict[str, dict] = {"small": {"retrain_lr": 3e-3, "rho_growth": 1.7}}
"""Per-preset `TrainConfig` fields that `fit --mode admm` uses unless given on the command line
(measured in docs/training.md, "Measured results")."""


def preset_default(preset: str, name: str, mode: str = "dense"):
    """The value of `TrainConfig` field `name` that a run of `preset` in `mode` gets when the
    command line leaves it unset: the preset's recipe, else the dataclass default."""
    recipe = PRESET_DEFAULTS.get(preset, {})
    if mode == "admm":
        recipe = recipe | ADMM_DEFAULTS.get(preset, {})
    return recipe.get(name, TrainConfig.__dataclass_fields__[name].default)


@dataclass
class TrainConfig:
    """Everything a run needs; stored in checkpoints and exported bundles."""

    preset: str = "small"
    model: ModelSpec = field(default_factory=lambda: PRESETS["small"])
    mode: str = "dense"            # dense | direct | admm
    k: int = 8                     # target block size of direct/admm (model.k is the current form)
    k_proj: int = 0
    corpus: str = "default"        # default | tiny | synthetic (random, no espeak) | timit
    timit_path: str = ""
    timit_test: str = "core"       # TIMIT test speakers: core | all | comma-separated ids
    features: str = "fbank40"      # PRESET_FEATURES of the preset
    voices: str = "classic"        # synthetic corpus voice set: classic | wide (+50 training voices)
    norm: str = "speaker"          # feature normalization: speaker | global | utterance | none
    augment: str = ""              # training augmentation: "" (none), "all" or a comma-separated
    #                                subset of train.data.augment.AUGMENTS
    aug_copies: int = 2            # cached augmented versions of each training utterance
    aug_clean: float = 0.5         # chance that an epoch trains an utterance's clean version
    epochs: int = 20               # total budget, the same for every mode
    batch_size: int = 32
    lr: float = 3e-3
    lr_decay: float = 0.8          # per epoch, from the start of the last half of the budget
    clip: float = 5.0
    seed: int = 0
    max_steps: int = 0             # stop each epoch after this many steps (0: full epoch); CI
    # ADMM schedule (fractions of `epochs`; the rest is retraining in circulant form)
    admm_pretrain: float = 0.25
    admm_rounds_frac: float = 0.35
    admm_rounds_per_epoch: int = 2
    rho: float = 1e-3
    rho_growth: float = 3.0
    retrain_lr: float = 0.0        # 0: the global schedule; else the retrain phase restarts at
    #                                this learning rate, times lr_decay per epoch
    # quantization-aware fine-tuning (epochs after the budget, for every mode)
    qat_epochs: int = 0
    qat_lr: float = 1e-4
    qat_steps: int = 0             # cap batches per QAT epoch (0: full epoch); QAT batches are slow
    calib_utts: int = 200          # before QAT: choose the formats from the float model's ranges
    #                                on this many training utterances (golden.calibrate); 0: keep
    #                                the model's formats
    calib_margin: float = 1.0      # each calibrated format covers margin x the largest magnitude
    eval_batch: int = 64
    avg_epochs: int = 0            # end the budget with the mean of the weights after each of its
    #                                last avg_epochs epochs (admm: retrain epochs); 0: off
    # knowledge distillation (admm, retrain, qat and direct epochs): loss = CTC + distill_weight
    # * KL(teacher || student) per frame on the output posteriors at temperature distill_temp
    distill_weight: float = 0.0
    distill_temp: float = 1.0
    teacher: str = ""              # "": the run's own dense model at the end of admm-pretrain;
    #                                else a run directory or checkpoint.pt of a trained model

    def __post_init__(self) -> None:
        if isinstance(self.model, dict):
            self.model = ModelSpec.from_dict(self.model)
        if self.mode not in MODES:
            raise ValueError(f"mode {self.mode!r} is not one of {MODES}")
        if self.epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {self.epochs}")
        if self.mode == "admm" and self.epochs < 3:
            raise ValueError("mode admm needs --epochs >= 3 (pretrain, ADMM rounds, retrain)")
        last = dict(self.phases())["retrain"] if self.mode == "admm" else self.epochs
        if not 0 <= self.avg_epochs <= last:
            raise ValueError(f"avg_epochs must be in 0..{last} (the "
                             f"{'retrain ' if self.mode == 'admm' else ''}epochs), "
                             f"got {self.avg_epochs}")
        if self.calib_utts < 0 or self.calib_margin < 1.0:
            raise ValueError(f"calib_utts must be >= 0 and calib_margin >= 1.0, got "
                             f"{self.calib_utts} and {self.calib_margin}")
        kinds = self.augment_config().kinds
        if "warp" in kinds and not self.features.startswith("fbank"):
            if self.augment.strip() != "all":
                raise ValueError(f"--augment warp stretches a filterbank axis: features "
                                 f"{self.features!r} are not log-mel (use fbank40 or fbank153)")
            kinds = tuple(k for k in kinds if k != "warp")   # "all" that applies to them
        self.augment = ",".join(kinds)          # canonical: "all" is stored as its list
        if self.augment_config().audio_kinds and self.corpus == "synthetic":
            raise ValueError("corpus 'synthetic' has no audio to augment: use --augment "
                             "specaugment (features only) or a speech corpus")
        from train.data.features import NORMS
        if self.voices not in ("classic", "wide"):
            raise ValueError(f"voices must be 'classic' or 'wide', not {self.voices!r}")
        if self.norm not in NORMS:
            raise ValueError(f"norm must be one of {', '.join(NORMS)}, not {self.norm!r}")
        if self.distill_weight < 0 or self.distill_temp <= 0:
            raise ValueError("distill_weight must be >= 0 and distill_temp > 0, got "
                             f"{self.distill_weight} and {self.distill_temp}")
        if self.distill_weight and self.mode == "dense":
            raise ValueError("distillation (distill_weight > 0) is for modes direct and admm")
        if self.distill_weight and self.mode == "direct" and not self.teacher:
            raise ValueError("mode direct has no dense pre-training to distill from: pass a "
                             "teacher run (--teacher RUN)")

    @property
    def target_spec(self) -> ModelSpec:
        """The architecture at the end of training (circulant with k for direct/admm)."""
        if self.mode == "dense":
            return with_k(self.model, 1, 0)
        return with_k(self.model, self.k, self.k_proj)

    def phases(self) -> list[tuple[str, int]]:
        """The epoch budget split into phases: (name, epochs), names in
        {dense, direct, admm-pretrain, admm, retrain, qat}."""
        E = self.epochs
        if self.mode == "dense":
            out = [("dense", E)]
        elif self.mode == "direct":
            out = [("direct", E)]
        else:
            pre = max(1, round(E * self.admm_pretrain))
            adm = max(1, round(E * self.admm_rounds_frac))
            pre = min(pre, E - 2)
            adm = min(adm, E - 1 - pre)
            out = [("admm-pretrain", pre), ("admm", adm), ("retrain", E - pre - adm)]
        if self.qat_epochs:
            out.append(("qat", self.qat_epochs))
        return out

    def to_dict(self) -> dict:
        d = asdict(self)
        d["model"] = self.model.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        unknown = set(d) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"train config: unknown field(s) {sorted(unknown)}")
        return cls(**d)

    def augment_config(self):
        """The `train.data.augment.AugmentConfig` of `augment`, `aug_copies`, `aug_clean`."""
        import dataclasses

        from train.data.augment import AugmentConfig
        return dataclasses.replace(AugmentConfig.parse(self.augment, self.aug_copies),
                                   clean_prob=self.aug_clean)

    def golden_formats(self) -> Formats:
        return self.model.formats
