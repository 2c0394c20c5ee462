# End-to-end tests (label e2e): real QEMU 7.2 + Debian 6.1 guest driving vhost-user-rng.
# Included from backend/CMakeLists.txt. Needs qemu-system-x86_64 (scripts/packages.txt) and
# network access to the Debian archive once, to fetch the kernel into the cache.
find_program(VC_QEMU_SYSTEM qemu-system-x86_64)
if(NOT VC_QEMU_SYSTEM)
  message(STATUS "vconform backend: qemu-system-x86_64 not found, e2e tests not registered")
  return()
endif()

set(VC_E2E_DIR ${CMAKE_CURRENT_LIST_DIR})
if(DEFINED ENV{VC_E2E_CACHE})
  set(VC_E2E_CACHE_DIR $ENV{VC_E2E_CACHE})
else()
  set(VC_E2E_CACHE_DIR ${CMAKE_BINARY_DIR}/e2e-cache)
endif()
set(VC_E2E_ENV "VC_BACKEND=$<TARGET_FILE:vhost-user-rng>" "VC_E2E_CACHE=${VC_E2E_CACHE_DIR}")
if(TARGET vconform)
  list(APPEND VC_E2E_ENV "VC_VCONFORM=$<TARGET_FILE:vconform>")
endif()

add_test(NAME e2e.guest-image COMMAND bash ${VC_E2E_DIR}/make-guest.sh ${VC_E2E_CACHE_DIR})
set_tests_properties(e2e.guest-image PROPERTIES FIXTURES_SETUP vc_e2e_guest LABELS e2e
                     TIMEOUT 600 RESOURCE_LOCK vc_qemu)

foreach(mode clean clean-4k clean-reload drop-kick-when-disabled process-before-enable notify-after-stop skip-reply
             process-outside-lock used-len-exceeds-writable vring-base-off-by-one)
  add_test(NAME e2e.${mode}
           COMMAND bash ${VC_E2E_DIR}/e2e-test.sh ${mode} ${CMAKE_BINARY_DIR}/e2e-runs/${mode})
  # One QEMU at a time: two TCG guests on 2 shared cores would slow each other past timeouts.
  set_tests_properties(e2e.${mode} PROPERTIES FIXTURES_REQUIRED vc_e2e_guest LABELS e2e
                       TIMEOUT 90 RESOURCE_LOCK vc_qemu ENVIRONMENT "${VC_E2E_ENV}")
endforeach()

# Same run through LTTng-UST: only when the back-end was built with tracepoints and the tools
# to record and read them are installed.
find_program(VC_LTTNG_CMD lttng)
find_program(VC_BABELTRACE2 babeltrace2)
if(VC_BACKEND_LTTNG AND VC_LTTNG_CMD AND VC_BABELTRACE2)
  add_test(NAME e2e.lttng COMMAND bash ${VC_E2E_DIR}/lttng-test.sh ${CMAKE_BINARY_DIR}/e2e-runs/lttng)
  # lttng_sessiond: the root session daemon is shared; every test that starts or stops it should
  # hold this lock (tests/readers' LTTng test does the same start-if-absent / stop-if-started).
  set_tests_properties(e2e.lttng PROPERTIES FIXTURES_REQUIRED vc_e2e_guest LABELS e2e
                       TIMEOUT 90 RESOURCE_LOCK "vc_qemu;lttng_sessiond" ENVIRONMENT "${VC_E2E_ENV}")
endif()

# The real-runs acceptance suite (tests/e2e/acceptance/): one test per configuration of
# configs.txt; each records a fresh run with every recorder (back-end JSON, LTTng CTF, QEMU's log,
# the guest's dmesg) and checks it with every shipped spec alone and all merged, over each
# recorder's trace and the recorders merged. Reports: build/e2e-runs/accept/NAME/{summary.txt,checks/}.
find_program(VC_PYTHON3 python3)
if(TARGET vconform AND VC_PYTHON3)
  file(STRINGS ${VC_E2E_DIR}/acceptance/configs.txt _vc_accept_lines REGEX "^[a-z0-9]")
  # The suite's judge (compare, known-wrong matching) and its shipped files, without QEMU (<1 s).
  add_test(NAME accept.selftest COMMAND ${VC_PYTHON3} ${VC_E2E_DIR}/acceptance/selftest.py)
  set_tests_properties(accept.selftest PROPERTIES LABELS accept TIMEOUT 30)
  set(_vc_accept_env ${VC_E2E_ENV})
  set(_vc_accept_locks vc_qemu)
  set(_vc_accept_fixtures vc_e2e_guest)
  if(VC_BACKEND_LTTNG AND VC_LTTNG_CMD)
    # A recording without its CTF trace fails (else the CTF checks are skipped with a note).
    list(APPEND _vc_accept_env "VC_ACCEPT_CTF=1")
    list(APPEND _vc_accept_locks lttng_sessiond)
    # One session daemon for the whole suite (record.sh would start and stop one per run: ~2 s).
    set(_vc_lttng_state ${CMAKE_BINARY_DIR}/e2e-runs/accept-sessiond.pid)
    add_test(NAME accept.lttng-daemon-start
             COMMAND bash ${VC_E2E_DIR}/lttng-daemon.sh start ${_vc_lttng_state})
    add_test(NAME accept.lttng-daemon-stop
             COMMAND bash ${VC_E2E_DIR}/lttng-daemon.sh stop ${_vc_lttng_state})
    set_tests_properties(accept.lttng-daemon-start PROPERTIES FIXTURES_SETUP vc_accept_lttng
                         LABELS "e2e;accept" RESOURCE_LOCK lttng_sessiond TIMEOUT 30)
    set_tests_properties(accept.lttng-daemon-stop PROPERTIES FIXTURES_CLEANUP vc_accept_lttng
                         LABELS "e2e;accept" RESOURCE_LOCK lttng_sessiond TIMEOUT 30)
    list(APPEND _vc_accept_fixtures vc_accept_lttng)
  endif()
  # Cost in CI: 12-34 s per configuration, ~5.5 min for the 16 (the QEMU runs are serialised by
  # the vc_qemu lock). TIMEOUT bounds a run that hangs: record.sh stops QEMU after 60 s
  # (VC_QEMU_TIMEOUT), so 120 s is twice the worst normal case.
  foreach(_line IN LISTS _vc_accept_lines)
    string(REGEX MATCH "^[^ \t]+" _name "${_line}")
    add_test(NAME accept.${_name}
             COMMAND ${VC_PYTHON3} ${VC_E2E_DIR}/acceptance/accept.py run ${_name}
                     ${CMAKE_BINARY_DIR}/e2e-runs/accept/${_name})
    set_tests_properties(accept.${_name} PROPERTIES FIXTURES_REQUIRED "${_vc_accept_fixtures}"
                         LABELS "e2e;accept" TIMEOUT 120 RESOURCE_LOCK "${_vc_accept_locks}"
                         ENVIRONMENT "${_vc_accept_env}")
  endforeach()
else()
  message(STATUS "vconform backend: python3 or the vconform target missing, acceptance suite not registered")
endif()
