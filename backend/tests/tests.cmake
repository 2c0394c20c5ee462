# Unit tests of the back-end library (GoogleTest, label "backend").
find_package(GTest)
if(NOT GTest_FOUND)
  message(STATUS "vconform backend: GoogleTest not found, unit tests not built")
  return()
endif()
include(GoogleTest)
add_executable(vc_backend_tests
  ${CMAKE_CURRENT_LIST_DIR}/split-queue-test.cc
  ${CMAKE_CURRENT_LIST_DIR}/protocol-test.cc
  ${CMAKE_CURRENT_LIST_DIR}/trace-writer-test.cc
  ${CMAKE_CURRENT_LIST_DIR}/server-test.cc
  ${CMAKE_CURRENT_LIST_DIR}/guest-memory-test.cc)
target_include_directories(vc_backend_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(vc_backend_tests PRIVATE vc_backend GTest::gtest GTest::gtest_main)
gtest_discover_tests(vc_backend_tests TEST_PREFIX "backend." PROPERTIES LABELS backend TIMEOUT 60
                     DISCOVERY_TIMEOUT 30)

# The vhost-user-rng process itself (signals, a hostile front-end): runs the real binary.
add_executable(vc_backend_process_tests ${CMAKE_CURRENT_LIST_DIR}/process-test.cc)
target_include_directories(vc_backend_process_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/lib)
target_compile_definitions(vc_backend_process_tests PRIVATE VC_RNG_BINARY="$<TARGET_FILE:vhost-user-rng>")
target_link_libraries(vc_backend_process_tests PRIVATE GTest::gtest GTest::gtest_main Threads::Threads)
add_dependencies(vc_backend_process_tests vhost-user-rng)
gtest_discover_tests(vc_backend_process_tests TEST_PREFIX "backend." PROPERTIES LABELS backend TIMEOUT 60
                     DISCOVERY_TIMEOUT 30)
