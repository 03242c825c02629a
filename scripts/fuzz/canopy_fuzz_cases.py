"""Real references in the schema-valid requests schemathesis' dictionaries cannot reach.

Dictionaries bind named parameters, not properties inside `oneOf` branches, and they draw
each parameter on its own, so without this:
- `POST /v1/conversations` would only ever name contacts and teammates that do not exist;
- `POST /v1/signup/start` would only ever name link codes and invite tokens that do not
  exist (404/410 every time);
- `POST /v1/auth/verify` and `POST /v1/signup/verify` would pair a live challenge with a code
  sent for another one (400 `wrong_code`, and the fifth kills the challenge).

For positive cases, most of the time, this puts in the seed's (FUZZ_SEED) real ones: mostly
practice A's (whose callers make the requests), some practice B's (which must be refused, or,
for the public signup and verify operations, simply work). Negative cases stay as generated.
"""
import json
import os
import random

import schemathesis

_state = {"seed": None}


def _seed():
    if _state["seed"] is None:
        path = os.environ.get("FUZZ_SEED")
        _state["seed"] = json.load(open(path)) if path else {}
    return _state["seed"]


def _conversation(body, tenant, rng):
    invited, mailed, texted = tenant["contact_ids"]
    if body.get("kind") == "standard":
        body["contact_id"] = rng.choice([invited, texted] if body.get("channel") == "sms" else [invited, mailed])
    elif body.get("kind") == "secure":
        ids = tenant["participant_ids"]
        wanted = len(body.get("participant_ids") or [1])
        body["participant_ids"] = rng.sample(ids, k=min(len(ids), max(1, min(wanted, 3))))
    if "link_id" in body:
        body["link_id"] = rng.choice(tenant["link_ids"])


def _signup_start(body, tenant, rng):
    # The signup link is one the app run never changes (updateLink draws only `link_ids`),
    # so a schema-valid signup through it can succeed all run long.
    if "link_code" in body:
        body["link_code"] = tenant["signup_link_code"]
    elif "invite_token" in body:
        body["invite_token"] = rng.choice(tenant["invite_tokens"])


def _verify(body, tenant, rng, id_key, code_key, code_field):
    index = rng.randrange(len(tenant[id_key]))
    body["challenge_id"] = tenant[id_key][index]
    body[code_field] = tenant[code_key][index]


REFERENCES = {
    "POST /v1/conversations": _conversation,
    "POST /v1/signup/start": _signup_start,
    "POST /v1/auth/verify": lambda body, tenant, rng: _verify(
        body, tenant, rng, "signin_challenge_ids", "signin_codes", "code"
    ),
    "POST /v1/signup/verify": lambda body, tenant, rng: _verify(
        body, tenant, rng, "signup_challenge_ids", "signup_codes", "sms_code"
    ),
}


@schemathesis.hook
def map_case(context, case):
    fill = REFERENCES.get(case.operation.label)
    meta, seed, body = case.meta, _seed(), case.body
    if fill is None or not seed or meta is None or not meta.generation.mode.is_positive or not isinstance(body, dict):
        return case
    rng = random.Random(json.dumps(body, sort_keys=True, default=str))
    if rng.random() < 0.2:
        return case
    body = dict(body)
    fill(body, seed["a"] if rng.random() < 0.8 else seed["b"], rng)
    case.body = body
    return case
