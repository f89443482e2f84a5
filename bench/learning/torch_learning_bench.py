#!/usr/bin/python3
"""The same training loop as cdsim_bench_learning, in PyTorch, on PyTorch's fastest path on
this machine: the T agents that cdsim trains on T threads are stacked into one PyTorch model
(agent a owns channels a*C..(a+1)*C-1), every per-agent matrix product is a grouped 1x1
convolution and every per-agent convolution a grouped convolution (groups = T), so they go to
oneDNN rather than to Debian's reference BLAS behind nn.Linear; torch.set_num_threads(T),
one inter-op thread, and OMP_WAIT_POLICY=PASSIVE (idle OpenMP threads sleep instead of
spinning on the cores cdsim also uses). The loss is the sum over agents of each agent's mean
cross-entropy over its own minibatch, so each agent's gradient is its own, as in cdsim.
Measures samples per second of full training steps (batch gather, forward, backward, SGD
update) summed over the agents, on random data, for the same models.
Prints tab-separated lines: torch <model> <threads> <batch> <samples_per_s> <description>."""
import argparse
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads its OpenMP runtime

import torch  # noqa: E402
from torch import nn  # noqa: E402


class StackedLinear(nn.Module):
    """`agents` independent Linear(inputs, outputs) layers as one grouped 1x1 convolution on
    (batch, agents*inputs, 1, 1)."""

    def __init__(self, agents, inputs, outputs):
        super().__init__()
        self.conv = nn.Conv2d(agents * inputs, agents * outputs, 1, groups=agents)

    def forward(self, x):
        return self.conv(x)


class StackedFlatten(nn.Module):
    """(batch, agents*C, H, W) -> (batch, agents*C*H*W, 1, 1), each agent's features together."""

    def forward(self, x):
        return x.reshape(x.shape[0], -1, 1, 1)


def mlp(agents, inputs=784):
    return nn.Sequential(StackedLinear(agents, inputs, 128), nn.ReLU(), StackedLinear(agents, 128, 10))


def softmax(agents, inputs=784):
    return StackedLinear(agents, inputs, 10)


def fcn(agents, inputs=784):
    layers = [StackedLinear(agents, inputs, 50), nn.ReLU()]
    for _ in range(19):
        layers += [StackedLinear(agents, 50, 50), nn.ReLU()]
    return nn.Sequential(*layers, StackedLinear(agents, 50, 10))


def cnn(agents, channels, size, dropout=0.25):
    a = agents
    flat = 64 * (size // 4) * (size // 4)
    return nn.Sequential(
        nn.Conv2d(a * channels, a * 32, 3, padding=1, groups=a), nn.ReLU(),
        nn.Conv2d(a * 32, a * 32, 3, padding=1, groups=a), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(dropout),
        nn.Conv2d(a * 32, a * 64, 3, padding=1, groups=a), nn.ReLU(),
        nn.Conv2d(a * 64, a * 64, 3, padding=1, groups=a), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(dropout),
        StackedFlatten(), StackedLinear(a, flat, 512), nn.ReLU(), StackedLinear(a, 512, 10))


MODELS = {
    # name: (builder(agents), channels, size)
    "softmax": (softmax, 1, 28),
    "mlp": (mlp, 1, 28),
    "fcn": (fcn, 1, 28),
    "cnn28": (lambda a: cnn(a, 1, 28), 1, 28),
    "cnn": (lambda a: cnn(a, 3, 32), 3, 32),
}


def throughput(name, threads, batch, seconds, cpu_clock=False):
    torch.set_num_threads(threads)
    agents = threads
    builder, channels, size = MODELS[name]
    torch.manual_seed(1)
    model = builder(agents)
    samples = 4096 if channels == 1 else 1024
    data = torch.rand((samples, channels, size, size))
    labels = torch.randint(0, 10, (samples,))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    model.train()
    order = torch.randperm(samples)
    position = 0
    per_step = batch * agents

    def step():
        nonlocal position, order
        if position + per_step > samples:
            order, position = torch.randperm(samples), 0
        index = order[position:position + per_step]
        position += per_step
        # Row b of agent a is sample index[b * agents + a]: every agent its own minibatch.
        x = data[index].reshape(batch, agents * channels, size, size)
        if channels == 1 and name in ("softmax", "mlp", "fcn"):
            x = x.reshape(batch, agents * size * size, 1, 1)
        optimizer.zero_grad(set_to_none=True)
        logits = model(x).reshape(batch * agents, 10)
        # Mean over each agent's batch, summed over agents.
        loss = loss_fn(logits, labels[index]) * agents
        loss.backward()
        optimizer.step()

    for _ in range(2):
        step()
    steps = 0
    start = time.perf_counter()
    cpu_start = time.process_time()  # every thread of the process
    while time.perf_counter() - start < seconds:
        step()
        steps += 1
    elapsed = time.process_time() - cpu_start if cpu_clock else time.perf_counter() - start
    parameters = sum(p.numel() for p in model.parameters()) // agents
    return steps * per_step / elapsed, f"{name} ({parameters:,} parameters per agent, {agents} stacked)"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--models", default="softmax,mlp,fcn,cnn")
    parser.add_argument("--cpu-clock", action="store_true",
                        help="samples per CPU second of the process instead of per wall second")
    args = parser.parse_args()
    torch.set_num_interop_threads(1)
    for name in args.models.split(","):
        for threads in [int(t) for t in args.threads.split(",")]:
            rate, description = throughput(name, threads, args.batch, args.seconds, args.cpu_clock)
            print(f"torch\t{name}\t{threads}\t{args.batch}\t{rate:.1f}\t{description}", flush=True)


if __name__ == "__main__":
    main()
