#!/usr/bin/env bash
# Runs each cargo-fuzz target for SECONDS (default 60), seeded from the
# test corpus: rule files for the rule targets, the shipped and test
# datasets for the loader. Needs the nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`). A crash is saved under fuzz/artifacts/;
# the script goes on with the other targets and fails at the end if one
# crashed; `cargo +nightly fuzz run TARGET FILE` replays a crash.
#
#   scripts/fuzz.sh 600            # ten minutes per target
#   scripts/fuzz.sh 60 score       # one target
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(kpi_rules yaml_rules dataset score)

seed() {
  local target="$1" dir="fuzz/corpus/$1"
  mkdir -p "$dir"
  case "$target" in
    kpi_rules|score)
      find rules tests/corpus tests/eval -name '*.kpi' -exec cp {} "$dir/" \; ;;
    yaml_rules)
      find rules tests/corpus tests/eval -name '*.yaml' ! -name 'dataset.yaml' -exec cp {} "$dir/" \; ;;
    dataset)
      # flags byte, NUL, manifest, NUL, a CSV table, NUL, a JSONL table
      local n=0
      for d in tests/corpus/data tests/eval/hand/data tests/corpus/bad_datasets/*/; do
        for csv in "$d"/*.csv; do
          [ -f "$csv" ] || continue
          n=$((n + 1))
          { printf '\001\000'; cat "$d/dataset.yaml" 2>/dev/null || true; printf '\000';
            head -c 4000 "$csv"; printf '\000'; } > "$dir/seed-$n"
        done
      done ;;
  esac
}

failed=()
for t in "${targets[@]}"; do
  seed "$t"
  echo "== $t: ${seconds}s"
  log="fuzz/$t.log"
  if (cd fuzz && cargo +nightly fuzz run "$t" "corpus/$t" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1) >"$log" 2>&1; then
    grep -a -E '^(#[0-9]+.*DONE|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|Done)' "$log"
  else
    failed+=("$t")
    grep -a -E 'panicked|SUMMARY|Test unit written|ERROR' "$log" | head -5
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashed: ${failed[*]} (see fuzz/*.log and fuzz/artifacts/)"
  exit 1
fi
