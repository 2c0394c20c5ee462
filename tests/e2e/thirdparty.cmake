# End-to-end runs of third-party vhost-user back-ends (labels e2e, thirdparty): QEMU 7.2's C
# virtiofsd (Debian qemu-system-common) and DPDK's testpmd (Debian dpdk-dev, unpacked into the
# cache by tests/e2e/fetch-dpdk.sh), each served to QEMU with a Debian 6.1 guest; the test checks
# the guest, the two logs, and vconform's verdict on them (tests/e2e/thirdparty-expected/).
# Included from tests/CMakeLists.txt. Cost: ~10-15 s a run on an idle 2-core machine; fetching
# DPDK (81 packages, 6 MB) ~15-50 s once per cache.
find_program(VC_3P_QEMU qemu-system-x86_64)
if(NOT VC_3P_QEMU)
  message(STATUS "vconform: qemu-system-x86_64 not found, third-party e2e tests not registered")
  return()
endif()
set(VC_3P_DIR ${CMAKE_CURRENT_LIST_DIR})
if(DEFINED ENV{VC_E2E_CACHE})
  set(VC_3P_CACHE $ENV{VC_E2E_CACHE})
else()
  set(VC_3P_CACHE ${CMAKE_BINARY_DIR}/e2e-cache)
endif()
set(VC_3P_ENV "VC_E2E_CACHE=${VC_3P_CACHE}" "VC_VCONFORM=$<TARGET_FILE:vconform>")

add_test(NAME e2e-3p.guest-image COMMAND bash ${VC_3P_DIR}/make-thirdparty-guest.sh ${VC_3P_CACHE})
set_tests_properties(e2e-3p.guest-image PROPERTIES FIXTURES_SETUP vc_3p_guest LABELS "e2e;thirdparty"
                     TIMEOUT 600 RESOURCE_LOCK vc_qemu)
add_test(NAME e2e-3p.dpdk-fetch COMMAND bash ${VC_3P_DIR}/fetch-dpdk.sh ${VC_3P_CACHE})
set_tests_properties(e2e-3p.dpdk-fetch PROPERTIES FIXTURES_SETUP vc_3p_dpdk LABELS "e2e;thirdparty"
                     TIMEOUT 600)

set(VC_3P_RUNS virtiofsd/clean virtiofsd/reload virtiofsd/pool dpdk/clean dpdk/reload)
foreach(run ${VC_3P_RUNS})
  string(REPLACE "/" ";" parts ${run})
  list(GET parts 0 backend)
  list(GET parts 1 mode)
  set(fixtures vc_3p_guest)
  if(backend STREQUAL "dpdk")
    list(APPEND fixtures vc_3p_dpdk)
  endif()
  add_test(NAME e2e-3p.${backend}-${mode}
           COMMAND bash ${VC_3P_DIR}/thirdparty-test.sh ${backend} ${mode}
                   ${CMAKE_BINARY_DIR}/e2e-runs/3p-${backend}-${mode})
  # One QEMU at a time (shared with tests/e2e/e2e.cmake): TCG guests on 2 cores slow each other.
  set_tests_properties(e2e-3p.${backend}-${mode} PROPERTIES FIXTURES_REQUIRED "${fixtures}"
                       LABELS "e2e;thirdparty" TIMEOUT 240 RESOURCE_LOCK vc_qemu
                       ENVIRONMENT "${VC_3P_ENV}")
endforeach()
