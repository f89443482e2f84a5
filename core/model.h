// The interface every trainable model implements. A model is the math only: its
// parameters live outside it, in one flat contiguous float32 vector per agent (layers are
// views into that vector). A Model instance owns scratch buffers, so each agent (or each
// worker thread) has its own instance; it is never shared between threads.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "core/dataset.h"
#include "core/model_spec.h"
#include "core/rng.h"

namespace cdsim {

struct Evaluation {
  double loss = 0;      // mean loss over the data set (cross-entropy, or 0.5 * squared error)
  double accuracy = 0;  // fraction correctly classified; NaN for regression models
};

class Model {
 public:
  virtual ~Model() = default;

  virtual std::size_t parameter_count() const = 0;
  // Forward + backward floating-point operations per training sample (a multiply-add is
  // 2), for the compute-time model.
  virtual double flops_per_sample() const = 0;
  // Writes initial parameters (size parameter_count()) drawn from `rng`.
  virtual void initialize(std::span<float> parameters, Rng& rng) const = 0;
  // Mean loss over the batch (rows of `data`); writes the gradient of that mean loss into
  // `gradient` (size parameter_count()). `dropout_rng` draws dropout masks (unused by models
  // without dropout). No allocation in steady state (while the batch size repeats).
  virtual double loss_and_gradient(std::span<const float> parameters, const Dataset& data,
                                   std::span<const std::size_t> batch, std::span<float> gradient,
                                   Rng& dropout_rng) = 0;
  // Inference mode (no dropout) over the whole data set, in chunks.
  virtual Evaluation evaluate(std::span<const float> parameters, const Dataset& data) = 0;
  // e.g. "mlp 784-128-10 relu (101,770 parameters)"
  virtual std::string describe() const = 0;
};

// Builds the model `spec` describes for samples shaped like `shape_source` (its dimension,
// sample_shape and num_classes). Throws InvalidInput ("/kind", "/hidden", "/activation",
// "/dropout", "/init") when the spec is bad or does not fit the data.
std::unique_ptr<Model> make_model(const ModelSpec& spec, const Dataset& shape_source);

}  // namespace cdsim
