#!/usr/bin/env bash
# THE test command: set-up, local stack, every Rust test, template lint, the contract
# (openapi.yaml linted and fuzzed), browser test.
#
#   scripts/test.sh                     everything
#   scripts/test.sh -p canopy-tests     extra args go to `cargo test` (then --workspace is
#   scripts/test.sh -- some_test_name   not added when you name a package yourself)
#
# The stack (DynamoDB Local + moto) runs for the whole script and is stopped on exit.
# Its variables (its stack.env, whose path is in CANOPY_STACK_ENV) plus CANOPY_STACK=1 and
# CHROMIUM_PATH are exported to cargo test and to scripts/browser-test.sh, which runs when
# present and fails this script when it fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "test: $*"; }

scripts/setup.sh --with-chromium

# Each run gets its own stack (state in .local/stacks/test-PID), so two test runs in one
# checkout don't stop each other's stack; stacks of runs that died are cleaned up here.
for dir in .local/stacks/test-*; do
  [ -d "$dir" ] || continue
  kill -0 "${dir##*-}" 2>/dev/null && continue
  CANOPY_STACK_STATE="$dir" scripts/stack.sh stop >/dev/null 2>&1 || true
  rm -rf "$dir"
done
export CANOPY_STACK_STATE=".local/stacks/test-$$"
mkdir -p "$CANOPY_STACK_STATE"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  scripts/stack.sh stop >/dev/null 2>&1 || true
  if [ "$rc" = 0 ]; then
    rm -rf "$CANOPY_STACK_STATE"
  else
    say "stack logs kept in $CANOPY_STACK_STATE/logs"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
scripts/stack.sh start
export CANOPY_STACK_ENV="$PWD/$CANOPY_STACK_STATE/stack.env"
# shellcheck source=/dev/null
source "$CANOPY_STACK_ENV"
export CANOPY_STACK=1
export CHROMIUM_PATH=/usr/bin/chromium

cargo_args=(--workspace)
for a in "$@"; do
  case "$a" in
    --) break ;;
    -p | --package | --package=* | -p?* | --workspace | --all) cargo_args=(); break ;;
  esac
done

failed=()
passed=()

step() {
  local name="$1"
  shift
  say "== $name: $*"
  if "$@"; then
    passed+=("$name")
  else
    say "!! $name FAILED (exit $?)"
    failed+=("$name")
  fi
}

step cargo-test cargo test "${cargo_args[@]}" "$@"
step cfn-lint .local/venv/bin/cfn-lint template.yaml
step openapi-current .local/venv/bin/python scripts/openapi.py --check
# A smoke run of the benchmark harness (debug build, a handful of requests): proves the
# bench still works; its figures mean nothing here. The real run is scripts/bench.sh.
bench_smoke() {
  cargo build -q -p canopy-bench && target/debug/canopy-bench --only warm --requests 3 > /dev/null
}
if [ "${#cargo_args[@]}" -gt 0 ]; then
  step bench-smoke bench_smoke
fi

# The contract: lint openapi.yaml (redocly), then fuzz a fresh dev server against it
# (schemathesis, a fixed seed and example count: about two minutes). `scripts/fuzz.sh --long`
# runs longer.
step openapi-lint scripts/fuzz.sh --lint-only
step fuzz scripts/fuzz.sh --skip-lint

if [ -f scripts/browser-test.sh ]; then
  step browser-test bash scripts/browser-test.sh
else
  say "browser-test: scripts/browser-test.sh not present, nothing to run"
fi

if ((${#failed[@]})); then
  say "FAILED: ${failed[*]} (ok: ${passed[*]:-none})"
  exit 1
fi
say "all steps OK: ${passed[*]}"
