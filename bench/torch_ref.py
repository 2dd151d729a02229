#!/usr/bin/env python3
"""PyTorch reference for `deno task bench`: the same CEN network (ResNet10/18 or -Tiny backbone,
LDL and regression heads), trained with softmax cross-entropy + L1 and SGD, channels_last, on
`--threads` threads; inference in eval mode under no_grad. `--bf16` runs forward passes under
`torch.autocast("cpu", dtype=torch.bfloat16)` (convolutions and matmuls in bfloat16, the backward
following them; weights and the update in float32). `--cpu-time` divides by the process's CPU time
instead of wall time (steadier when other processes share the cores; use it with 1 thread).
Prints one JSON line: {"train": img/s, "infer": img/s}.

Run with Debian's python (/usr/bin/python3) after `tools/setup-native.sh --torch`.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.a_bn = nn.BatchNorm2d(cout)
        self.b = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b_bn = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.a_bn(self.a(x)))
        y = self.b_bn(self.b(y))
        return F.relu(y + (self.down(x) if self.down is not None else x))


class Cen(nn.Module):
    def __init__(self, blocks, num_ages, stem=32, widths=(32, 64, 128, 256)):
        super().__init__()
        self.conv1 = nn.Conv2d(3, stem, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        layers, cin = [], stem
        for stage, w in enumerate(widths):
            for b in range(blocks):
                layers.append(Block(cin, w, 2 if stage > 0 and b == 0 else 1))
                cin = w
        self.body = nn.Sequential(*layers)
        self.ldl = nn.Linear(cin, num_ages)
        self.reg = nn.Linear(cin, 1)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        f = torch.flatten(F.adaptive_avg_pool2d(self.body(x), 1), 1)
        return self.ldl(f), self.reg(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--net", default="resnet10-tiny", choices=["resnet10-tiny", "resnet18-tiny", "resnet10", "resnet18"]
    )
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--windows", type=int, default=3, help="best of this many timing windows")
    ap.add_argument("--bf16", action="store_true", help="forward passes under bfloat16 autocast")
    ap.add_argument("--cpu-time", action="store_true", help="rates per CPU-second, not wall second")
    a = ap.parse_args()
    clock = time.process_time if a.cpu_time else time.perf_counter
    autocast = lambda: torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    blocks = 1 if a.net.startswith("resnet10") else 2
    widths = (32, 64, 128, 256) if a.net.endswith("-tiny") else (64, 128, 256, 512)
    model = Cen(blocks, 101, stem=widths[0], widths=widths).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(a.batch, 3, a.size, a.size).to(memory_format=torch.channels_last)
    cls = torch.randint(0, 101, (a.batch,))
    y = torch.rand(a.batch)

    def step():
        opt.zero_grad()
        with autocast():
            z, s = model(x)
            loss = F.cross_entropy(z.float(), cls) + 4 * (s.float().view(-1) - y).abs().mean()
        loss.backward()
        opt.step()

    def best(f):
        rate = 0.0
        for _ in range(a.windows):
            t0 = clock()
            for _ in range(a.steps):
                f()
            rate = max(rate, a.batch * a.steps / (clock() - t0))
        return rate

    model.train()
    for _ in range(2):
        step()
    train = best(step)

    model.eval()
    with torch.no_grad(), autocast():
        for _ in range(2):
            model(x)
        infer = best(lambda: model(x))
    print(json.dumps({"train": train, "infer": infer}))


if __name__ == "__main__":
    main()
