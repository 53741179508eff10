"""The PyTorch side of `manifold bench models`: Manifold's training, sampling and attack workloads on the
same networks, written the usual way.

Usage: python3 models_torch.py WORKLOAD FOLDER THREADS STEPS
FOLDER holds train.f32/train.i64 and test.f32/test.i64 (raw float32 [N, P] pixels in [0, 1], int64 [N]
labels), meta.txt (`HEIGHT WIDTH CLASSES`) and mlp.safetensors (a trained P-256-256-C MLP). Workloads:
  mlp, cnn, ae, vae, ddpm-mlp, ddpm-unet  one untimed warm-up step, then STEPS Adam steps at batch 128
                                          (check = last loss; the VAE's per image)
  ddpm-sample                             64 samples with STEPS ancestral steps of a fresh mlp-t network
                                          (check = mean |x|)
  fgsm, pgd, cw                           an untimed warm-up on 10 images, then the attack on the first
                                          STEPS test images plus the predictions on them (check = robust
                                          accuracy)
Prints `baseline_mb MB` (VmRSS right before the timed region), `seconds SECONDS` (the timed region),
`check VALUE` and `peak_mb MB` (VmHWM, the process's peak resident memory); `error MESSAGE` (exit status 0) when PyTorch is missing or the workload is unknown.
"""
import sys, os, time, math
sys.dont_write_bytecode = True  # importing the sibling modules must not leave __pycache__ beside the scripts
try:
    import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
except Exception as e:
    print("error torch unavailable: %s" % e); sys.exit(0)
from classifier_torch import load_safetensors
from attack_formulas import grad, iterate
workload, folder, threads, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if workload not in ("mlp", "cnn", "ae", "vae", "ddpm-mlp", "ddpm-unet", "ddpm-sample", "fgsm", "pgd", "cw"):
    print("error unknown workload %s" % workload); sys.exit(0)
torch.set_num_threads(threads)
side, _, C = [int(v) for v in open(os.path.join(folder, "meta.txt")).read().split()]
P = side * side

def load(split):
    y = torch.from_numpy(np.fromfile(os.path.join(folder, split + ".i64"), dtype=np.int64))
    x = torch.from_numpy(np.fromfile(os.path.join(folder, split + ".f32"), dtype=np.float32).reshape(len(y), P))
    return x, y

def rss_mb(field="VmRSS:"):
    for line in open("/proc/self/status"):
        if line.startswith(field): return int(line.split()[1]) / 1024

def report(start, check):
    print("seconds %r" % (time.perf_counter() - start), flush=True)
    print("check %r" % check, flush=True)
    print("peak_mb %r" % rss_mb("VmHWM:"), flush=True)

def embedding(T):  # E[t] = [sin(t f_i), cos(t f_i)], f_i = exp(-ln(10000) i / 64)
    freq = torch.exp(-math.log(10000.0) * torch.arange(64, dtype=torch.float64) / 64)
    angle = torch.arange(T, dtype=torch.float64)[:, None] * freq[None]
    return torch.cat([angle.sin(), angle.cos()], 1).float()

class MLPT(nn.Module):  # Net(every=True) of ddpm_torch.py at P pixels
    def __init__(self):
        super().__init__()
        self.network = nn.Sequential(nn.Linear(P + 128, 1024), nn.SiLU(), nn.Linear(1024, 1024), nn.SiLU(), nn.Linear(1024, P))
        self.time = nn.ModuleList([nn.Linear(128, 1024, bias=False), nn.Linear(128, P, bias=False)])
    def forward(self, x, e):
        l = self.network
        h = l[1](l[0](torch.cat([x, e], 1)))
        h = l[3](l[2](h) + self.time[0](e))
        return l[4](h) + self.time[1](e)

def zero(conv):
    nn.init.zeros_(conv.weight); nn.init.zeros_(conv.bias); return conv

