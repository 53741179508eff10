"""Manifold's classifiers in PyTorch, shared by the benchmark scripts: the weights of a run's
model.safetensors (read by checkpoint_torch.py, so the safetensors package is not needed) in the nn.Sequential whose
module names are Manifold's parameter and layer names (`0.weight`; layer `3` is module `3`).
"""
import json
import numpy as np, torch, torch.nn as nn


# The one safetensors reader of these scripts (F32, F64, F16 and BF16, read as float32).
from checkpoint_torch import read_safetensors as load_safetensors


def body(state, kind, arch, classes, height, width):
    """The nn.Sequential of a Manifold classifier: the MLP takes [N, height*width], the CNN [N, 1, height, width]."""
    if kind == "mlp":
        hidden = state["0.weight"].shape[0]
        return nn.Sequential(nn.Linear(height * width, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, classes))
    q = (height // 4) * (width // 4)
    if arch == "wong":
        return nn.Sequential(nn.Conv2d(1, 16, 4, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 4, 2, 1), nn.ReLU(), nn.Flatten(),
                             nn.Linear(32 * q, 100), nn.ReLU(), nn.Linear(100, classes))
    k, p, hidden = (5, 2, 1024) if arch == "madry" else (3, 1, 128)
    return nn.Sequential(nn.Conv2d(1, 32, k, padding=p), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, k, padding=p), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * q, hidden), nn.ReLU(), nn.Linear(hidden, classes))


def load_classifier(weights, kind, arch, height, width):
    """The run's classifier in eval mode with frozen parameters, and its class count."""
    state = load_safetensors(weights)
    last = max(int(name.split(".")[0]) for name in state)
    classes = state["%d.weight" % last].shape[0]
    model = body(state, kind, arch, classes, height, width)
    model.load_state_dict(state)
    model.eval()
    for p in model.parameters(): p.requires_grad_(False)
    return model, classes
