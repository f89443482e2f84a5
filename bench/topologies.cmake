# Topologies benchmarks; included from bench/CMakeLists.txt (include(topologies.cmake)).
# The 1,000,000-agent ring's spectral gap is timed here, never in a unit test.
add_executable(cdsim_bench_topologies ${CMAKE_CURRENT_LIST_DIR}/topologies/topologies_bench.cpp)
target_link_libraries(cdsim_bench_topologies PRIVATE cdsim::topologies benchmark::benchmark cdsim_settings)
