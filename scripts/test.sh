#!/usr/bin/env bash
# THE test command: set-up, local stack, every Rust test, template lint, browser test.
#
#   scripts/test.sh                     everything
#   scripts/test.sh -p canopy-tests     extra args go to `cargo test` (then --workspace is
#   scripts/test.sh -- some_test_name   not added when you name a package yourself)
#
# The stack (DynamoDB Local + moto) runs for the whole script and is stopped on exit.
# Its variables (.local/stack.env) plus CANOPY_STACK=1 are exported to cargo test and to
# scripts/browser-test.sh, which runs when present and fails this script when it fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "test: $*"; }

scripts/setup.sh --with-chromium

trap 'scripts/stack.sh stop >/dev/null 2>&1 || true' EXIT
scripts/stack.sh start
# shellcheck source=/dev/null
source .local/stack.env
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
