"""The PyTorch side of `manifold bench seeds`: the seed study's recipe and attacks.

Usage: python3 seeds_torch.py FOLDER PIXELS CLASSES EPOCHS BATCH LR THREADS SEED...
FOLDER holds train.f32, train.i64, test.f32, test.i64 (raw float32 images and int64 labels). For each
seed: torch.manual_seed(seed) before building the MLP PIXELS-256-256-CLASSES (PyTorch's default
initialisation), torch.randperm batches each epoch, Adam; then the attacks of attack_formulas.py on the
whole test set. Prints `seed S key=value ...` per seed; `error MESSAGE` (exit status 0) when PyTorch is
missing.
"""
import sys
sys.dont_write_bytecode = True  # importing attack_formulas must not leave __pycache__ beside the scripts
try:
    import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
except Exception as e:
    print("error PyTorch unavailable: %s" % e); sys.exit(0)
from attack_formulas import grad, iterate
folder, pixels, classes, epochs, batch, lr, threads = sys.argv[1:8]
pixels, classes, epochs, batch = int(pixels), int(classes), int(epochs), int(batch)
torch.set_num_threads(int(threads))
def load(name, kind, shape):
    return torch.from_numpy(np.fromfile(folder + "/" + name, dtype=kind).reshape(shape).copy())
Xtr = load("train.f32", np.float32, (-1, pixels)); Ytr = load("train.i64", np.int64, (-1,))
X = load("test.f32", np.float32, (-1, pixels)); Y = load("test.i64", np.int64, (-1,))
def accuracy(m, x, y):
    with torch.no_grad(): return (m(x).argmax(1) == y).float().mean().item()
for seed in sys.argv[8:]:
    torch.manual_seed(int(seed))
    m = nn.Sequential(nn.Linear(pixels, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, classes))
    opt = torch.optim.Adam(m.parameters(), float(lr))
    values = {}
    for epoch in range(epochs):
        order = torch.randperm(len(Ytr))
        for i in range(0, len(Ytr), batch):
            b = order[i:i + batch]
            opt.zero_grad(); F.cross_entropy(m(Xtr[b]), Ytr[b]).backward(); opt.step()
        if epoch == 0: values["first_epoch_accuracy"] = accuracy(m, X, Y)
    for p in m.parameters(): p.requires_grad_(False)
    values["clean_accuracy"] = accuracy(m, X, Y)
    g = grad(m, X, Y).sign()
    for eps in ("0.05", "0.1", "0.2"):
        values["fgsm_" + eps] = accuracy(m, (X + float(eps) * g).clamp(0, 1), Y)
    values["pgd"] = accuracy(m, iterate(m, X, Y, 0.1, 0.01, 20, 1), Y)
    with torch.no_grad(): ll = m(X).argmin(1)
    xa = iterate(m, X, ll, 0.1, 0.01, 20, -1)
    values["ill"] = accuracy(m, xa, Y); values["ill_target"] = accuracy(m, xa, ll)
    print("seed %s " % seed + " ".join("%s=%r" % kv for kv in values.items()), flush=True)
