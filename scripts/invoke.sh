#!/usr/bin/env bash
# Runs one function, HTTP or event, on an event file against the local stack and prints its
# answer: what `sam local invoke FUNCTION -e EVENT_FILE` does, without Docker, through the
# ecosystem's own tool, cargo-lambda (installed in .local/venv from PyPI by scripts/setup.sh):
# `cargo lambda watch` plays the Lambda runtime API and runs the function's real binary,
# `cargo lambda invoke` hands it the event.
#
#   scripts/invoke.sh FUNCTION EVENT_FILE
#     FUNCTION     template.yaml logical id (LinkPagesFunction, StreamFunction, …) or the
#                  binary name (link-pages, stream, inbound-sms, …)
#     EVENT_FILE   e.g. events/link-pages/click.json, events/inbound-sms/message.json
#
# Stack: with CANOPY_STACK_ENV naming a running stack's env file (scripts/run.sh prints
# .local/stack.env; the tests export theirs) that stack is used, with its TABLE_NAME (default
# canopy-local). Otherwise a stack of its own is started for the call and stopped after.
# The table is created from template.yaml when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

say() { echo "invoke: $*" >&2; }
die() { echo "invoke: ERROR: $*" >&2; exit 1; }

[ $# -eq 2 ] || { sed -n '2,18p' "$0" >&2; exit 2; }
function_arg="$1"
event_file="$2"
[ -f "$event_file" ] || die "no event file $event_file"

# Logical id or binary name → the binary (BuildProperties.Binary in template.yaml).
binary="$(python3 - "$function_arg" <<'PY'
import re, sys
name, text = sys.argv[1], open("template.yaml").read()
binaries = re.findall(r"^  (\w+):\n(?:(?:    .*|)\n)*?        Binary: (\S+)", text, re.M)
for logical, binary in binaries:
    if name in (logical, binary):
        print(binary)
        break
PY
)"
[ -n "$binary" ] || die "no function $function_arg in template.yaml"

scripts/setup.sh >/dev/null
CARGO_LAMBDA="$ROOT/.local/venv/bin/cargo-lambda"
[ -x "$CARGO_LAMBDA" ] || die "cargo-lambda missing from .local/venv (scripts/setup.sh installs it)"

state="$(mktemp -d "${TMPDIR:-/tmp}/canopy-invoke.XXXXXX")"
watch_pid=""
own_stack=""
cleanup() {
  if [ -n "$watch_pid" ]; then kill -- -"$watch_pid" 2>/dev/null || true; fi
  if [ -n "$own_stack" ]; then CANOPY_STACK_STATE="$own_stack" scripts/stack.sh stop >/dev/null 2>&1 || true; rm -rf "$own_stack"; fi
  rm -rf "$state"
}
trap cleanup EXIT

if [ -z "${CANOPY_STACK_ENV:-}" ]; then
  own_stack="$ROOT/.local/stacks/invoke-$$"
  mkdir -p "$own_stack"
  CANOPY_STACK_STATE="$own_stack" scripts/stack.sh start >&2
  CANOPY_STACK_ENV="$own_stack/stack.env"
fi
# shellcheck source=/dev/null
source "$CANOPY_STACK_ENV"
export TABLE_NAME="${TABLE_NAME:-canopy-local}"

say "table $TABLE_NAME"
cargo run -q -p canopy-local --bin canopy-dev -- --table-only >&2

# cargo-lambda's env file: KEY="VALUE" lines (quoted: URLs carry `?` and `=`).
env_file="$state/env"
{ sed -n 's/^export \([A-Z0-9_]*\)=\(.*\)$/\1="\2"/p' "$CANOPY_STACK_ENV"
  echo "TABLE_NAME=\"$TABLE_NAME\""; echo "RUST_LOG=\"${RUST_LOG:-warn}\""; } >"$env_file"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
setsid "$CARGO_LAMBDA" lambda watch --ignore-changes \
  --invoke-address 127.0.0.1 --invoke-port "$port" --env-file "$env_file" \
  >"$state/watch.log" 2>&1 &
watch_pid=$!
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$watch_pid" 2>/dev/null || { cat "$state/watch.log" >&2; die "cargo lambda watch exited"; }
  sleep 0.2
done

say "$binary ← $event_file"
if ! "$CARGO_LAMBDA" lambda invoke "$binary" --invoke-address 127.0.0.1 --invoke-port "$port" \
  --data-file "$event_file" --output-format json; then
  tail -n 40 "$state/watch.log" >&2
  die "the invocation failed"
fi
echo
