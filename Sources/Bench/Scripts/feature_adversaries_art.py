"""The reference side of `manifold bench feature`: the Adversarial Robustness Toolbox's
FeatureAdversariesPyTorch (ART 1.20.1; Sabour et al. 2016) on a Manifold classifier's weights.

Usage: python3 feature_adversaries_art.py WEIGHTS KIND ARCH HEIGHT WIDTH SOURCES GUIDE N THREADS DELTA STEPS
       STEP_SIZE LAYER GUIDE_CLASS
HEIGHT and WIDTH are the images' sides; SOURCES is raw float32 [N, pixels], GUIDE raw float32 [pixels]; LAYER is the module name in the classifier's
nn.Sequential (Manifold's layer names). Runs ART's projected sign-gradient variant (no optimizer, no random
start, all N sources in one batch) and prints `result SECONDS RELATIVE_FEATURE_DISTANCE SUCCESS_RATE`:
the mean over sources of ||phi(x') - phi(g)|| / ||phi(x) - phi(g)|| and the share predicted as GUIDE_CLASS (the
guide's label); `error MESSAGE` (exit status 0) when PyTorch or ART is missing.
"""
import sys, time, logging
sys.dont_write_bytecode = True
logging.disable(logging.WARNING)
try:
    import numpy as np, torch
    from art.estimators.classification import PyTorchClassifier
    from art.attacks.evasion import FeatureAdversariesPyTorch
    from classifier_torch import load_classifier
except Exception as e:
    print("error PyTorch or the Adversarial Robustness Toolbox unavailable: %s" % e); sys.exit(0)
weights, kind, arch, height, width, sources, guide, n, threads, delta, steps, step_size, layer, guide_class = sys.argv[1:15]
n, steps, delta, step_size, height, width = int(n), int(steps), float(delta), float(step_size), int(height), int(width)
torch.set_num_threads(int(threads))
X = np.fromfile(sources, dtype=np.float32).reshape(n, -1)
G = np.fromfile(guide, dtype=np.float32).reshape(1, -1)
shape = (height * width,) if kind == "mlp" else (1, height, width)
X, G = X.reshape((n,) + shape), G.reshape((1,) + shape)
model, classes = load_classifier(weights, kind, arch, height, width)
estimator = PyTorchClassifier(model=model, loss=torch.nn.CrossEntropyLoss(), input_shape=shape, nb_classes=classes,
                              clip_values=(0.0, 1.0), device_type="cpu")
attack = FeatureAdversariesPyTorch(estimator, delta=delta, layer=layer, max_iter=steps, step_size=step_size,
                                   batch_size=n, random_start=False, verbose=False)
guides = np.repeat(G, n, axis=0)
start = time.perf_counter()
adversarial = attack.generate(X, guides)
seconds = time.perf_counter() - start
index = int(layer)
with torch.no_grad():
    def features(images):
        return model[:index + 1](torch.from_numpy(images)).reshape(len(images), -1)
    target = features(G)
    before = (features(X) - target).norm(dim=1)
    after = (features(adversarial) - target).norm(dim=1)
    relative = torch.where(before > 0, after / before, torch.zeros_like(after)).mean().item()
    success = (model(torch.from_numpy(adversarial)).argmax(1) == int(guide_class)).float().mean().item()
print("result %r %r %r" % (seconds, relative, success), flush=True)
