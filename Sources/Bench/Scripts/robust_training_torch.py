"""The PyTorch side of `manifold bench robust-training`: Manifold's adversarial-training recipes, then
torchattacks 3.5.1's AutoAttack components (autoattack_chain.py).

Usage: python3 robust_training_torch.py FOLDER PIXELS HEIGHT WIDTH CLASSES EPOCHS BATCH THREADS EPS N STEPS QUERIES
       ADV_STEPS BETA RECIPE:LR,... SEED...
FOLDER holds train.f32, train.i64 (the training set) and test.f32, test.i64 (the test set, whose first N
images are attacked), raw float32 images (HEIGHT x WIDTH = PIXELS) and int64 labels. For each recipe and seed: torch.manual_seed(seed)
before building the MLP PIXELS-256-256-CLASSES (PyTorch's default initialisation), torch.randperm batches of BATCH each epoch (the
last one partial), Adam at LR, the whole test set evaluated after each epoch (as Manifold's training does);
the training is timed. The recipes, as Manifold's Engine defines them (L-inf radius EPS, every point
clipped to the eps-ball and [0, 1]):
- pgd (Madry et al. 2018): cross-entropy on PGD examples: a uniform start in the ball, ADV_STEPS signed
  steps of 2.5 EPS / ADV_STEPS on the cross-entropy.
- fgsm-rs (Wong et al. 2020): cross-entropy on one signed step of 1.25 EPS from a uniform start; the
  learning rate of update s (0-based) is LR * t / 0.4 for t = (s + 1) / total <= 0.4, else
  LR * max(0, (1 - t) / 0.6): one triangular cycle over the run.
- trades (Zhang et al. 2019): CE(f(x), y) + BETA KL(f(x) || f(x')) (sum over the batch / batch size, the
  gradient through both), x' from x + 0.001 N(0, 1) and ADV_STEPS signed steps of 2.5 EPS / ADV_STEPS
  maximising the KL against the detached f(x).
The MLP has no dropout or normalisation, so train and eval mode are the same. Then the standard L-inf
AutoAttack on the N test images. Prints `seed S recipe=R robust_accuracy=A clean_accuracy=C
train_seconds=T` per recipe and seed; `error MESSAGE` (exit status 0) when PyTorch or torchattacks is
missing.
"""
import sys, time
sys.dont_write_bytecode = True  # importing the helpers must not leave __pycache__ beside the scripts
try:
    import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
    from autoattack_chain import ImageNet, autoattack
except Exception as e:
    print("error PyTorch or torchattacks unavailable: %s" % e); sys.exit(0)
folder, pixels, height, width, classes, epochs, batch, threads, eps, n, steps, queries, adv_steps, beta, recipes = sys.argv[1:16]
pixels, height, width, classes, epochs, batch, n, steps = int(pixels), int(height), int(width), int(classes), int(epochs), int(batch), int(n), int(steps)
queries, adv_steps, eps, beta = int(queries), int(adv_steps), float(eps), float(beta)
torch.set_num_threads(int(threads))


def load(name, kind, shape):
    return torch.from_numpy(np.fromfile(folder + "/" + name, dtype=kind).reshape(shape).copy())


Xtr = load("train.f32", np.float32, (-1, pixels)); Ytr = load("train.i64", np.int64, (-1,))
X = load("test.f32", np.float32, (-1, pixels)); Y = load("test.i64", np.int64, (-1,))
alpha = 2.5 * eps / adv_steps


def project(x_adv, x):
    return torch.min(torch.max(x_adv, x - eps), x + eps).clamp(0, 1)


def input_gradient(loss_of, x_adv):
    x_adv = x_adv.detach().requires_grad_(True)
    return torch.autograd.grad(loss_of(x_adv), x_adv)[0]


def uniform_start(x):
    return (x + torch.empty_like(x).uniform_(-eps, eps)).clamp(0, 1)


def kl(natural, adversarial):
    p = F.softmax(natural, 1)
    return (p * (F.log_softmax(natural, 1) - F.log_softmax(adversarial, 1))).sum() / natural.shape[0]


def pgd_loss(m, x, y, step):
    x_adv = uniform_start(x)
    for _ in range(adv_steps):
        g = input_gradient(lambda z: F.cross_entropy(m(z), y), x_adv)
        x_adv = project(x_adv + alpha * g.sign(), x)
    return F.cross_entropy(m(x_adv.detach()), y)


def fgsm_rs_loss(m, x, y, step):
    x_adv = uniform_start(x)
    g = input_gradient(lambda z: F.cross_entropy(m(z), y), x_adv)
    return F.cross_entropy(m(project(x_adv + 1.25 * eps * g.sign(), x).detach()), y)


def trades_loss(m, x, y, step):
    with torch.no_grad(): target = m(x)
    x_adv = (x + 0.001 * torch.randn_like(x)).clamp(0, 1)
    for _ in range(adv_steps):
        g = input_gradient(lambda z: kl(target, m(z)), x_adv)
        x_adv = project(x_adv + alpha * g.sign(), x)
    natural = m(x)
    return F.cross_entropy(natural, y) + beta * kl(natural, m(x_adv.detach()))


losses = {"pgd": pgd_loss, "fgsm-rs": fgsm_rs_loss, "trades": trades_loss}


def train(recipe, lr, seed):
    torch.manual_seed(seed)
    m = nn.Sequential(nn.Linear(pixels, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, classes))
    opt = torch.optim.Adam(m.parameters(), lr)
    batches = (len(Ytr) + batch - 1) // batch
    total, update = epochs * batches, 0
    start = time.perf_counter()
    for epoch in range(epochs):
        m.train()
        order = torch.randperm(len(Ytr))
        for i in range(0, len(Ytr), batch):
            b = order[i:i + batch]
            loss = losses[recipe](m, Xtr[b], Ytr[b], update)
            opt.zero_grad(); loss.backward()
            if recipe == "fgsm-rs":
                t = (update + 1) / total
                factor = t / 0.4 if t <= 0.4 else max(0.0, (1 - t) / 0.6)
                for group in opt.param_groups: group["lr"] = lr * factor
            opt.step(); update += 1
        m.eval()
        with torch.no_grad(): (m(X).argmax(1) == Y).float().mean().item()
    return m, time.perf_counter() - start


images, labels = X[:n].reshape(-1, 1, height, width), Y[:n]
for entry in recipes.split(","):
    recipe, lr = entry.rsplit(":", 1)
    for seed in sys.argv[16:]:
        model, seconds = train(recipe, float(lr), int(seed))
        for p in model.parameters(): p.requires_grad_(False)
        m = ImageNet(model, True).eval()
        with torch.no_grad(): clean = (m(images).argmax(1) == labels).float().mean().item()
        robust = autoattack(m, images, labels, eps, steps, queries, classes).float().mean().item()
        print("seed %s recipe=%s robust_accuracy=%r clean_accuracy=%r train_seconds=%r" % (seed, recipe, robust, clean, seconds), flush=True)
