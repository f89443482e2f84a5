#include "core/model.h"

#include "core/initializers.h"
#include "core/invalid_input.h"
#include "core/linear_regression.h"

namespace cdsim {

std::unique_ptr<Model> make_model(const ModelSpec& spec, const Dataset& shape_source) {
  const std::size_t dimension = shape_source.dimension();
  if (dimension == 0) throw InvalidInput("", "data set " + shape_source.name + " has no features");
  if (spec.kind == "linear_regression") {
    if (shape_source.is_classification())
      throw InvalidInput("/kind", "linear_regression needs regression targets, but data set " + shape_source.name +
                                      " has class labels; use softmax_regression");
    check_initializer(spec.init, true);
    return std::make_unique<LinearRegression>(dimension, spec.init);
  }
  throw InvalidInput("/kind", "unknown model kind \"" + spec.kind + "\"; expected linear_regression");
}

}  // namespace cdsim
