#!/usr/bin/env bash
# Runs every test: unit tests (cmocka, via ctest) in the Release and the
# ASan+UBSan builds, the store contract once more against a private MariaDB
# server (scripts/mariadb-test-server.sh, stopped on every exit), the
# shipped rules' check and rule tests, valgrind over the engine's main path,
# and the integration tests (real servers on loopback, Debian's
# /usr/bin/python3 with pytest). Ends with one line "tests: N passed, M
# failed" counting the suites.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh || exit 2

passed=0
failed=0
failures=()
suite() {  # suite NAME COMMAND...
  local name=$1; shift
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

./scripts/build.sh Release || exit 2
./scripts/build.sh Asan || exit 2

export DN_SHARED_DIR="$PWD/../shared"

# the private MariaDB server: started once, stopped however this script ends
mariadb_env=$(./scripts/mariadb-test-server.sh start) || { echo "cannot start MariaDB" >&2; exit 2; }
eval "$mariadb_env"
trap './scripts/mariadb-test-server.sh stop "$DN_MARIADB_DIR"' EXIT
export DN_TEST_MARIADB_DSN

suite "unit tests (release)" ctest --test-dir build --output-on-failure
suite "unit tests (asan+ubsan)" env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --test-dir build-asan --output-on-failure
# the same store contract (tests/unit/test_store.c) against MariaDB
suite "store contract on MariaDB (release)" env DN_TEST_STORE_DSN="$DN_TEST_MARIADB_DSN" \
  build/test_store
suite "store contract on MariaDB (asan+ubsan)" env DN_TEST_STORE_DSN="$DN_TEST_MARIADB_DSN" \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  build-asan/test_store
suite "check-rules rules/" build/dunningd check-rules rules
suite "test-rules rules/" build/dunningd test-rules rules
suite "valgrind: check and test the shipped rules" valgrind -q --error-exitcode=99 \
  --leak-check=full --errors-for-leak-kinds=definite build/dunningd test-rules rules
suite "integration tests (release)" env DUNNINGD="$PWD/build/dunningd" \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration
# the same against the sanitizer build (the converters and the check of the
# phone-number tables do not run the engine)
suite "integration tests (asan+ubsan)" env DUNNINGD="$PWD/build-asan/dunningd" \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration \
  --ignore=tests/integration/test_converters.py --ignore=tests/integration/test_location_data.py

echo
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
