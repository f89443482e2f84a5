#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "core/data_loader.h"
#include "core/invalid_input.h"
#include "core/layers.h"
#include "core/model.h"
#include "tests/core/gradient_check.h"
#include "tests/core/slow_tests.h"

using namespace cdsim;

namespace {

// Small images: a Gaussian mixture reshaped to channels x size x size.
Dataset images(int channels, int size, std::size_t classes, std::size_t samples,
               double noise_std = 1.0) {
  DataSpec spec;
  spec.source = "gaussian_mixture";
  spec.dimension = static_cast<std::size_t>(channels * size * size);
  spec.classes = classes;
  spec.train_samples = samples;
  spec.noise_std = noise_std;
  Dataset data = load_data(spec, 4).train;
  data.sample_shape = {channels, size, size};
  return data;
}

// An independent double-precision CNN forward pass straight from the documented layout
// (direct convolution loops over CHW images, no im2col), without dropout; returns the
// mean cross-entropy over `batch`.
struct Reference {
  int channels, size, classes;

  // in: c x h x w (CHW), kernel (3, 3, cin, cout), returns ReLU(conv) as cout x h x w.
  static std::vector<double> conv(const std::vector<double>& in, int cin, int h, int w, int cout,
                                  const std::vector<double>& p, std::size_t& offset) {
    std::vector<double> out(static_cast<std::size_t>(cout * h * w));
    const std::size_t bias = offset + static_cast<std::size_t>(9 * cin * cout);
    for (int o = 0; o < cout; ++o)
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          double sum = p[bias + static_cast<std::size_t>(o)];
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx) {
              const int iy = y + ky - 1, ix = x + kx - 1;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (int c = 0; c < cin; ++c)
                sum += in[static_cast<std::size_t>((c * h + iy) * w + ix)] *
                       p[offset + static_cast<std::size_t>(((ky * 3 + kx) * cin + c) * cout + o)];
            }
          out[static_cast<std::size_t>((o * h + y) * w + x)] = std::max(sum, 0.0);
        }
    offset = bias + static_cast<std::size_t>(cout);
    return out;
  }
  static std::vector<double> pool(const std::vector<double>& in, int c, int h, int w) {
    std::vector<double> out(static_cast<std::size_t>(c * (h / 2) * (w / 2)));
    for (int k = 0; k < c; ++k)
      for (int y = 0; y < h / 2; ++y)
        for (int x = 0; x < w / 2; ++x) {
          double best = -1e300;
          for (int dy = 0; dy < 2; ++dy)
            for (int dx = 0; dx < 2; ++dx)
              best = std::max(best,
                              in[static_cast<std::size_t>((k * h + 2 * y + dy) * w + 2 * x + dx)]);
          out[static_cast<std::size_t>((k * (h / 2) + y) * (w / 2) + x)] = best;
        }
    return out;
  }
  // Dense layer on a vector; `hwc_from` > 0 means the input is CHW with that many channels
  // and must be read in HWC order (Keras' channels-last flatten).
  static std::vector<double> dense(const std::vector<double>& in, int out_size,
                                   const std::vector<double>& p, std::size_t& offset, bool relu) {
    const auto n = static_cast<std::size_t>(out_size);
    std::vector<double> out(n);
    for (std::size_t o = 0; o < n; ++o) {
      double sum = p[offset + in.size() * n + o];
      for (std::size_t i = 0; i < in.size(); ++i) sum += in[i] * p[offset + i * n + o];
      out[o] = relu ? std::max(sum, 0.0) : sum;
    }
    offset += in.size() * n + n;
    return out;
  }

  double loss(const std::vector<double>& p, const Dataset& data,
              const std::vector<std::size_t>& batch) const {
    double total = 0;
    for (std::size_t sample : batch) {
      std::vector<double> x(data.dimension());
      for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = data.features(static_cast<Eigen::Index>(sample), static_cast<Eigen::Index>(i));
      std::size_t offset = 0;
      const int s = size, h = size / 2, q = size / 4;
      x = conv(x, channels, s, s, 32, p, offset);
      x = pool(conv(x, 32, s, s, 32, p, offset), 32, s, s);
      x = conv(x, 32, h, h, 64, p, offset);
      x = pool(conv(x, 64, h, h, 64, p, offset), 64, h, h);
      std::vector<double> flat(x.size());  // CHW -> HWC
      for (int c = 0; c < 64; ++c)
        for (int i = 0; i < q * q; ++i)
          flat[static_cast<std::size_t>(i * 64 + c)] = x[static_cast<std::size_t>(c * q * q + i)];
      const std::vector<double> hidden = dense(flat, 512, p, offset, true);
      const std::vector<double> logits = dense(hidden, classes, p, offset, false);
      total += testing::reference_cross_entropy(logits, data.labels[sample]);
    }
    return total / static_cast<double>(batch.size());
  }
};

}  // namespace

