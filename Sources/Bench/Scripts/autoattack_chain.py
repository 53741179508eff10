"""torchattacks 3.5.1's standard AutoAttack components, chained as its AutoAttack chains them, shared
by the benchmark scripts (autoattack_torch.py, robust_training_torch.py): APGD-CE, APGD-T, FAB-T and Square,
each only on the images still robust, seed 0, with STEPS iterations for the first three and QUERIES for
Square (torchattacks' AutoAttack itself fixes steps=10 and 5000 queries), for the L-inf threat (norm "Linf")
or the L2 threat ("L2": the same four with norm="L2", as torchattacks' AutoAttack(norm="L2") builds them).
Importing it needs torch and torchattacks.
"""
import torch, torch.nn as nn
from torchattacks import APGD, APGDT, FAB, Square


class ImageNet(nn.Module):
    """Takes [N, 1, H, W] images as torchattacks' Square needs; an MLP (flatten=True) sees them flattened."""
    def __init__(self, inner, flatten):
        super().__init__(); self.inner, self.flatten = inner, flatten
    def forward(self, x):
        return self.inner(x.flatten(1) if self.flatten else x)


def components(m, eps, steps, queries, classes, norm="Linf"):
    return [
        ("apgd-ce", APGD(m, norm=norm, eps=eps, steps=steps, n_restarts=1, loss="ce", seed=0)),
        ("apgd-t", APGDT(m, norm=norm, eps=eps, steps=steps, n_restarts=1, n_classes=classes, seed=0)),
        ("fab-t", FAB(m, norm=norm, eps=eps, steps=steps, n_restarts=1, multi_targeted=True, n_classes=classes, seed=0)),
        ("square", Square(m, norm=norm, eps=eps, n_queries=queries, n_restarts=1, seed=0)),
    ]


def autoattack(m, X, Y, eps, steps, queries, classes, after=None, norm="Linf"):
    """The per-image robustness (a bool tensor) of model m (eval mode, frozen) on images X [N, 1, H, W] with
    labels Y under the norm ("Linf" or "L2") ball of radius eps; after(name, robust) is called after each
    component."""
    with torch.no_grad(): robust = m(X).argmax(1) == Y
    for name, attack in components(m, eps, steps, queries, classes, norm):
        index = robust.nonzero().flatten()
        if len(index) > 0:
            adversarial = attack(X[index], Y[index])
            with torch.no_grad(): broken = m(adversarial).argmax(1) != Y[index]
            robust[index[broken]] = False
        if after is not None: after(name, robust)
    return robust
