#!/usr/bin/env bash
# THE run command: local stack + the dev server that serves every function in one process,
# routed by template.yaml. Ctrl-C stops the dev server and the stack.
#
# Extra args go to the dev server (after --app-port/--link-port).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "run: $*"; }

scripts/setup.sh

DEV_PID=""
cleanup() {
  # Ignore further Ctrl-C/TERM while cleaning up (a terminal sends INT to the whole
  # process group, and a second one must not cut the stack's shutdown short).
  trap "" INT TERM
  trap - EXIT
  if [ -n "$DEV_PID" ] && kill -0 "$DEV_PID" 2>/dev/null; then
    say "stopping the dev server (pid $DEV_PID)"
    kill -TERM "$DEV_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$DEV_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DEV_PID" 2>/dev/null || true
  fi
  say "stopping the stack"
  scripts/stack.sh stop || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

unset CANOPY_STACK_STATE # the dev stack lives in .local (.local/stack.env)
scripts/stack.sh start
export CANOPY_STACK_ENV="$PWD/.local/stack.env"
# shellcheck source=/dev/null
source "$CANOPY_STACK_ENV"

# The link port was reserved with the stack's ports so .local/stack.env's LINK_BASE_URL is
# right for every shell that sources it; the app port is chosen here.
LINK_PORT="${CANOPY_LINK_PORT}"
APP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export APP_PORT LINK_PORT
export LINK_BASE_URL="http://127.0.0.1:$LINK_PORT"
export TABLE_NAME="${TABLE_NAME:-canopy-local}"
export RUST_LOG="${RUST_LOG:-info}"

say "sent SMS and emails: $MOTO_URL/moto-api/data.json"
say "DynamoDB Local:      $AWS_ENDPOINT_URL_DYNAMODB (table $TABLE_NAME)"
say "API reference:       http://127.0.0.1:$APP_PORT/docs (the contract itself: /openapi.yaml)"
say "building and starting the dev server (app port $APP_PORT, link port $LINK_PORT)..."
# In the background + wait, so Ctrl-C / TERM run the trap at once (cargo run execs the
# dev server, so DEV_PID is the server itself once it is built).
cargo run -p canopy-local --bin canopy-dev -- --app-port "$APP_PORT" --link-port "$LINK_PORT" "$@" &
DEV_PID=$!
set +e
wait "$DEV_PID"
rc=$?
set -e
DEV_PID=""
say "dev server exited with status $rc"
exit "$rc"
