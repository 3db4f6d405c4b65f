"""train.quant: the QAT emulation produces exactly golden's fixed-point codes."""
import numpy as np
import pytest
import torch

from golden.formats import Formats
from golden.runner import run_fixed
from train.config import ModelSpec
from train.export import to_golden
from train.models import SpeechRNN
from train.quant import QuantContext

SPECS = {
    "lstm-bi-k4": ModelSpec(input_size=13, hidden_size=16, k=4, num_layers=2, num_classes=5,
                            bidirectional=True),
    "lstmp-peep": ModelSpec(input_size=13, hidden_size=16, k=8, proj_size=8, k_proj=4,
                            peephole=True, num_layers=2, num_classes=5, bidirectional=True),
    "gru-k2": ModelSpec(cell="gru", input_size=13, hidden_size=16, k=2, num_layers=2,
                        num_classes=5, bidirectional=True),
    "lstm-dense-uni": ModelSpec(input_size=13, hidden_size=8, k=1, bidirectional=False, num_classes=5),
}


def _random_model(spec: ModelSpec, seed: int, gain: float) -> SpeechRNN:
    torch.manual_seed(seed)
    m = SpeechRNN(spec).double()
    with torch.no_grad():
        for n, p in m.named_parameters():
            if ".p_" in n or n.endswith(".b") or ".b_" in n:
                p.uniform_(-0.5, 0.5)
            else:
                p.mul_(gain)
    return m


def _codes(spec, q, l):
    parts = [q.codes[l * spec.dirs + d] for d in range(spec.dirs)]
    parts = [p if d == 0 else torch.flip(p, [0]) for d, p in enumerate(parts)]
    return torch.cat(parts, -1)[:, 0].numpy().astype(np.int64)


@pytest.mark.parametrize("name", list(SPECS))
@pytest.mark.parametrize("seed,gain", [(0, 1.0), (1, 4.0)])   # gain 4 drives saturation
def test_codes_equal_golden(name, seed, gain):
    spec = SPECS[name]
    m = _random_model(spec, seed, gain)
    x = torch.randn(17, 1, spec.input_size, dtype=torch.float64) * 3
    q = QuantContext(Formats())
    q.codes = []
    logits = m(x, torch.tensor([17]), quant=q)
    res = run_fixed(to_golden(m, Formats()), x[:, 0].numpy())
    for l in range(spec.num_layers):
        np.testing.assert_array_equal(_codes(spec, q, l), res.layers[l][:, 0])
    np.testing.assert_array_equal(logits[:, 0].detach().numpy(), res.squeeze().logits)


def test_broken_rounding_is_detected(monkeypatch):
    """The comparison can fail: round-half-up replaced by truncation changes the codes."""
    import train.quant as tq
    spec = SPECS["lstm-bi-k4"]
    m = _random_model(spec, 0, 1.0)
    x = torch.randn(9, 1, spec.input_size, dtype=torch.float64)
    monkeypatch.setattr(tq, "rnd_shift", lambda a, s: torch.floor(a / float(2 ** s)) if s > 0 else a * float(2 ** -s))
    q = QuantContext(Formats())
    q.codes = []
    m(x, torch.tensor([9]), quant=q)
    res = run_fixed(to_golden(m, Formats()), x[:, 0].numpy())
    assert not np.array_equal(_codes(spec, q, 0), res.layers[0][:, 0])


def test_straight_through_gradients_reach_every_parameter():
    spec = SPECS["lstmp-peep"]
    m = _random_model(spec, 0, 1.0)
    x = torch.randn(6, 2, spec.input_size, dtype=torch.float64)
    m(x, torch.tensor([6, 4]), quant=QuantContext(Formats())).pow(2).mean().backward()
    for n, p in m.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), n
        assert p.grad.abs().sum() > 0, n
