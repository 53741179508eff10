"""The PyTorch side of `manifold bench ddpm`: the same network, sampler and training step, written the
usual way.

Usage: python3 ddpm_torch.py THREADS NET STEPS N TRAIN_STEPS
NET is mlp or mlp-t (the time embedding added to every hidden layer as well). Prints `sample SECONDS` for
drawing N samples with STEPS ancestral steps (sigma_t^2 = beta_t, no clipping) and `train STEPS_PER_SECOND`
for Adam 2e-4 at batch 128; `error MESSAGE` (exit status 0) when PyTorch is missing.
"""
import sys, time, math
try:
    import torch, torch.nn as nn
except Exception as e:
    print("error torch unavailable: %s" % e); sys.exit(0)
threads, net, T, n, train_steps = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads); torch.manual_seed(0)
class Net(nn.Module):
    def __init__(self, every):
        super().__init__()
        self.network = nn.Sequential(nn.Linear(912, 1024), nn.SiLU(), nn.Linear(1024, 1024), nn.SiLU(), nn.Linear(1024, 784))
        self.time = nn.ModuleList([nn.Linear(128, 1024, bias=False), nn.Linear(128, 784, bias=False)]) if every else None
    def forward(self, x, e):
        if self.time is None: return self.network(torch.cat([x, e], 1))
        l = self.network
        h = l[1](l[0](torch.cat([x, e], 1)))
        h = l[3](l[2](h) + self.time[0](e))
        return l[4](h) + self.time[1](e)
half = 64
freq = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half)
angle = torch.arange(T, dtype=torch.float64)[:, None] * freq[None]
E = torch.cat([angle.sin(), angle.cos()], 1).float()
scale = min(1.0, 1000.0 / T)  # above T = 1000, beta's range shrinks so that alphaBar_T stays that of T = 1000
betas = torch.linspace(1e-4 * scale, 0.02 * scale, T, dtype=torch.float64) if T > 1 else torch.tensor([1e-4], dtype=torch.float64)
alphas = 1 - betas; ab = torch.cumprod(alphas, 0)
m = Net(net == "mlp-t")
start = time.perf_counter()
with torch.no_grad():
    x = torch.randn(n, 784)
    for t in range(T - 1, -1, -1):
        eps = m(x, E[t].expand(n, -1))
        x = (x - float(betas[t] / (1 - ab[t]).sqrt()) * eps) / float(alphas[t].sqrt())
        if t > 0: x = x + float(betas[t].sqrt()) * torch.randn(n, 784)
print("sample %r" % (time.perf_counter() - start), flush=True)
opt = torch.optim.Adam(m.parameters(), 2e-4)
batch = torch.rand(128, 784) * 2 - 1
abf = ab.float()
def step():
    t = torch.randint(0, T, (128,)); noise = torch.randn(128, 784)
    xt = abf[t].sqrt()[:, None] * batch + (1 - abf[t]).sqrt()[:, None] * noise
    loss = ((m(xt, E[t]) - noise) ** 2).mean()
    opt.zero_grad(); loss.backward(); opt.step()
for _ in range(3): step()
start = time.perf_counter()
for _ in range(train_steps): step()
print("train %r" % (train_steps / (time.perf_counter() - start)), flush=True)
