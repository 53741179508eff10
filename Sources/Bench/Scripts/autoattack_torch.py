"""The PyTorch side of `manifold bench autoattack`: torchattacks 3.5.1's AutoAttack components.

Usage: python3 autoattack_torch.py WEIGHTS KIND ARCH HEIGHT WIDTH IMAGES LABELS N THREADS EPS STEPS QUERIES [NORM]
WEIGHTS is a Manifold classifier's model.safetensors (read by classifier_torch.py); KIND is mlp or cnn and
ARCH standard, madry or wong (the layer layouts of Manifold's Classifier, with its PyTorch parameter names) for HEIGHT x WIDTH images; IMAGES and LABELS are raw float32 [N, pixels] and int64 [N] files. NORM is Linf (the default) or L2, the norm
torchattacks' components get, as its AutoAttack(norm=NORM) passes it on. Runs the
standard ensemble as torchattacks' AutoAttack does (autoattack_chain.py: APGD-CE, APGD-T, FAB-T, Square,
each on the images still robust, seed 0), with STEPS iterations for the first three and QUERIES for Square
(torchattacks' AutoAttack itself fixes steps=10 and 5000 queries). Prints `component NAME ROBUST_ACCURACY
SECONDS_SO_FAR` after each and
`result SECONDS ROBUST_ACCURACY`; `error MESSAGE` (exit status 0) when PyTorch or torchattacks is missing.
"""
import sys, time
sys.dont_write_bytecode = True
try:
    import numpy as np, torch
    from autoattack_chain import ImageNet, autoattack
    from classifier_torch import load_classifier
except Exception as e:
    print("error PyTorch or torchattacks unavailable: %s" % e); sys.exit(0)
weights, kind, arch, height, width, images, labels, n, threads, eps, steps, queries = sys.argv[1:13]
norm = sys.argv[13] if len(sys.argv) > 13 else "Linf"
if norm not in ("Linf", "L2"):
    print("error unknown norm %r (Linf or L2)" % norm); sys.exit(0)
n, steps, queries, eps, height, width = int(n), int(steps), int(queries), float(eps), int(height), int(width)
torch.set_num_threads(int(threads))

X = torch.from_numpy(np.fromfile(images, dtype=np.float32).reshape(n, -1).copy())
X = X.reshape(n, 1, height, width)
Y = torch.from_numpy(np.fromfile(labels, dtype=np.int64).copy())
inner, classes = load_classifier(weights, kind, arch, height, width)
m = ImageNet(inner, kind == "mlp").eval()
for p in m.parameters(): p.requires_grad_(False)
start = time.perf_counter()
def report(name, robust):
    print("component %s %r %r" % (name, robust.float().mean().item(), time.perf_counter() - start), flush=True)
robust = autoattack(m, X, Y, eps, steps, queries, classes, report, norm)
print("result %r %r" % (time.perf_counter() - start, robust.float().mean().item()), flush=True)
