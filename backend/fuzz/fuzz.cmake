# Back-end fuzz targets, named like the checker's (tests/fuzz): the libFuzzer binary of target T
# is `fuzz-T`, its corpus the directory `corpus/T` next to its source, its replay test
# `fuzz.replay.T`. Targets: backend-ring (the split-ring parser over hostile guest memory) and
# backend-protocol (the vhost-user message stream with real fds through VhostUserServer::serve).
#
# Always: a replay driver per target (any compiler), run by ctest on the committed corpus plus
# generated inputs (label "backend;fuzz"). With -DVCONFORM_FUZZ=ON and clang, the libFuzzer
# binaries too, and the whole vc_backend library is built with coverage instrumentation (and
# ASan + UBSan), so the fuzzer is guided by the code it explores, not just the harness:
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DVCONFORM_FUZZ=ON
#   ninja -C build-fuzz fuzz-backend-protocol fuzz-backend-ring
#   build-fuzz/backend/fuzz-backend-protocol backend/fuzz/corpus/backend-protocol -max_total_time=60
set(_vc_backend_fuzz_targets backend-ring backend-protocol)
set(_vc_backend_fuzz_random_backend-ring 20000)
set(_vc_backend_fuzz_seed_backend-ring 7)
set(_vc_backend_fuzz_random_backend-protocol 1500)
set(_vc_backend_fuzz_seed_backend-protocol 11)
set(_vc_backend_fuzz_src_backend-ring ring-fuzz.cc)
set(_vc_backend_fuzz_src_backend-protocol protocol-fuzz.cc)

set(_vc_backend_libfuzzer OFF)
if(VCONFORM_FUZZ)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(_vc_backend_libfuzzer ON)
    # Coverage feedback from the library too; everything linking it then needs the runtimes.
    set(_vc_fuzz_san -fsanitize=address,undefined -fno-sanitize-recover=undefined)
    target_compile_options(vc_backend PRIVATE -fsanitize=fuzzer-no-link ${_vc_fuzz_san})
    target_link_options(vc_backend INTERFACE -fsanitize=fuzzer-no-link ${_vc_fuzz_san})
  else()
    message(STATUS "vconform backend: VCONFORM_FUZZ needs clang; only the replay drivers are built")
  endif()
endif()

foreach(_t ${_vc_backend_fuzz_targets})
  set(_src ${CMAKE_CURRENT_LIST_DIR}/${_vc_backend_fuzz_src_${_t}})
  add_library(vc_fuzz_target_${_t} STATIC ${_src})
  target_link_libraries(vc_fuzz_target_${_t} PUBLIC vc_backend)
  target_include_directories(vc_fuzz_target_${_t} PUBLIC ${CMAKE_CURRENT_LIST_DIR})
  add_executable(replay-${_t} ${CMAKE_CURRENT_LIST_DIR}/replay-main.cc)
  target_link_libraries(replay-${_t} PRIVATE vc_fuzz_target_${_t})
  add_test(NAME fuzz.replay.${_t}
           COMMAND replay-${_t} --random ${_vc_backend_fuzz_random_${_t}} --seed ${_vc_backend_fuzz_seed_${_t}}
                   ${CMAKE_CURRENT_LIST_DIR}/corpus/${_t})
  set_tests_properties(fuzz.replay.${_t} PROPERTIES LABELS "backend;fuzz" TIMEOUT 120)
  if(_vc_backend_libfuzzer)
    add_executable(fuzz-${_t} ${_src})
    target_include_directories(fuzz-${_t} PRIVATE ${CMAKE_CURRENT_LIST_DIR})
    target_link_libraries(fuzz-${_t} PRIVATE vc_backend)
    target_compile_options(fuzz-${_t} PRIVATE -fsanitize=fuzzer ${_vc_fuzz_san})
    target_link_options(fuzz-${_t} PRIVATE -fsanitize=fuzzer ${_vc_fuzz_san})
  endif()
endforeach()
