#!/usr/bin/python3
"""The paper's FCN scenario (scenarios/paper/paper_fcn_fashion_cdsgd_ring.json) as a PyTorch
program on PyTorch's fastest path here, for timing next to a whole `cdsim run` of it: CDSGD
(x_j <- sum_l Pi[j][l] x_l - alpha g_j) with 5 agents on a 5-ring (self 0.34, neighbours
0.33), alpha 0.01, batch 128, IID shards of Fashion-MNIST, the 5 agents stacked into one
model (grouped 1x1 convolutions on oneDNN), evaluated as cdsim's default evaluation does:
at step 0 and after every epoch, every agent on the full train and test sets, the averaged
model on the test set, and the agents' consensus distance. Prints the final figures and
the wall seconds. PyTorch's default initialization stands in for cdsim's (the timing does not
depend on the weights' values). Usage: torch_paper_fcn_run.py [--epochs E] [--threads T]"""
import argparse
import gzip
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
AGENTS = 5


def read_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def stacked_fcn(agents):
    def layer(i, o):
        return nn.Conv2d(agents * i, agents * o, 1, groups=agents)
    layers = [layer(784, 50), nn.ReLU()]
    for _ in range(19):
        layers += [layer(50, 50), nn.ReLU()]
    return nn.Sequential(*layers, layer(50, 10))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    train_x = torch.from_numpy(read_idx("train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
    train_y = torch.from_numpy(read_idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    test_x = torch.from_numpy(read_idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
    test_y = torch.from_numpy(read_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    batch, alpha = 128, 0.01
    shards = torch.randperm(len(train_x)).chunk(AGENTS)
    steps_per_epoch = -(-len(train_x) // (AGENTS * batch))
    pi = torch.zeros(AGENTS, AGENTS)
    for j in range(AGENTS):
        pi[j, j] = 0.34
        pi[j, (j + 1) % AGENTS] = pi[j, (j - 1) % AGENTS] = 0.33
    model = stacked_fcn(AGENTS)
    with torch.no_grad():  # identical initial weights on every agent, as in the paper
        for p in model.parameters():
            p.copy_(p.view(AGENTS, -1)[0].repeat(AGENTS).view_as(p))
    loss_fn = nn.CrossEntropyLoss()

    def evaluate():
        model.eval()
        figures = {}
        with torch.no_grad():
            for name, x, y in (("train", train_x, train_y), ("test", test_x, test_y)):
                loss = torch.zeros(AGENTS)
                correct = torch.zeros(AGENTS)
                for i in range(0, len(x), 1000):
                    xb, yb = x[i:i + 1000], y[i:i + 1000]
                    logits = model(xb.repeat(1, AGENTS).view(len(xb), -1, 1, 1)).view(len(xb), AGENTS, 10)
                    for j in range(AGENTS):
                        loss[j] += nn.functional.cross_entropy(logits[:, j], yb, reduction="sum")
                        correct[j] += (logits[:, j].argmax(1) == yb).sum()
                figures[name + "_loss"] = (loss / len(x)).mean().item()
                figures[name + "_accuracy"] = (correct / len(x)).mean().item()
            # The averaged model on the test set, and the consensus distance.
            flat = torch.cat([p.view(AGENTS, -1) for p in model.parameters()], 1)
            mean = flat.mean(0, keepdim=True)
            figures["consensus_distance"] = ((flat - mean) ** 2).sum(1).mean().item()
            saved = [p.clone() for p in model.parameters()]
            for p in model.parameters():
                p.copy_(p.view(AGENTS, -1).mean(0).repeat(AGENTS).view_as(p))
            correct = 0
            for i in range(0, len(test_x), 1000):
                xb, yb = test_x[i:i + 1000], test_y[i:i + 1000]
                logits = model(xb.repeat(1, AGENTS).view(len(xb), -1, 1, 1)).view(len(xb), AGENTS, 10)
                correct += (logits[:, 0].argmax(1) == yb).sum().item()
            figures["average_model_test_accuracy"] = correct / len(test_x)
            for p, s in zip(model.parameters(), saved):
                p.copy_(s)
        model.train()
        return figures

    figures = evaluate()
    positions = [0] * AGENTS
    orders = [shard[torch.randperm(len(shard))] for shard in shards]
    for epoch in range(args.epochs):
        for _ in range(steps_per_epoch):
            index = []
            for j in range(AGENTS):
                if positions[j] + batch > len(orders[j]):
                    orders[j], positions[j] = shards[j][torch.randperm(len(shards[j]))], 0
                index.append(orders[j][positions[j]:positions[j] + batch])
                positions[j] += batch
            index = torch.stack(index, 1).reshape(-1)  # row b of agent j: index[b * AGENTS + j]
            x = train_x[index].view(batch, AGENTS * 784, 1, 1)
            model.zero_grad(set_to_none=True)
            loss = loss_fn(model(x).view(batch * AGENTS, 10), train_y[index]) * AGENTS
            loss.backward()
            with torch.no_grad():  # x_j <- sum_l Pi[j][l] x_l - alpha g_j, at the step's own x
                for p in model.parameters():
                    view = p.view(AGENTS, -1)
                    view.copy_(pi @ view - alpha * p.grad.view(AGENTS, -1))
        figures = evaluate()
    wall = time.perf_counter() - start
    print(" ".join(f"{k}={v:.4f}" for k, v in figures.items()))
    print(f"torch_wall_s {wall:.2f}")


if __name__ == "__main__":
    main()
