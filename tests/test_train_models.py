"""train.models: fused kernel == Python time loop, reverse direction, presets, ADMM helpers."""
import dataclasses

import numpy as np
import pytest
import torch

from golden.runner import run_float
from train.admm import AdmmState, distances, hard_project
from train.config import PRESETS, ModelSpec, TrainConfig, with_k
from train.export import to_golden
from train.models import SpeechRNN, flip_padded


def _spec(**kw):
    base = dict(input_size=13, hidden_size=16, k=4, num_layers=2, bidirectional=True, num_classes=6)
    base.update(kw)
    return ModelSpec(**base)


@pytest.mark.parametrize("kw", [dict(), dict(proj_size=8), dict(cell="gru"), dict(k=1)])
def test_fused_kernel_equals_time_loop(kw):
    torch.manual_seed(0)
    m = SpeechRNN(_spec(**kw)).double()
    for _, _, lay in m.rnn_layers():
        x = torch.randn(11, 3, lay.n_in, dtype=torch.float64)
        torch.testing.assert_close(lay(x, fused=True), lay(x, fused=False), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kw", [dict(), dict(proj_size=8, peephole=True, k_proj=2), dict(cell="gru")])
def test_padded_batch_equals_golden_float_per_utterance(kw):
    """Padding + per-sequence reversal == golden's float model on each unpadded utterance."""
    torch.manual_seed(1)
    m = SpeechRNN(_spec(**kw)).double()
    lengths = torch.tensor([9, 5, 7])
    x = torch.randn(9, 3, 13, dtype=torch.float64)
    logits = m(x, lengths).detach().numpy()
    gm = to_golden(m, m.spec.formats)
    for b, L in enumerate(lengths.tolist()):
        ref = run_float(gm, x[:L, b].numpy()).squeeze().logits
        np.testing.assert_allclose(logits[:L, b], ref, atol=1e-10)


def test_flip_padded():
    x = torch.arange(4.0)[:, None, None].expand(4, 2, 1)
    y = flip_padded(x, torch.tensor([4, 2]))
    assert y[:, 0, 0].tolist() == [3, 2, 1, 0] and y[:, 1, 0].tolist() == [1, 0, 2, 3]


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_build_and_export(name):
    spec = with_k(PRESETS[name], 16) if PRESETS[name].hidden_size >= 64 else PRESETS[name]
    m = SpeechRNN(spec)
    assert m(torch.randn(2, 1, spec.input_size), torch.tensor([2])).shape == (2, 1, 40)
    to_golden(m, spec.formats, name)


def test_admm_round_reduces_distance_and_hard_projection_is_exact():
    torch.manual_seed(0)
    spec = _spec(k=1, proj_size=8)
    target = with_k(spec, 4, 2)
    m = SpeechRNN(spec)
    st = AdmmState(m, target, rho=1.0)
    ks = st.ks
    d0 = distances(m, ks)["dist"]
    opt = torch.optim.SGD(m.parameters(), lr=0.5)
    for _ in range(20):
        opt.zero_grad()
        st.penalty(m).backward()
        opt.step()
    st.round(m, growth=2.0)
    assert distances(m, ks)["dist"] < 0.5 * d0 and st.rho == 2.0
    c = hard_project(m, target)
    assert c.spec.k == 4 and c.layers[0][0].w_p.k == 2
    with torch.no_grad():
        for name, lay in c.circulant_layers().items():
            W = m.circulant_layers()[name].matrix()
            C = lay.matrix()              # the projection: W - C is orthogonal to C
            assert abs(float(((W - C) * C).sum())) < 1e-4 * float((W * W).sum())
    torch.testing.assert_close(c.cls.weight, m.cls.weight)


def test_admm_schedule_splits_the_budget():
    spec = PRESETS["tiny"]
    for E in (3, 4, 12, 20):
        phases = TrainConfig(model=spec, mode="admm", epochs=E, qat_epochs=1).phases()
        assert [p for p, _ in phases] == ["admm-pretrain", "admm", "retrain", "qat"]
        assert sum(n for p, n in phases if p != "qat") == E and min(n for _, n in phases) >= 1
    with pytest.raises(ValueError, match="epochs >= 3"):
        TrainConfig(model=spec, mode="admm", epochs=2)


def test_learning_rate_schedule_and_retrain_restart():
    from train.trainer import epoch_phases, lr_at
    spec = PRESETS["tiny"]
    cfg = TrainConfig(model=spec, mode="admm", epochs=20, lr=3e-3, lr_decay=0.5)
    plan = epoch_phases(cfg)
    assert [lr_at(cfg, e, p) for e, p in enumerate(plan)][9:13] == [3e-3, 3e-3, 1.5e-3, 7.5e-4]
    cfg = TrainConfig(model=spec, mode="admm", epochs=20, lr=3e-3, lr_decay=0.5, retrain_lr=2e-3)
    start = plan.index("retrain")
    lrs = [lr_at(cfg, e, p) for e, p in enumerate(plan)]
    assert lrs[start - 1] == 3e-3 * 0.5 ** (start - 1 - 10)          # ADMM: the global schedule
    assert lrs[start:start + 3] == [2e-3, 1e-3, 5e-4]                 # retrain: restart, decay
    with pytest.raises(ValueError, match="avg_epochs must be in 0..8"):
        TrainConfig(model=spec, mode="admm", epochs=20, avg_epochs=9)


def test_epoch_labels_name_the_phase_and_its_own_count():
    from train.trainer import epoch_label, epoch_phases
    spec = PRESETS["tiny"]
    cfg = TrainConfig(model=spec, mode="admm", k=8, epochs=20, qat_epochs=1, rho=1e-3,
                      rho_growth=2.0)
    labels = [epoch_label(cfg, e) for e in range(len(epoch_phases(cfg)))]
    assert dict(cfg.phases()) == {"admm-pretrain": 5, "admm": 7, "retrain": 8, "qat": 1}
    assert labels[0] == "epoch 1/20 (dense pre-training toward k=8)"
    assert labels[5] == "epoch 6/20 (ADMM rounds 1-2 of 14 toward k=8, rho=0.001, 0.002)"
    assert labels[11] == "epoch 12/20 (ADMM rounds 13-14 of 14 toward k=8, rho=4.1, 8.19)"
    assert labels[12] == "epoch 13/20 (circulant retraining, k=8)"
    assert labels[19] == "epoch 20/20 (circulant retraining, k=8)"
    assert labels[20] == "QAT epoch 1/1 (fixed point, k=8)"
    # an epoch with a single batch has one round
    assert epoch_label(cfg, 6, rounds_per_epoch=1) == \
        "epoch 7/20 (ADMM round 2 of 7 toward k=8, rho=0.002)"
    assert epoch_label(TrainConfig(model=spec, mode="dense", epochs=3), 2) == "epoch 3/3 (dense, k=1)"
    assert epoch_label(TrainConfig(model=spec, mode="direct", k=4, epochs=3), 0) == \
        "epoch 1/3 (direct circulant training, k=4)"
    with pytest.raises(IndexError):
        epoch_label(cfg, 21)


def test_weight_average():
    from train.trainer import average_in
    torch.manual_seed(0)
    models = [SpeechRNN(PRESETS["tiny"]) for _ in range(3)]
    avg = None
    for m in models:
        avg = average_in(avg, m)
    assert avg["n"] == 3
    for key, v in avg["model"].items():
        ref = sum(m.state_dict()[key] for m in models) / 3
        torch.testing.assert_close(v, ref)
