"""train.circulant: the PyTorch block-circulant layer against scipy and golden."""
import numpy as np
import pytest
import scipy.linalg
import torch

from golden.circulant import project_dense as golden_project
from train.circulant import CirculantLinear, dense_from_vectors, project_dense


@pytest.mark.parametrize("k,m,n", [(1, 6, 5), (2, 8, 7), (4, 8, 13), (8, 16, 39), (16, 32, 40)])
def test_dense_equals_scipy_circulant_blocks(k, m, n):
    torch.manual_seed(k)
    lin = CirculantLinear(n, m, k).double()
    W = lin.matrix().detach().numpy()
    w = lin.vectors().detach().numpy()
    q = -(-n // k)
    ref = np.block([[scipy.linalg.circulant(w[i, j]) for j in range(q)] for i in range(m // k)])[:, :n]
    np.testing.assert_array_equal(W, ref)
    x = torch.randn(3, 5, n, dtype=torch.float64)
    np.testing.assert_allclose(lin(x).detach().numpy(), x.numpy() @ ref.T, atol=1e-12)


def test_fft_path_gradients_match_dense():
    torch.manual_seed(0)
    lin = CirculantLinear(13, 16, 4).double()
    x = torch.randn(4, 13, dtype=torch.float64)
    lin(x).pow(2).sum().backward()
    g_fft = lin.weight.grad.clone()
    lin.weight.grad = None
    (x @ lin.matrix().t()).pow(2).sum().backward()
    torch.testing.assert_close(g_fft, lin.weight.grad)


@pytest.mark.parametrize("k,m,n", [(4, 8, 13), (8, 16, 16), (2, 6, 3)])
def test_projection_matches_golden_and_is_idempotent(k, m, n):
    W = torch.randn(m, n, dtype=torch.float64)
    v = project_dense(W, k)
    np.testing.assert_allclose(v.numpy(), golden_project(W.numpy(), k), atol=1e-12)
    D = dense_from_vectors(v, m, n)
    np.testing.assert_allclose(project_dense(D, k).numpy(), v.numpy(), atol=1e-12)
    # the projection is the nearest circulant matrix: W - Proj(W) is orthogonal to circulants
    other = dense_from_vectors(torch.randn_like(v), m, n)
    assert abs(float(((W - D) * other).sum())) < 1e-9
