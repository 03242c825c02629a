#!/usr/bin/env bash
# The bench command: builds every function (and a hello-world lambda_http floor) in release,
# starts the local stack, and runs canopy-bench, which prints one markdown table and writes
# it to artifacts/bench.md. Not part of CI's tests (scripts/test.sh runs a smoke of it).
#
#   scripts/bench.sh                      everything
#   scripts/bench.sh --only cold,sizes    some sections (cold, warm, load, sizes)
#   scripts/bench.sh --runs 30 --requests 5000
# Criterion benches of the pure code: cargo bench -p canopy-shared --bench pure
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh
echo "bench: building release binaries (first time ~8 min on 2 cores)"
cargo build --release -p fn-auth -p fn-members -p fn-links -p fn-link-pages \
  -p fn-contacts -p fn-signup -p fn-conversations -p fn-messages -p fn-attachments \
  -p fn-upload-check -p fn-devices -p fn-audit -p fn-stream -p fn-reminders \
  -p fn-inbound-sms -p fn-inbound-email -p fn-delivery-status -p fn-sms-spend-limit \
  -p hello-lambda -p canopy-bench

export CANOPY_STACK_STATE=".local/stacks/bench-$$"
mkdir -p "$CANOPY_STACK_STATE"
trap 'scripts/stack.sh stop >/dev/null 2>&1 || true; rm -rf "$CANOPY_STACK_STATE"' EXIT
scripts/stack.sh start
# shellcheck disable=SC1091
source "$CANOPY_STACK_STATE/stack.env"
export CANOPY_STACK=1
target/release/canopy-bench "$@"
