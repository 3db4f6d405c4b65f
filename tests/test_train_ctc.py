"""train.ctc: edit distance, PER, greedy and beam decoding."""
import numpy as np

from train.ctc import beam_decode, edit_distance, greedy_decode, per


def test_edit_distance_and_per():
    assert edit_distance([1, 2, 3], [1, 2, 3]) == 0
    assert edit_distance([1, 2, 3], [1, 3]) == 1          # deletion
    assert edit_distance([1, 2, 3], [1, 2, 4, 3]) == 1    # insertion
    assert edit_distance([1, 2, 3], [3, 2, 1]) == 2       # two substitutions
    assert edit_distance([], [5, 6]) == 2
    assert per([[1, 2, 3, 4], [5, 6]], [[1, 2, 3, 4], [6]]) == 100.0 / 6


def _logits(path, C=5):
    a = np.full((len(path), C), -5.0)
    a[np.arange(len(path)), path] = 5.0
    return a


def test_greedy_merges_repeats_and_drops_blanks():
    # outputs: 0 = blank, class c is output c + 1
    assert greedy_decode(_logits([0, 2, 2, 0, 2, 3, 3, 0])) == [1, 1, 2]
    assert greedy_decode(_logits([2, 2, 2]), length=2) == [1]


def test_beam_agrees_with_greedy_on_peaky_outputs():
    rng = np.random.default_rng(0)
    for _ in range(5):
        path = rng.integers(0, 5, size=12)
        lg = _logits(path)
        assert beam_decode(lg, beam=4) == greedy_decode(lg)


def test_beam_sums_paths():
    # greedy picks blank-blank (p = 0.16), but class 0 has 0.35^2 + 2 * 0.35 * 0.4 = 0.4025
    p = np.array([[0.4, 0.35, 0.25], [0.4, 0.35, 0.25]])
    lg = np.log(p)
    assert greedy_decode(lg) == []
    assert beam_decode(lg, beam=3) == [0]


def test_distill_loss_zero_iff_student_equals_teacher_and_ignores_padding():
    import torch
    from torch.nn import functional as F
    from train.ctc import distill_loss
    g = torch.Generator().manual_seed(0)
    teacher = torch.randn(7, 3, 5, generator=g)
    lengths = torch.tensor([7, 4, 2])
    for temp in (1.0, 2.0):
        assert distill_loss(teacher.clone(), teacher, lengths, temp).item() == 0.0
    student = torch.randn(7, 3, 5, generator=g, requires_grad=True)
    loss = distill_loss(student, teacher, lengths)
    # the KL of the valid frames, by hand
    ref = [F.kl_div(F.log_softmax(student[t, b], -1), F.log_softmax(teacher[t, b], -1),
                    log_target=True, reduction="sum") for b, L in enumerate(lengths) for t in range(L)]
    torch.testing.assert_close(loss, torch.stack(ref).mean())
    loss.backward()
    assert student.grad[4:, 1].abs().sum() == 0 and student.grad[:4, 1].abs().sum() > 0
    # frames past the length do not count
    other = student.detach().clone()
    other[2:, 2] = 100.0
    torch.testing.assert_close(distill_loss(other, teacher, lengths), loss.detach())