class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(8, cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.time = nn.Linear(128, cout)
        self.norm2, self.conv2 = nn.GroupNorm(8, cout), zero(nn.Conv2d(cout, cout, 3, padding=1))
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()
    def forward(self, x, time):
        h = self.conv1(F.silu(self.norm1(x))) + self.time(time)[:, :, None, None]
        return self.conv2(F.silu(self.norm2(h))) + self.skip(x)

class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.time = nn.Sequential(nn.Linear(128, 128), nn.SiLU(), nn.Linear(128, 128), nn.SiLU())
        self.input = nn.Conv2d(1, 32, 3, padding=1)
        self.down0, self.pool0, self.down1 = Block(32, 32), nn.Conv2d(32, 64, 3, stride=2, padding=1), Block(64, 64)
        self.pool1, self.middle = nn.Conv2d(64, 64, 3, stride=2, padding=1), Block(64, 64)
        self.up0, self.up1 = Block(128, 64), Block(96, 32)
        self.norm, self.output = nn.GroupNorm(8, 32), zero(nn.Conv2d(32, 1, 3, padding=1))
    def forward(self, x, e):
        time, up = self.time(e), lambda h: F.interpolate(h, scale_factor=2, mode="nearest")
        first = self.down0(self.input(x.view(-1, 1, side, side)), time)
        second = self.down1(self.pool0(first), time)
        h = self.middle(self.pool1(second), time)
        h = self.up0(torch.cat([up(h), second], 1), time)
        h = self.up1(torch.cat([up(h), first], 1), time)
        return self.output(F.silu(self.norm(h))).view(-1, P)

if workload in ("fgsm", "pgd", "cw"):
    X, Y = load("test"); X, Y = X[:steps], Y[:steps]
    state = load_safetensors(os.path.join(folder, "mlp.safetensors"))
    m = nn.Sequential(nn.Linear(P, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, state["4.weight"].shape[0]))
    m.load_state_dict(state); m.eval()
    for p in m.parameters(): p.requires_grad_(False)
    def cw(X, Y):
        w = torch.atanh((2 * X - 1).clamp(-1 + 1e-6, 1 - 1e-6)).requires_grad_(True)
        opt, mask = torch.optim.Adam([w], lr=0.01), F.one_hot(Y, m[4].out_features).bool()
        best, best_l2 = X.clone(), torch.full((len(X),), float("inf"))
        for _ in range(100):
            xp = (torch.tanh(w) + 1) / 2
            Z = m(xp); l2 = ((xp - X) ** 2).sum(1)
            f = (Z.gather(1, Y[:, None])[:, 0] - Z.masked_fill(mask, float("-inf")).amax(1)).clamp(min=0)  # kappa 0
            loss = (l2 + f).sum()  # c = 1
            opt.zero_grad(); loss.backward(); opt.step()
            with torch.no_grad():  # the x' this step evaluated, as torchattacks does
                better = (Z.argmax(1) != Y) & (l2 < best_l2)
                best[better], best_l2[better] = xp[better], l2[better]
        return best
    attacks = {"fgsm": lambda X, Y: (X + 0.1 * grad(m, X, Y).sign()).clamp(0, 1),
               "pgd": lambda X, Y: iterate(m, X, Y, 0.1, 0.01, 20, 1), "cw": cw}
    attacks[workload](X[:10], Y[:10])  # untimed warm-up on 10 images (the optimizer's first step loads modules)
    print("baseline_mb %r" % rss_mb(), flush=True)
    start = time.perf_counter(); xa = attacks[workload](X, Y)
    with torch.no_grad(): accuracy = (m(xa).argmax(1) == Y).float().mean().item()
    report(start, accuracy); sys.exit(0)

if workload == "ddpm-sample":
    T = steps
    betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64) if T > 1 else torch.tensor([1e-4], dtype=torch.float64)
    alphas = 1 - betas; ab = torch.cumprod(alphas, 0); E = embedding(T)
    torch.manual_seed(0); m = MLPT()
    print("baseline_mb %r" % rss_mb(), flush=True)
    start = time.perf_counter()
    with torch.no_grad():
        x = torch.randn(64, P)
        for t in range(T - 1, -1, -1):
            eps = m(x, E[t].expand(64, -1))
            x = (x - float(betas[t] / (1 - ab[t]).sqrt()) * eps) / float(alphas[t].sqrt())
            if t > 0: x = x + float(betas[t].sqrt()) * torch.randn(64, P)
    report(start, x.abs().mean().item()); sys.exit(0)

X, Y = load("train")
torch.manual_seed(0)
if workload == "mlp":
    m = nn.Sequential(nn.Linear(P, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, C))
    objective = lambda x, y: F.cross_entropy(m(x), y)
elif workload == "cnn":
    q = side // 4
    m = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                      nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * q * q, 128), nn.ReLU(), nn.Linear(128, C))
    objective = lambda x, y: F.cross_entropy(m(x.view(-1, 1, side, side)), y)
elif workload == "ae":
    m = nn.Sequential(nn.Linear(P, 512), nn.ReLU(), nn.Linear(512, 128), nn.ReLU(), nn.Linear(128, 30),
                      nn.Linear(30, 128), nn.ReLU(), nn.Linear(128, 512), nn.ReLU(), nn.Linear(512, P), nn.Sigmoid())
    objective = lambda x, y: F.mse_loss(m(x), x)
elif workload == "vae":
    m = nn.ModuleDict({"fc1": nn.Linear(P, 400), "fc21": nn.Linear(400, 20), "fc22": nn.Linear(400, 20),
                       "fc3": nn.Linear(20, 400), "fc4": nn.Linear(400, P)})
    def objective(x, y):
        h = F.relu(m["fc1"](x)); mu, logvar = m["fc21"](h), m["fc22"](h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = m["fc4"](F.relu(m["fc3"](z)))
        return F.binary_cross_entropy_with_logits(logits, x, reduction="sum") - 0.5 * torch.sum(1 + logvar - mu ** 2 - logvar.exp())
else:  # ddpm-mlp, ddpm-unet
    m = MLPT() if workload == "ddpm-mlp" else UNet()
    E, abf = embedding(1000), torch.cumprod(1 - torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64), 0).float()
    def objective(x, y):
        x0 = 2 * x - 1
        t = torch.randint(0, 1000, (len(x),)); noise = torch.randn_like(x0)
        xt = abf[t].sqrt()[:, None] * x0 + (1 - abf[t]).sqrt()[:, None] * noise
        return ((m(xt, E[t]) - noise) ** 2).mean()
params = list(m.parameters())
opt = torch.optim.Adam(params, 2e-4 if workload.startswith("ddpm") else 1e-3)
ema = [p.detach().clone() for p in params] if workload.startswith("ddpm") else None
per, order, count = len(X) // 128, None, 0

def step(k):
    global order, count
    if k % per == 0: order = torch.randperm(len(X))
    i = order[(k % per) * 128:(k % per + 1) * 128]
    loss = objective(X[i], Y[i])
    opt.zero_grad(); loss.backward(); opt.step(); count += 1
    if ema is not None:
        with torch.no_grad(): torch._foreach_lerp_(ema, params, 1 - min(0.999, (1 + count) / (10 + count)))
    return loss.detach()

step(0)
print("baseline_mb %r" % rss_mb(), flush=True)
start = time.perf_counter()
for k in range(1, steps + 1): loss = step(k)
report(start, loss.item() / (128 if workload == "vae" else 1))
