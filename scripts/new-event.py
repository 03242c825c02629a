#!/usr/bin/env python3
"""Writes an API Gateway HTTP API (payload 2.0) event to events/, the same shape Lambda
receives, for replay tests (`tests/integration/events_replay.rs`) and `sam local invoke -e`.

usage: scripts/new-event.py FILE "METHOD /route/{param}" PATH [--body JSON] [--query Q]
           [--header k=v ...] [--caller acct_…:org_…|-]

--caller adds `authorization: Bearer <account>.<org or ->.<fixture secret>`, the token the
replay test stores a session (and membership) for; list the caller, with its role, in
events/callers.json (one role per account and practice).
"""
import argparse, json, re, sys

p = argparse.ArgumentParser()
p.add_argument("file")
p.add_argument("route_key")
p.add_argument("path")
p.add_argument("--body")
p.add_argument("--query", default="")
p.add_argument("--header", action="append", default=[])
p.add_argument("--caller")
a = p.parse_args()

method, template = a.route_key.split(" ", 1)
names = re.findall(r"{(\w+)}", template)
pattern = "^" + re.sub(r"{\w+}", "([^/]+)", template) + "$"
m = re.match(pattern, a.path)
if not m:
    sys.exit(f"path {a.path} does not match {template}")
headers = {"host": "api.canopy.example", "user-agent": "events-fixture"}
for h in a.header:
    k, v = h.split("=", 1)
    headers[k.lower()] = v
if a.body is not None:
    headers.setdefault("content-type", "application/json")
ctx = {
    "accountId": "000000000000", "apiId": "local", "domainName": "api.canopy.example",
    "domainPrefix": "api", "requestId": "event-fixture", "routeKey": a.route_key,
    "stage": "$default", "time": "22/Nov/2026:04:10:00 +0000", "timeEpoch": 1795320600000,
    "http": {"method": method, "path": a.path, "protocol": "HTTP/1.1",
             "sourceIp": "203.0.113.7", "userAgent": headers["user-agent"]},
}
FIXTURE_SECRET = "events-fixture-token-not-a-secret-anywhere0"
if a.caller:
    acct, org = a.caller.split(":")
    headers["authorization"] = f"Bearer {acct}.{org}.{FIXTURE_SECRET}"
event = {"version": "2.0", "routeKey": a.route_key, "rawPath": a.path,
         "rawQueryString": a.query, "headers": headers, "requestContext": ctx,
         "isBase64Encoded": False}
if names:
    event["pathParameters"] = dict(zip(names, m.groups()))
if a.query:
    event["queryStringParameters"] = dict(kv.split("=", 1) for kv in a.query.split("&"))
if a.body is not None:
    event["body"] = a.body
with open(a.file, "w") as f:
    json.dump(event, f, indent=2)
    f.write("\n")
print(a.file)
