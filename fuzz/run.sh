#!/bin/sh
# Runs one libFuzzer target for a fixed time and prints one line: runs, executions per second,
# coverage (cov: edges, ft: features) and corpus size. The seed corpus fuzz/corpus/TARGET is
# read, never written: new inputs go to BUILD/corpus/TARGET, a finding to BUILD/findings/.
# Usage: fuzz/run.sh BUILD TARGET SECONDS [SEED]   (exit 1 on a finding, with its log)
set -u
build=$1 target=$2 seconds=$3 seed=${4:-1}
here=$(cd "$(dirname "$0")" && pwd)
work="$build/corpus/$target"
findings="$build/findings"
log="$build/fuzz-$target.log"
mkdir -p "$work" "$findings"
max_len=4096
case $target in image | fsimage) max_len=20000 ;; esac
"$build/fuzz/fuzz_$target" -seed="$seed" -max_total_time="$seconds" -timeout=10 \
    -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$findings/$target-" \
    "$work" "$here/corpus/$target" >"$log" 2>&1
status=$?
# The last status line libFuzzer printed: "#RUNS ... cov: N ft: N corp: N/SIZE ... exec/s: N".
last=$(grep -aE '^#[0-9]+.* cov: ' "$log" | tail -n 1)
field() { echo "$last" | sed -n "s/.* $1: \([^ ]*\).*/\1/p"; }
runs=$(echo "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
printf 'fuzz %-9s %3ss  %9s runs  %6s exec/s  cov %6s  ft %6s  corpus %s\n' "$target" \
    "$seconds" "${runs:-?}" "${rate:-?}" "$(field cov)" "$(field ft)" "$(field corp)"
if [ "$status" -ne 0 ]; then
    grep -aE 'FINDING|ERROR|SUMMARY|runtime error' "$log" | head -n 5
    echo "fuzz $target: FINDING (exit $status); log $log; inputs in $findings/"
    exit 1
fi
