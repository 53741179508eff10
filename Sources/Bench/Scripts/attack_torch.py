"""The PyTorch side of `manifold bench attack`.

Usage: python3 attack_torch.py WEIGHTS IMAGES LABELS N THREADS SPEC...
WEIGHTS is a Manifold MLP's model.safetensors (names 0.weight, 2.weight, ...); IMAGES and LABELS are raw
float32 [N, pixels] and int64 [N] files; a SPEC is fgsm:EPS, pgd:EPS:ALPHA:STEPS or ill:EPS:ALPHA:STEPS.
Runs each attack twice (the first warms up the process) and prints `result NAME SECONDS ACCURACY` for the
faster run, timing the attack plus the predictions on the adversarial images; `error MESSAGE` (exit
status 0) when PyTorch is missing.
"""
import sys, time
sys.dont_write_bytecode = True  # importing attack_formulas must not leave __pycache__ beside the scripts
try:
    import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
except Exception as e:
    print("error PyTorch unavailable: %s" % e); sys.exit(0)
from attack_formulas import grad, iterate
from classifier_torch import load_safetensors
weights, images, labels, n, threads = sys.argv[1:6]
n = int(n); torch.set_num_threads(int(threads))
state = load_safetensors(weights)
indices = sorted({int(k.split(".")[0]) for k in state})
layers = []
for j, i in enumerate(indices):
    w = state["%d.weight" % i]
    while len(layers) < i: layers.append(nn.ReLU())
    layers.append(nn.Linear(w.shape[1], w.shape[0]))
m = nn.Sequential(*layers); m.load_state_dict(state); m.eval()
for p in m.parameters(): p.requires_grad_(False)
X = torch.from_numpy(np.fromfile(images, dtype=np.float32).reshape(n, -1).copy())
Y = torch.from_numpy(np.fromfile(labels, dtype=np.int64).copy())
def attack(spec):
    kind, *p = spec.split(":"); p = [float(v) for v in p]
    if kind == "fgsm": return (X + p[0] * grad(m, X, Y).sign()).clamp(0, 1)
    if kind == "pgd": return iterate(m, X, Y, p[0], p[1], int(p[2]), 1)
    with torch.no_grad(): ll = m(X).argmin(1)
    return iterate(m, X, ll, p[0], p[1], int(p[2]), -1)
for spec in sys.argv[6:]:
    best = float("inf")
    for _ in range(2):
        t = time.perf_counter(); xa = attack(spec)
        with torch.no_grad(): accuracy = (m(xa).argmax(1) == Y).float().mean().item()
        best = min(best, time.perf_counter() - t)
    print("result %s %r %r" % (spec.split(":")[0], best, accuracy), flush=True)
