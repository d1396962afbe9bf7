#!/usr/bin/env bash
# Installs what is missing, builds, runs every test, and ends with one
# line: "N passed, M failed". Exit status is non-zero on any failure.
#
#   tests/run.sh              the unit and integration tests (build/), then
#                             each libFuzzer harness for FUZZ_SECONDS
#                             (default 20) in a clang build (build-fuzz/)
#   tests/run.sh --sanitize   the unit and integration tests under
#                             AddressSanitizer, UndefinedBehaviorSanitizer
#                             and LeakSanitizer (build-asan/)
#   tests/run.sh NAME...      only those tests (no fuzzing)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
source "$top/tests/deps.sh"

sanitize=0
args=()
for arg in "$@"; do
  case $arg in
    --sanitize) sanitize=1 ;;
    *) args+=("$arg") ;;
  esac
done

install_missing "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${PYTHON_PACKAGES[@]}" || exit 1
# Without these the browser test fails and says what is missing.
read -ra browser_pkgs <<< "$(browser_packages)"
install_missing "${browser_pkgs[@]}" || echo "Cannot install ${browser_pkgs[*]}: the browser test will fail"

passed=0
failed=0

# Adds the single checks of a meson test log, not binaries: each runner
# prints "NN%: Checks: N, Failures: F, Errors: E"; a runner that died
# before its summary counts as one failure.
count_log() {
  local log=$1 line n f summaries binaries
  while IFS= read -r line; do
    if [[ $line =~ Checks:\ ([0-9]+),\ Failures:\ ([0-9]+),\ Errors:\ ([0-9]+) ]]; then
      n=${BASH_REMATCH[1]}; f=$((BASH_REMATCH[2] + BASH_REMATCH[3]))
      passed=$((passed + n - f)); failed=$((failed + f))
    fi
  done < "$log"
  summaries=$(grep -c 'Checks: [0-9]*, Failures' "$log" || true)
  binaries=$(grep -cE '^=+ [0-9]+/[0-9]+ =+$' "$log" || true)
  if [ "$summaries" -lt "$binaries" ]; then
    failed=$((failed + binaries - summaries))
  fi
}

# setup_build DIR OPTIONS...: configures DIR (again, if it exists) and
# builds it; FALSE when either fails.
setup_build() {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >/dev/null || return 1
  else
    # A build made by demos/run.sh may have the tests off.
    meson configure "$dir" "$@" >/dev/null || return 1
  fi
  ninja -C "$dir"
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

cd "$top"
if [ $sanitize = 1 ]; then
  build="$top/build-asan"
  # Demos and the benchmark add nothing the tests do not cover; Python
  # cannot load a sanitized library, so introspection stays off.
  if ! setup_build "$build" -Dtests=true -Ddemos=false -Dbench=disabled -Dintrospection=disabled \
       -Db_sanitize=address,undefined -Db_lundef=false; then
    echo "build failed"; failed=1; finish
  fi
else
  build="$top/build"
  if ! setup_build "$build" -Dtests=true -Ddemos=true; then
    echo "build failed"; failed=1; finish
  fi
fi

install_playwright "$build/tests/browser" || echo "Cannot install playwright-core: the browser test will fail"

meson test -C "$build" --print-errorlogs --num-processes 1 "${args[@]}"
status=$?
count_log "$build/meson-logs/testlog.txt"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi

# Fuzzing: only in the plain run of everything, and only with a clang that
# has libFuzzer (deps.sh installs Debian's).
if [ $sanitize = 0 ] && [ ${#args[@]} -eq 0 ]; then
  install_missing "${FUZZ_PACKAGES[@]}" || true
  fuzz="$top/build-fuzz"
  if ! command -v clang >/dev/null; then
    echo "fuzzing skipped: no clang"
  elif ! CC=clang setup_build "$fuzz" -Dfuzzing=true -Dtests=false -Ddemos=false -Dbench=disabled \
         -Dintrospection=disabled -Db_sanitize=address,undefined -Db_lundef=false; then
    echo "fuzzing build failed"; failed=$((failed + 1))
  else
    meson test -C "$fuzz" --print-errorlogs --num-processes 1 --suite fuzz --verbose
    fuzz_status=$?
    count_log "$fuzz/meson-logs/testlog.txt"
    if [ "$fuzz_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
      failed=1
    fi
  fi
fi

finish
