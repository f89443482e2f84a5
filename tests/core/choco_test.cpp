#include "core/choco.h"

#include <doctest/doctest.h>

#include <vector>

using namespace cdsim;

TEST_CASE("the CHOCO step moves x by gamma times the weighted gap between public copies, minus the gradient step") {
  const std::vector<float> x = {1.0f, -2.0f};
  const std::vector<float> own_hat = {0.5f, -1.0f};
  const std::vector<float> left_hat = {2.0f, 0.0f};
  const std::vector<float> right_hat = {-1.0f, 4.0f};
  const std::vector<float> gradient = {0.25f, 1.0f};
  const std::vector<WeightedParameters> copies = {{0.25, left_hat}, {0.5, own_hat}, {0.25, right_hat}};
  std::vector<float> out(2);
  choco_sgd_update(copies, own_hat, x, gradient, 0.5, 0.1, out);
  // sum_l w_l (x_hat_l - x_hat_j) = 0.25 (1.5, 1) + 0.25 (-1.5, 5) = (0, 1.5).
  CHECK(out[0] == doctest::Approx(1.0 + 0.5 * 0.0 - 0.1 * 0.25));
  CHECK(out[1] == doctest::Approx(-2.0 + 0.5 * 1.5 - 0.1 * 1.0));
}

TEST_CASE("public copies on both ends stay equal: the difference added back gives x when nothing is lost") {
  const std::vector<float> x = {3.0f, -0.5f, 7.25f};
  std::vector<float> x_hat = {1.0f, 1.0f, 1.0f};
  std::vector<float> q(3);
  public_copy_difference(x, x_hat, q);
  apply_public_update(x_hat, q);
  CHECK(x_hat == x);  // exact here: every value is a short binary fraction
}
