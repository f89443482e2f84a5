#include "scenarios/field_use.h"

#include <algorithm>
#include <initializer_list>

namespace cdsim {
namespace {

bool one_of(const std::string& value, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

}  // namespace

bool algorithm_reads(const std::string& kind, std::string_view field) {
  const bool synchronous = one_of(kind, {"cdsgd", "cdmsgd", "cdmsgd_two_sequence"});
  const bool centralized = one_of(kind, {"sgd", "msgd"});
  if (field == "momentum") return one_of(kind, {"cdmsgd", "cdmsgd_two_sequence", "msgd"});
  if (field == "consensus_steps" || field == "consensus_weight") return synchronous || kind == "async_cdsgd";
  if (field == "overlap_communication") return synchronous || kind == "choco_sgd";
  if (field == "communication") return centralized;
  if (field == "client_fraction" || field == "local_epochs") return kind == "fedavg";
  if (field == "compression") return kind == "choco_sgd" || centralized || kind == "fedavg";
  if (field == "consensus_step_size") return kind == "choco_sgd";
  if (field == "error_feedback") return centralized || kind == "fedavg";
  if (field == "timeout") return synchronous || centralized || kind == "fedavg" || kind == "choco_sgd" || kind == "sgp";  // sgd/msgd: parameter_server only
  return true;  // kind, learning_rate, weight_decay, batch_size, schedule: every algorithm
}

bool topology_reads(const std::string& kind, std::string_view field) {
  if (field == "neighbors_per_side") return one_of(kind, {"ring_lattice", "watts_strogatz"});
  if (field == "rows") return one_of(kind, {"grid", "torus"});
  if (field == "edge_probability") return kind == "erdos_renyi";
  if (field == "degree") return kind == "random_regular";
  if (field == "rewire_probability") return kind == "watts_strogatz";
  if (field == "attach_edges") return kind == "barabasi_albert";
  if (field == "file") return one_of(kind, {"edge_list", "dot", "graphml"});
  if (field == "period") return kind == "random_matching";
  if (field == "phases") return kind == "schedule";
  return true;
}

bool mixing_reads(const std::string& rule, std::string_view field) {
  if (field == "self_weight" || field == "neighbor_weight") return rule == "ring_preset";
  if (field == "matrix" || field == "file" || field == "allow_asymmetric") return rule == "explicit";
  return true;
}

}  // namespace cdsim
