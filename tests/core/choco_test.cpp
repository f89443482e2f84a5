#include "core/choco.h"

#include <doctest/doctest.h>

#include <vector>

#include "core/rng.h"

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

TEST_CASE("the public copy after a lossless exchange is the parameters bit for bit, even where x_hat + (x - x_hat) rounds") {
  // 1e-8 - 1 rounds to -1 in float, so adding the difference back would give 0, not 1e-8.
  const std::vector<float> x = {1e-8f, -0.3f, 7.25f};
  const std::vector<float> x_hat = {1.0f, 0.7f, 1.0f};
  std::vector<float> difference(3);
  public_copy_difference(x, x_hat, difference);
  REQUIRE(x_hat[0] + difference[0] != x[0]);
  std::vector<float> advanced(3);
  advance_public_copy(x, difference, difference, advanced);  // q = d: the identity lost nothing
  CHECK(advanced == x);
}

TEST_CASE("a lossy exchange moves the public copy by q: x - (d - q) = x_hat + q, and leaves unsent coordinates as they were") {
  const std::vector<float> x = {3.0f, -0.5f, 7.25f, 2.0f};
  const std::vector<float> x_hat = {1.0f, 1.0f, 1.0f, 1.5f};
  std::vector<float> difference(4);
  public_copy_difference(x, x_hat, difference);
  const std::vector<float> q = {0.0f, -1.25f, 6.0f, 0.0f};  // coordinates 1 and 2 sent, rounded
  std::vector<float> advanced(4);
  advance_public_copy(x, difference, q, advanced);
  for (std::size_t i = 0; i < 4; ++i) CHECK(advanced[i] == doctest::Approx(double(x_hat[i]) + double(q[i])));
  CHECK(advanced[0] == x_hat[0]);  // here x - (x - x_hat) is exact
  CHECK(advanced[3] == x_hat[3]);
}

TEST_CASE("with public copies equal to the parameters and gamma = 1, the CHOCO step is the CDSGD step bit for bit") {
  Rng rng(11, 0, RngPurpose::kData);
  const std::size_t d = 257;
  std::vector<std::vector<float>> x(3, std::vector<float>(d));
  std::vector<float> gradient(d);
  for (auto& vector : x) {
    for (float& value : vector) value = static_cast<float>(rng.normal() * 3.0);
  }
  for (float& value : gradient) value = static_cast<float>(rng.normal());
  // Weights that are not short binary fractions, so every product rounds.
  const std::vector<WeightedParameters> row = {{0.33, x[0]}, {0.34, x[1]}, {0.33, x[2]}};
  std::vector<float> cdsgd(d), choco(d);
  cdsgd_update(row, gradient, 0.0137, cdsgd);
  choco_sgd_update(row, x[1], x[1], gradient, 1.0, 0.0137, choco);
  CHECK(choco == cdsgd);
}

TEST_CASE("a copy of a public copy takes updates in sequence only; a gap or a repeat makes it stale until a whole copy") {
  PublicCopyReplica replica;
  CHECK(usable_at(replica, -1));  // x_hat(0) = 0 on both ends
  CHECK(receive_public_copy(replica, 0, false));
  CHECK(receive_public_copy(replica, 1, false));
  CHECK(usable_at(replica, 1));
  CHECK_FALSE(usable_at(replica, 2));
  // Step 2's update was lost: step 3's cannot be applied, nor anything after it.
  CHECK_FALSE(receive_public_copy(replica, 3, false));
  CHECK(replica.stale);
  CHECK_FALSE(usable_at(replica, 1));
  CHECK_FALSE(receive_public_copy(replica, 4, false));
  // An older whole copy changes nothing; the sender's whole copy of step 5 ends it.
  CHECK_FALSE(receive_public_copy(replica, 0, true));
  CHECK(replica.stale);
  CHECK(receive_public_copy(replica, 5, true));
  CHECK(usable_at(replica, 5));
  CHECK(receive_public_copy(replica, 6, false));
  CHECK(usable_at(replica, 6));
  // A step's update sent twice (a sender that crashed and re-ran the step) is a gap too.
  CHECK_FALSE(receive_public_copy(replica, 6, false));
  CHECK(replica.stale);
  CHECK(receive_public_copy(replica, 6, true));
  CHECK(usable_at(replica, 6));
}

TEST_CASE("an update that arrives late but in sequence still moves the copy") {
  PublicCopyReplica replica;
  CHECK(receive_public_copy(replica, 0, false));
  // The receiver mixed step 1 without it; it arrives during step 2, before step 2's.
  CHECK_FALSE(usable_at(replica, 1));
  CHECK(receive_public_copy(replica, 1, false));
  CHECK(receive_public_copy(replica, 2, false));
  CHECK(usable_at(replica, 2));
}
