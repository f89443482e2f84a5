#!/usr/bin/python3
"""The same training loop as cdsim_bench_learning, in PyTorch: samples per second of full
training steps (batch gather, forward, backward, SGD update) on random data, for the same
models, with torch.set_num_threads(T) (PyTorch parallelizes inside each operation).
Prints tab-separated lines: torch <model> <threads> <batch> <samples_per_s> <description>."""
import argparse
import time

import torch
from torch import nn


def fcn(inputs):
    layers = [nn.Linear(inputs, 50), nn.ReLU()]
    for _ in range(19):
        layers += [nn.Linear(50, 50), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(50, 10))


def cnn(channels, size, dropout=0.25):
    flat = 64 * (size // 4) * (size // 4)
    return nn.Sequential(
        nn.Conv2d(channels, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(dropout),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
        nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(dropout),
        nn.Flatten(), nn.Linear(flat, 512), nn.ReLU(), nn.Linear(512, 10))


MODELS = {
    # name: (builder, channels, size, flatten input)
    "softmax": (lambda: nn.Linear(784, 10), 1, 28, True),
    "mlp": (lambda: nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)), 1, 28, True),
    "fcn": (lambda: fcn(784), 1, 28, True),
    "cnn28": (lambda: cnn(1, 28), 1, 28, False),
    "cnn": (lambda: cnn(3, 32), 3, 32, False),
}


def throughput(name, threads, batch, seconds):
    torch.set_num_threads(threads)
    builder, channels, size, flat = MODELS[name]
    torch.manual_seed(1)
    model = builder()
    samples = 4096 if channels == 1 else 1024
    shape = (samples, channels * size * size) if flat else (samples, channels, size, size)
    data = torch.rand(shape)
    labels = torch.randint(0, 10, (samples,))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    model.train()
    order = torch.randperm(samples)
    position = 0

    def step():
        nonlocal position, order
        if position + batch > samples:
            order, position = torch.randperm(samples), 0
        index = order[position:position + batch]
        position += batch
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(data[index]), labels[index])
        loss.backward()
        optimizer.step()

    for _ in range(2):
        step()
    steps = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        steps += 1
    elapsed = time.perf_counter() - start
    parameters = sum(p.numel() for p in model.parameters())
    return steps * batch / elapsed, f"{name} ({parameters:,} parameters)"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--models", default="softmax,mlp,fcn,cnn")
    args = parser.parse_args()
    torch.set_num_interop_threads(1)
    for name in args.models.split(","):
        for threads in [int(t) for t in args.threads.split(",")]:
            rate, description = throughput(name, threads, args.batch, args.seconds)
            print(f"torch\t{name}\t{threads}\t{args.batch}\t{rate:.1f}\t{description}", flush=True)


if __name__ == "__main__":
    main()
