#!/usr/bin/env bash
# Installs what is missing, builds, runs every test, and ends with one
# line: "N passed, M failed". Exit status is non-zero on any failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build="$top/build"
source "$top/tests/deps.sh"

install_missing "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${PYTHON_PACKAGES[@]}" || exit 1
# Without these the browser test fails and says what is missing.
read -ra browser_pkgs <<< "$(browser_packages)"
install_missing "${browser_pkgs[@]}" || echo "Cannot install ${browser_pkgs[*]}: the browser test will fail"

cd "$top"
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dtests=true -Ddemos=true >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
else
  # A build made by demos/run.sh may have the tests off.
  meson configure "$build" -Dtests=true -Ddemos=true >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi
if ! ninja -C "$build"; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

install_playwright "$build/tests/browser" || echo "Cannot install playwright-core: the browser test will fail"

meson test -C "$build" --print-errorlogs --num-processes 1 "$@"
status=$?

# Count single checks, not binaries: each Check runner prints
# "NN%: Checks: N, Failures: F, Errors: E"; a runner that died before its
# summary counts as one failure.
log="$build/meson-logs/testlog.txt"
passed=0
failed=0
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
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
