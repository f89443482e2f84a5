// What a scenario says about the model each agent trains. Plain values with defaults;
// the scenario loader fills them and make_model (core/model.h) validates them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace cdsim {

struct ModelSpec {
  // linear_regression, softmax_regression, logistic_regression (= softmax over 2 classes),
  // mlp, paper_fcn (20 hidden layers of 50 ReLU units), paper_cnn; or none: no model at
  // all, for a communication-only replay whose messages are sized for `parameters` values
  std::string kind = "linear_regression";
  std::size_t parameters = 0;           // none only: the parameter count on the wire, >= 1
  std::vector<std::size_t> hidden;      // mlp hidden sizes
  std::string activation = "relu";      // mlp: relu or tanh
  double dropout = 0.25;                // paper_cnn
  std::string init = "glorot_uniform";  // glorot_uniform, normal (N(0, 0.05^2), as Keras), zeros
                                        // (linear models only)
};

// What can be checked without the data (kind, parameters, hidden sizes, activation,
// dropout, init); make_model calls it too. Throws InvalidInput with the field ("/kind",
// "/parameters", "/hidden/1", ...).
void validate(const ModelSpec& spec);

// Whether the spec is a communication-only replay (kind "none"): no model, no data.
inline bool is_replay(const ModelSpec& spec) { return spec.kind == "none"; }

}  // namespace cdsim
