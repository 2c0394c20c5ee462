# Ring-parser fuzzing. The replay driver is always built and run by ctest (label "backend"), so
# CI exercises the fuzz target with g++ on the committed corpus plus generated inputs. With
# -DVCONFORM_FUZZ=ON and clang, `ring_fuzzer` and `protocol_fuzzer` are the libFuzzer binaries:
#   build/backend/ring_fuzzer backend/fuzz/corpus -max_total_time=60
#   build/backend/protocol_fuzzer backend/fuzz/corpus-protocol -max_total_time=60
add_library(vc_ring_fuzz_target STATIC ${CMAKE_CURRENT_LIST_DIR}/ring_fuzz.cc)
target_link_libraries(vc_ring_fuzz_target PUBLIC vc_backend)
target_include_directories(vc_ring_fuzz_target PUBLIC ${CMAKE_CURRENT_LIST_DIR})

add_executable(ring_fuzz_replay ${CMAKE_CURRENT_LIST_DIR}/replay_main.cc)
target_link_libraries(ring_fuzz_replay PRIVATE vc_ring_fuzz_target)
add_test(NAME backend.ring_fuzz_replay
         COMMAND ring_fuzz_replay --random 20000 --seed 7 ${CMAKE_CURRENT_LIST_DIR}/corpus)
set_tests_properties(backend.ring_fuzz_replay PROPERTIES LABELS "backend;fuzz" TIMEOUT 120)

# The message stream through VhostUserServer::Serve (protocol_fuzz.cc).
add_library(vc_protocol_fuzz_target STATIC ${CMAKE_CURRENT_LIST_DIR}/protocol_fuzz.cc)
target_link_libraries(vc_protocol_fuzz_target PUBLIC vc_backend)
add_executable(protocol_fuzz_replay ${CMAKE_CURRENT_LIST_DIR}/replay_main.cc)
target_link_libraries(protocol_fuzz_replay PRIVATE vc_protocol_fuzz_target)
add_test(NAME backend.protocol_fuzz_replay
         COMMAND protocol_fuzz_replay --random 3000 --seed 11 ${CMAKE_CURRENT_LIST_DIR}/corpus-protocol)
set_tests_properties(backend.protocol_fuzz_replay PROPERTIES LABELS "backend;fuzz" TIMEOUT 120)

if(VCONFORM_FUZZ)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    add_executable(ring_fuzzer ${CMAKE_CURRENT_LIST_DIR}/ring_fuzz.cc
                   ${CMAKE_CURRENT_SOURCE_DIR}/lib/sigbus_guard.cc
                   ${CMAKE_CURRENT_SOURCE_DIR}/lib/guest_memory.cc
                   ${CMAKE_CURRENT_SOURCE_DIR}/lib/split_queue.cc)
    target_include_directories(ring_fuzzer PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/lib)
    target_compile_options(ring_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(ring_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    add_executable(protocol_fuzzer ${CMAKE_CURRENT_LIST_DIR}/protocol_fuzz.cc)
    target_link_libraries(protocol_fuzzer PRIVATE vc_backend)
    target_compile_options(protocol_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(protocol_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
  else()
    message(STATUS "vconform backend: VCONFORM_FUZZ needs clang; only the replay driver is built")
  endif()
endif()