TEST_CASE("paper cnn loss and gradient match an independent double-precision direct convolution") {
  const Dataset data = images(2, 4, 3, 8);
  ModelSpec spec;
  spec.kind = "paper_cnn";
  spec.dropout = 0.0;
  std::unique_ptr<Model> model = make_model(spec, data);
  std::vector<float> parameters(model->parameter_count()), gradient(model->parameter_count());
  Rng init(2, 0, RngPurpose::kInitialization);
  model->initialize(parameters, init);
  // Give the biases small random values so that they are exercised too.
  Rng noise(3, 0, RngPurpose::kData);
  for (float& p : parameters)
    if (p == 0.0f) p = static_cast<float>(0.05 * noise.normal());
  const std::vector<std::size_t> batch = {1, 6};
  Rng dropout(1, 0, RngPurpose::kDropout);
  const double loss = model->loss_and_gradient(parameters, data, batch, gradient, dropout);
  const Reference reference{2, 4, 3};
  std::vector<double> x(parameters.begin(), parameters.end());
  CHECK(loss == doctest::Approx(reference.loss(x, data, batch)).epsilon(1e-5));
  // Coordinates spread over every kernel and bias.
  const std::vector<std::size_t> ends = {
      9 * 2 * 32,         9 * 2 * 32 + 32,        608 + 9 * 32 * 32,   608 + 9248,
      9856 + 9 * 32 * 64, 9856 + 18496,           28352 + 9 * 64 * 64, 28352 + 36928,
      65280 + 64 * 512,   65280 + 64 * 512 + 512, 98560 + 512 * 3,     98560 + 1539};
  REQUIRE(model->parameter_count() == ends.back());
  Rng pick(9, 0, RngPurpose::kSampling);
  std::vector<std::size_t> coordinates;
  std::size_t begin = 0;
  for (std::size_t end : ends) {
    for (int k = 0; k < 8; ++k) coordinates.push_back(begin + pick.uniform_index(end - begin));
    begin = end;
  }
  const testing::GradientCheck check = testing::check_against_reference(
      [&](const std::vector<double>& p) { return reference.loss(p, data, batch); }, x, gradient,
      coordinates);
  CHECK(check.gradient_norm > 1e-3);
  CHECK(check.relative_error < 1e-3);
}

TEST_CASE("paper cnn has the keras parameter counts for 28x28x1 and 32x32x3 inputs") {
  Dataset mnist_like;
  mnist_like.features.resize(1, 784);
  mnist_like.sample_shape = {1, 28, 28};
  mnist_like.num_classes = 10;
  mnist_like.labels = {0};
  ModelSpec spec;
  spec.kind = "paper_cnn";
  CHECK(make_model(spec, mnist_like)->parameter_count() ==
        320 + 9248 + 18496 + 36928 + (3136 * 512 + 512) + 5130);
  Dataset cifar_like = mnist_like;
  cifar_like.features.resize(1, 3072);
  cifar_like.sample_shape = {3, 32, 32};
  std::unique_ptr<Model> cifar = make_model(spec, cifar_like);
  CHECK(cifar->parameter_count() == 896 + 9248 + 18496 + 36928 + (4096 * 512 + 512) + 5130);
  // Forward multiply-adds of 32x32x3: 1024*27*32 + 1024*288*32 + 256*288*64 + 256*576*64 + 4096*512
  // + 512*10.
  const double forward_macs = 1024.0 * 27 * 32 + 1024.0 * 288 * 32 + 256.0 * 288 * 64 +
                              256.0 * 576 * 64 + 4096.0 * 512 + 5120;
  CHECK(cifar->flops_per_sample() > 2.0 * 2.0 * forward_macs);
  CHECK(cifar->flops_per_sample() < 2.0 * 3.1 * forward_macs);
  Dataset flat = mnist_like;
  flat.sample_shape = {784};
  CHECK_THROWS_AS(make_model(spec, flat), InvalidInput);
  spec.dropout = 1.0;
  CHECK_THROWS_AS(make_model(spec, mnist_like), InvalidInput);
}

