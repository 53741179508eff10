"""Manifold's models as PyTorch modules, named as a run's model.safetensors names them, so checkpoints move
both ways with a strict `load_state_dict`.

Usage: python3 checkpoint_torch.py RUN_FOLDER   loads the run (strictly) and prints what it built.
As a module (`sys.path.insert(0, "Sources/Bench/Scripts")`):
  model, average, config = load_run("runs/NAME")   # average: the ddpm's weight average (ema.*), else None
  save_run(model, "runs/NAME", average)            # writes model.safetensors (F32); for a ddpm run with a
                                                   # weight average and none given, the weights stand in for it
Reads and writes safetensors itself (F32, F64, F16, BF16 read; F32 written), so only torch and numpy are needed.
Inputs: images [N, H*W] in [0, 1] (the ddpm's x_t in [-1, 1]); ddpm steps t are indices 0..T-1 (T = 1000).
"""
import json, math, os, sys
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16}


def read_safetensors(path):
    data = open(path, "rb").read()
    size = int.from_bytes(data[:8], "little")
    header, base, state = json.loads(data[8:8 + size]), 8 + size, {}
    for name, entry in header.items():
        if name == "__metadata__": continue
        a, b = entry["data_offsets"]
        raw = data[base + a:base + b]
        if entry["dtype"] == "BF16":
            values = torch.from_numpy(np.frombuffer(raw, dtype=np.int16).copy()).view(torch.bfloat16).float()
        else:
            values = torch.from_numpy(np.frombuffer(raw, dtype=DTYPES[entry["dtype"]]).astype(np.float32))
        state[name] = values.reshape(entry["shape"])
    return state


def write_safetensors(state, path):
    header, blobs, offset = {}, [], 0
    for name, tensor in state.items():
        blob = tensor.detach().cpu().float().contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob); blobs.append(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path + ".tmp", "wb") as f: f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))
    os.replace(path + ".tmp", path)


def perceptron(sizes, activation):  # Linear, activation, Linear, ...: names 0, 2, 4
    layers = []
    for i in range(len(sizes) - 1):
        if i: layers.append(activation())
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
    return nn.Sequential(*layers)


