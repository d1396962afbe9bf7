#!/usr/bin/env bash
# Runs one libFuzzer harness for FUZZ_SECONDS (default 20) over its seed
# corpus, then prints its figures and a Check-style summary line, which
# tests/run.sh counts: one check per harness. New inputs go to a scratch
# directory, never into the seed corpus; a crashing input is kept beside
# the build as fuzz-<harness>-crash-<hash>.
set -u
fuzzer=$1
seeds=$2
seconds=${FUZZ_SECONDS:-20}
name=$(basename "$fuzzer")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"

"$fuzzer" -max_total_time="$seconds" -timeout=10 -max_len=4096 -print_final_stats=1 \
  -artifact_prefix="./$name-" "$work/corpus" "$seeds" >"$work/log" 2>&1
status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
if [ "$status" -eq 0 ] && [ -n "$runs" ]; then
  echo "$name: ${runs} runs in ${seconds} s, $(ls "$seeds" | wc -l) seeds, $(ls "$work/corpus" | wc -l) new inputs, no failure"
  echo "100%: Checks: 1, Failures: 0, Errors: 0"
else
  tail -n 60 "$work/log"
  echo "$name: failed (status $status)"
  echo "0%: Checks: 1, Failures: 1, Errors: 0"
  exit 1
fi
