"""The attack formulas of Manifold's benchmarks in PyTorch, shared by attack_torch.py and seeds_torch.py.

grad is the cross-entropy loss's gradient with respect to the input; iterate takes signed steps of
size alpha and projects onto the L-inf eps-ball around X and onto [0, 1]: PGD with sign 1 (away from the
true labels y), iterative least-likely (ILL) with sign -1 (towards the target labels y). MATH.md section 10.
"""
import torch
import torch.nn.functional as F


def grad(m, x, y):
    x = x.clone().requires_grad_(True)
    return torch.autograd.grad(F.cross_entropy(m(x), y), x)[0]


def iterate(m, X, y, eps, alpha, steps, sign):
    x = X.clone()
    for _ in range(steps):
        x = x + sign * alpha * grad(m, x, y).sign()
        x = (X + (x - X).clamp(-eps, eps)).clamp(0, 1)
    return x