def classifier(kind, net, height, width, classes):  # mlp, cnn (--net standard, madry, wong); CNN input [N, 1, H, W]
    if kind == "mlp": return perceptron([height * width, 256, 256, classes], nn.ReLU)
    flat = (height // 4) * (width // 4)
    if net == "wong":
        return nn.Sequential(nn.Conv2d(1, 16, 4, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 4, 2, 1), nn.ReLU(), nn.Flatten(),
                             nn.Linear(32 * flat, 100), nn.ReLU(), nn.Linear(100, classes))
    k, hidden = (5, 1024) if net == "madry" else (3, 128)
    return nn.Sequential(nn.Conv2d(1, 32, k, padding=k // 2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, k, padding=k // 2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(64 * flat, hidden), nn.ReLU(), nn.Linear(hidden, classes))


class Autoencoder(nn.Module):  # ae; aae with adversary="discriminator"; wae --penalty critic with adversary="critic"
    def __init__(self, pixels, latent, adversary=None):
        super().__init__()
        self.encoder = perceptron([pixels, 512, 128, latent], nn.ReLU)
        self.decoder = perceptron([latent, 128, 512, pixels], nn.ReLU)
        if adversary: self.add_module(adversary, perceptron([latent, 128, 128, 1], nn.ReLU))  # D(z) / f(z): a logit / raw
    def decode(self, z): return torch.sigmoid(self.decoder(z))
    def forward(self, x): return self.decode(self.encoder(x))


class VAE(nn.Module):  # pytorch/examples vae/main.py; classes > 0: --conditional, one-hot label joined to fc1's and fc3's input
    def __init__(self, pixels, latent, classes=0):
        super().__init__()
        self.classes = classes
        self.fc1, self.fc21, self.fc22 = nn.Linear(pixels + classes, 400), nn.Linear(400, latent), nn.Linear(400, latent)
        self.fc3, self.fc4 = nn.Linear(latent + classes, 400), nn.Linear(400, pixels)
    def join(self, t, y):
        return torch.cat([t, F.one_hot(y, self.classes).float()], 1) if self.classes else t
    def encode(self, x, y=None):  # (mu, log sigma^2)
        h = F.relu(self.fc1(self.join(x, y))); return self.fc21(h), self.fc22(h)
    def decode(self, z, y=None): return torch.sigmoid(self.fc4(F.relu(self.fc3(self.join(z, y)))))
    def forward(self, x, y=None): return self.decode(self.encode(x, y)[0], y)


class DAE(nn.Module):  # several --sigmas: the one-hot index of the level (config.json's order) joined to the input
    def __init__(self, pixels, levels):
        super().__init__()
        self.levels = levels if levels > 1 else 0
        self.network = perceptron([pixels + self.levels, 512, 512, pixels], nn.SiLU)
    def forward(self, x, level=None):
        if self.levels: x = torch.cat([x, F.one_hot(level, self.levels).float()], 1)
        return torch.sigmoid(self.network(x))


def time_embedding(t, dim=128):  # [sin(t f_i), cos(t f_i)], f_i = 10000^(-i / 64), t the step index 0..T-1
    freq = torch.exp(-math.log(10000.0) * torch.arange(dim // 2, dtype=torch.float64) / (dim // 2))
    angle = torch.as_tensor(t, dtype=torch.float64).reshape(-1)[:, None] * freq[None]
    return torch.cat([angle.sin(), angle.cos()], 1).float()


class Block(nn.Module):  # residual block: GroupNorm(8), SiLU, conv, + time projection per channel, GroupNorm, SiLU, conv
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(8, cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.time = nn.Linear(128, cout)
        self.norm2, self.conv2 = nn.GroupNorm(8, cout), nn.Conv2d(cout, cout, 3, padding=1)
        if cin != cout: self.skip = nn.Conv2d(cin, cout, 1)
    def forward(self, x, time):
        h = self.conv1(F.silu(self.norm1(x))) + self.time(time)[:, :, None, None]
        return self.conv2(F.silu(self.norm2(h))) + (self.skip(x) if hasattr(self, "skip") else x)


class UNet(nn.Module):  # --net unet; classes > 0: --conditional (class.weight row `classes` is "no label")
    def __init__(self, side, classes=0):
        super().__init__()
        self.side = side
        self.time = nn.Sequential(nn.Linear(128, 128), nn.SiLU(), nn.Linear(128, 128))
        self.input = nn.Conv2d(1, 32, 3, padding=1)
        self.down = nn.ModuleList([Block(32, 32), Block(64, 64)])
        self.downsample = nn.ModuleList([nn.Conv2d(32, 64, 3, 2, 1), nn.Conv2d(64, 64, 3, 2, 1)])
        self.middle = Block(64, 64)
        self.up = nn.ModuleList([Block(128, 64), Block(96, 32)])
        self.output = nn.Module()
        self.output.norm, self.output.conv = nn.GroupNorm(8, 32), nn.Conv2d(32, 1, 3, padding=1)
        if classes: self.add_module("class", nn.Embedding(classes + 1, 128))
    def forward(self, x, t, y=None):
        time = self.time(time_embedding(t))
        if y is not None: time = time + getattr(self, "class")(y)
        time = F.silu(time)
        up = lambda h: F.interpolate(h, scale_factor=2, mode="nearest")
        first = self.down[0](self.input(x.view(-1, 1, self.side, self.side)), time)
        second = self.down[1](self.downsample[0](first), time)
        h = self.middle(self.downsample[1](second), time)
        h = self.up[0](torch.cat([up(h), second], 1), time)
        h = self.up[1](torch.cat([up(h), first], 1), time)
        return self.output.conv(F.silu(self.output.norm(h))).view(-1, self.side * self.side)


class DDPM(nn.Module):  # eps_theta(x_t, t[, y]): --net mlp, mlp-t (the default) or unet
    def __init__(self, pixels, net="mlp-t", classes=0):
        super().__init__()
        self.net = net
        if net == "unet":
            self.unet = UNet(int(round(math.sqrt(pixels))), classes)
            return
        self.network = perceptron([pixels + 128, 1024, 1024, pixels], nn.SiLU)
        if net == "mlp-t": self.time = nn.ModuleList([nn.Linear(128, 1024, bias=False), nn.Linear(128, pixels, bias=False)])
    def forward(self, x, t, y=None):  # y: class indices of a conditional U-Net (classes = no label), else None
        if self.net == "unet": return self.unet(x, t, y)
        e, l = time_embedding(t).expand(x.shape[0], -1), self.network
        if self.net == "mlp": return l(torch.cat([x, e], 1))
        h = l[1](l[0](torch.cat([x, e], 1)))
        h = l[3](l[2](h) + self.time[0](e))
        return l[4](h) + self.time[1](e)


class PCA(nn.Module):  # code = (x - mean) components^T, reconstruction = mean + code components
    def __init__(self, pixels, k):
        super().__init__()
        for name, shape in [("mean", [pixels]), ("components", [k, pixels]), ("explained_variance", [k]), ("total_variance", [1])]:
            self.register_buffer(name, torch.zeros(shape))
    def encode(self, x): return (x - self.mean) @ self.components.T
    def forward(self, x): return self.encode(x) @ self.components + self.mean


def build(config):
    """An untrained module of the run's architecture (config.json as a dict)."""
    kind = config["model"]
    height, width = config.get("image_height", 28), config.get("image_width", 28)
    pixels, classes = config.get("pixels", height * width), len(config.get("class_names", [None] * 10))
    if kind in ("mlp", "cnn"): return classifier(kind, config.get("net", "standard"), height, width, classes)
    latent = config.get("latent")
    if kind == "ae": return Autoencoder(pixels, latent)
    if kind == "aae": return Autoencoder(pixels, latent, "discriminator")
    if kind == "wae": return Autoencoder(pixels, latent, "critic" if config.get("penalty", "critic") == "critic" else None)
    if kind == "vae": return VAE(pixels, latent, classes if config.get("conditional") else 0)
    if kind == "dae": return DAE(pixels, len(config["sigmas"]))
    if kind == "ddpm": return DDPM(pixels, config.get("net", "mlp-t"), classes if config.get("conditional") else 0)
    if kind == "pca": return PCA(pixels, latent)
    raise ValueError("unknown model %r" % kind)


def load_run(folder):
    """(model, average, config): the run's weights loaded strictly; average is the ddpm's ema.* copy, else None."""
    config = json.load(open(os.path.join(folder, "config.json")))
    state = read_safetensors(os.path.join(folder, "model.safetensors"))
    model = build(config); model.load_state_dict({k: v for k, v in state.items() if not k.startswith("ema.")})
    average = None
    if any(k.startswith("ema.") for k in state):
        average = build(config); average.load_state_dict({k[4:]: v for k, v in state.items() if k.startswith("ema.")})
        average.eval()
    return model.eval(), average, config


def save_run(model, folder, average=None):
    """Writes model.safetensors into an existing run folder of the same architecture."""
    config = json.load(open(os.path.join(folder, "config.json")))
    state = dict(model.state_dict())
    if config["model"] == "ddpm" and config.get("ema", 0) > 0:  # the run samples with a weight average: ema.NAME
        state.update({"ema." + k: v for k, v in (average or model).state_dict().items()})
    write_safetensors(state, os.path.join(folder, "model.safetensors"))


if __name__ == "__main__":
    model, average, config = load_run(sys.argv[1])
    count = sum(p.numel() for p in model.state_dict().values())
    print("%s: %s, %d values%s" % (sys.argv[1], config["model"], count, ", with its weight average" if average else ""))
