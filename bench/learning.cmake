# Training throughput of core's models (forward + backward + update, samples per second)
# and the machine's Eigen matrix-product rate; bench/learning/run_learning_bench.sh runs it
# next to the same loop in PyTorch. Included from bench/CMakeLists.txt.
add_executable(cdsim_bench_learning ${CMAKE_CURRENT_LIST_DIR}/learning/learning_bench.cpp)
target_link_libraries(cdsim_bench_learning PRIVATE cdsim::core Threads::Threads cdsim_settings)
