#include "core/dense_network.h"
#include "core/initializers.h"
#include "core/invalid_input.h"
#include "core/linear_regression.h"
#include "core/model.h"
#include "core/paper_cnn.h"

namespace cdsim {
namespace {

constexpr std::size_t kMaxLayerWidth = 1'000'000;

void require_labels(const ModelSpec& spec, const Dataset& data) {
  if (!data.is_classification())
    throw InvalidInput("/kind", spec.kind + " needs class labels, but data set " + data.name +
                                    " is a regression problem; use linear_regression");
}

std::unique_ptr<Model> make_dense(const ModelSpec& spec, const Dataset& data,
                                  const std::vector<std::size_t>& hidden) {
  require_labels(spec, data);
  std::vector<std::size_t> sizes = {data.dimension()};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(static_cast<std::size_t>(data.num_classes));
  return std::make_unique<DenseNetwork>(spec.kind, std::move(sizes), spec.activation, spec.init);
}

std::unique_ptr<Model> make_cnn(const ModelSpec& spec, const Dataset& data) {
  require_labels(spec, data);
  const std::vector<int>& shape = data.sample_shape;
  if (shape.size() != 3 || shape[0] < 1 || shape[1] < 4 || shape[2] < 4 || shape[1] % 4 != 0 ||
      shape[2] % 4 != 0 ||
      static_cast<std::size_t>(shape[0]) * static_cast<std::size_t>(shape[1]) *
              static_cast<std::size_t>(shape[2]) !=
          data.dimension())
    throw InvalidInput(
        "/kind",
        "paper_cnn needs images (channels, height, width) with height and width divisible "
        "by 4; data set " +
            data.name + " has samples of " + std::to_string(data.dimension()) + " features");
  return std::make_unique<PaperCnn>(shape[0], shape[1], shape[2], data.num_classes, spec.dropout,
                                    spec.init);
}

}  // namespace

void validate(const ModelSpec& spec) {
  const std::string& kind = spec.kind;
  if (is_replay(spec)) {
    if (spec.parameters == 0) {
      throw InvalidInput("/parameters", "model kind \"none\" (a communication-only replay) needs a parameter "
                                        "count >= 1: the size of the model its messages carry");
    }
    return;
  }
  if (spec.parameters != 0) {
    throw InvalidInput("/parameters", "only model kind \"none\" takes a parameter count; model \"" + kind +
                                          "\" has the parameters of its layers");
  }
  const bool linear =
      kind == "linear_regression" || kind == "softmax_regression" || kind == "logistic_regression";
  if (!linear && kind != "mlp" && kind != "paper_fcn" && kind != "paper_cnn")
    throw InvalidInput(
        "/kind",
        "unknown model kind \"" + kind +
            "\"; expected linear_regression, softmax_regression, logistic_regression, mlp, "
            "paper_fcn, paper_cnn, none");
  check_initializer(spec.init, linear);
  if (kind == "mlp") {
    if (spec.hidden.empty())
      throw InvalidInput("/hidden", "mlp needs at least one hidden layer size");
    for (std::size_t i = 0; i < spec.hidden.size(); ++i)
      if (spec.hidden[i] == 0 || spec.hidden[i] > kMaxLayerWidth)
        throw InvalidInput("/hidden/" + std::to_string(i),
                           "hidden layer size " + std::to_string(spec.hidden[i]) +
                               " is out of range; expected 1 to 1000000");
  }
  if (kind == "mlp" && spec.activation != "relu" && spec.activation != "tanh")
    throw InvalidInput("/activation",
                       "unknown activation \"" + spec.activation + "\"; expected relu or tanh");
  if (kind == "paper_fcn" && spec.activation != "relu")
    throw InvalidInput("/activation", "paper_fcn uses relu");
  if (kind == "paper_cnn" && !(spec.dropout >= 0.0 && spec.dropout < 1.0))
    throw InvalidInput("/dropout", "dropout must be in [0, 1)");
}

std::unique_ptr<Model> make_model(const ModelSpec& spec, const Dataset& shape_source) {
  validate(spec);
  if (is_replay(spec)) {
    throw InvalidInput("/kind", "model kind \"none\" has no math to build; it runs only as a communication-only replay");
  }
  const std::size_t dimension = shape_source.dimension();
  if (dimension == 0) throw InvalidInput("", "data set " + shape_source.name + " has no features");
  if (spec.kind == "linear_regression") {
    if (shape_source.is_classification())
      throw InvalidInput("/kind", "linear_regression needs regression targets, but data set " +
                                      shape_source.name +
                                      " has class labels; use softmax_regression");
    return std::make_unique<LinearRegression>(dimension, spec.init);
  }
  if (spec.kind == "softmax_regression") return make_dense(spec, shape_source, {});
  if (spec.kind == "logistic_regression") {
    if (shape_source.num_classes != 2)
      throw InvalidInput(
          "/kind", "logistic_regression needs 2 classes, data set " + shape_source.name + " has " +
                       std::to_string(shape_source.num_classes) + "; use softmax_regression");
    return make_dense(spec, shape_source, {});
  }
  if (spec.kind == "mlp") return make_dense(spec, shape_source, spec.hidden);
  if (spec.kind == "paper_fcn")
    return make_dense(spec, shape_source, std::vector<std::size_t>(20, 50));
  return make_cnn(spec, shape_source);
}

}  // namespace cdsim
