"""Who calls each operation in scripts/fuzz.sh, and which sessions the fuzzer may end.

1. Identities. seed.py's WFC auth file lists practice_a, practice_b, patient_a and
   patient_b. Left to itself, schemathesis tries them in that order per operation and moves
   on at the first 401/403 it meets, so a single token ended by the fuzzer (a logout) or one
   403 from a rule about the caller's state parks operations on an identity that cannot call
   them, and they answer only 401/403 for the rest of the run. Instead every operation is
   pinned, for the whole run, to a caller the contract allows (CALLERS; practice_a, the
   owner of practice A, unless named there). practice_b stays loaded as practice_a's peer:
   object_level_authorization replays practice_a's reads as practice_b, and the seeded
   dictionaries hand both practices' ids to every operation, so the other tenant's objects
   are asked for all the time (and must be 404).

2. Sessions the fuzzer ends. `POST /v1/auth/logout`, `DELETE /v1/sessions` and
   `DELETE /v1/sessions/{id}` end sessions: sent with practice_a's token they would end it,
   and every later request would be 401. They (and `GET /v1/sessions`, whose list feeds
   `DELETE /v1/sessions/{id}` through its link) go out with a throwaway session from the
   seed's pool instead: teammates of practice A, each signed in once. When the current one
   is ended (204) or found dead (401: a fuzzed `DELETE /v1/members/{id}` may have removed
   its teammate), the next one takes over; once the pool is used up, a token nobody holds
   (401, as documented). `DELETE /v1/sessions/{id}` draws its id from the pool's sessions
   (the `session_ids` dictionary), and a drawn id becomes the current session's. Any other
   seeded token on those operations is a mistake in this
   file, and the run stops on it rather than end a session the rest of the run needs.
"""
import json
import os

import schemathesis
from schemathesis.wfc.escalation import escalating_provider

# Operations a patient calls, by label; every other operation is practice_a's.
CALLERS = {
    "POST /v1/devices": "patient_a",
    "DELETE /v1/devices/{id}": "patient_a",
}

SESSION_ENDING = {"POST /v1/auth/logout", "DELETE /v1/sessions", "DELETE /v1/sessions/{id}"}
SESSION_READING = {"GET /v1/sessions"}
USED_UP = "Bearer fuzz-session-pool-used-up"

_state = {"seed": None, "next": 0}


def _seed():
    if _state["seed"] is None:
        path = os.environ.get("FUZZ_SEED")
        _state["seed"] = json.load(open(path)) if path else {}
    return _state["seed"]


def _note(kind, **fields):
    path = os.environ.get("FUZZ_NOTES")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"kind": kind, **fields}) + "\n")


@schemathesis.hook("after_load_schema")
def pin_callers(context, schema):
    provider = escalating_provider(schema)
    if provider is None:
        return
    # EscalatingAuthProvider (schemathesis 4.32.5, pinned in requirements-dev.txt) keeps the
    # identity per operation in `_assigned` and stops re-assigning the labels in `_settled`.
    if not hasattr(provider, "_settled"):
        raise RuntimeError("schemathesis' EscalatingAuthProvider changed: update canopy_fuzz_auth.pin_callers")
    labels = [result.ok().label for result in schema.get_all_operations()]
    unknown = set(CALLERS) - set(labels)
    if unknown:
        raise RuntimeError(f"CALLERS names operations the document does not have: {sorted(unknown)}")
    provider.restore({label: CALLERS.get(label, "practice_a") for label in labels})
    provider._settled.update(labels)


def _bearer(token):
    return f"Bearer {token}"


def _current():
    pool = _seed().get("a", {}).get("session_pool", [])
    return pool[_state["next"]] if _state["next"] < len(pool) else None


@schemathesis.hook("before_call")
def use_throwaway_sessions(context, case, kwargs):
    label = case.operation.label
    if label not in SESSION_ENDING and label not in SESSION_READING:
        return
    sent = (case.headers or {}).get("Authorization")
    seed = _seed()
    if not seed or sent is None:
        return
    if sent == _bearer(seed["a"]["token"]):
        current = _current()
        case.headers["Authorization"] = _bearer(current["token"]) if current else USED_UP
        # The `session_ids` dictionary holds the pool's sessions; which one is the caller's
        # own is known only now, so a drawn one becomes the current session (ending it is
        # then a 204; random ids keep probing the 404).
        pool_ids = {s["session_id"] for s in seed["a"]["session_pool"]}
        if current and label == "DELETE /v1/sessions/{id}" and (case.path_parameters or {}).get("id") in pool_ids:
            case.path_parameters["id"] = current["session_id"]
    elif label in SESSION_ENDING and sent in {_bearer(t[k]) for t in seed.values() for k in ("token", "patient_token")}:
        raise RuntimeError(f"{label} was about to end a seeded session: give it practice_a in canopy_fuzz_auth.CALLERS")


@schemathesis.hook("after_call")
def move_past_ended_sessions(context, case, response):
    label = case.operation.label
    current = _current()
    if current is None or (label not in SESSION_ENDING and label not in SESSION_READING):
        return
    if (case.headers or {}).get("Authorization") != _bearer(current["token"]):
        return
    ended = response.status_code == 204 and (
        label != "DELETE /v1/sessions/{id}" or (case.path_parameters or {}).get("id") == current["session_id"]
    )
    if ended or response.status_code == 401:
        _note("session", outcome="ended" if ended else "found dead", operation=label, index=_state["next"])
        _state["next"] += 1