TEST_CASE("dropout zeroes about the given fraction and scales the rest to keep the mean") {
  std::vector<float> values(100000, 2.0f), mask(values.size());
  Rng rng(1, 0, RngPurpose::kDropout);
  dropout_forward(values.data(), values.size(), 0.25, mask.data(), rng);
  const auto zeros = std::count(values.begin(), values.end(), 0.0f);
  CHECK(std::abs(static_cast<double>(zeros) / 100000.0 - 0.25) < 0.01);
  const auto other = std::count_if(values.begin(), values.end(), [](float v) {
    return v != 0.0f && std::abs(v - 2.0f / 0.75f) > 1e-6f;
  });
  CHECK(other == 0);
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / 100000.0;
  CHECK(mean == doctest::Approx(2.0).epsilon(0.02));
}

TEST_CASE("paper cnn dropout is drawn from the given stream and evaluation runs without it") {
  const Dataset data = images(1, 4, 3, 8);
  ModelSpec spec;
  spec.kind = "paper_cnn";
  std::unique_ptr<Model> model = make_model(spec, data);
  std::vector<float> parameters(model->parameter_count()), g1(parameters.size()),
      g2(parameters.size());
  Rng init(2, 0, RngPurpose::kInitialization);
  model->initialize(parameters, init);
  std::vector<std::size_t> all(8);
  std::iota(all.begin(), all.end(), std::size_t{0});
  Rng a(5, 0, RngPurpose::kDropout), b(5, 0, RngPurpose::kDropout), c(6, 0, RngPurpose::kDropout);
  const double loss_a = model->loss_and_gradient(parameters, data, all, g1, a);
  const double loss_b = model->loss_and_gradient(parameters, data, all, g2, b);
  CHECK(loss_a == loss_b);
  CHECK(g1 == g2);
  CHECK(model->loss_and_gradient(parameters, data, all, g2, c) != loss_a);
  spec.dropout = 0.0;
  std::unique_ptr<Model> without = make_model(spec, data);
  const double plain = without->loss_and_gradient(parameters, data, all, g2, c);
  CHECK(model->evaluate(parameters, data).loss == doctest::Approx(plain).epsilon(1e-5));
}

TEST_CASE("sgd trains the paper cnn on small images" * doctest::skip(testing::kSkipSlow)) {
  const Dataset data = images(1, 8, 4, 256, 1.0);
  ModelSpec spec;
  spec.kind = "paper_cnn";
  std::unique_ptr<Model> model = make_model(spec, data);
  std::vector<float> parameters(model->parameter_count()), gradient(parameters.size());
  Rng init(2, 0, RngPurpose::kInitialization);
  model->initialize(parameters, init);
  Rng dropout(1, 0, RngPurpose::kDropout);
  const double before = model->evaluate(parameters, data).loss;
  for (int epoch = 0; epoch < 10; ++epoch)
    for (std::size_t start = 0; start < 256; start += 32) {
      std::vector<std::size_t> batch(32);
      std::iota(batch.begin(), batch.end(), start);
      model->loss_and_gradient(parameters, data, batch, gradient, dropout);
      for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i] -= 0.1f * gradient[i];
    }
  const Evaluation after = model->evaluate(parameters, data);
  CHECK(after.loss < 0.5 * before);
  CHECK(after.accuracy > 0.9);
}
