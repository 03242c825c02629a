"""schemathesis hooks for scripts/fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

0. `text/html` responses (the link domain's pages) are checked against their schema as text.

1. The `phone` string format: the server accepts any number libphonenumber finds valid (US
   when there is no country code), which no regular expression can say. Generated phone
   numbers are valid US numbers in the forms people type.

2. `filter_failure` drops exactly two kinds of failure, each by a precise rule, and writes
   every drop to $FUZZ_DROPPED (one JSON line each) so scripts/fuzz.sh reports them:

   - CONTRACT: rejections a schema cannot predict by nature: a well-formed code that is not
     the code we sent (400 `wrong_code`), an Idempotency-Key or client_message_id already used
     for another request (422), a cursor that is well formed but was not issued by the server
     for this list (400 on `cursor`: cursors are opaque), an invite signup whose email code
     was not given (400 on `email_code`: whether one is needed depends on the invite), a
     standard conversation on a channel the contact has no address for (400 on `channel`), and a
     read receipt for a message of another conversation, a confirm-identity naming another
     practice's contact, a link update naming someone outside the team, a post naming an
     attachment that is not there (404 naming the message, contact, member or attachment, which
     ensure_resource_availability takes for the resource it created), and attachments
     for a conversation that turns out to be a standard one (400 `attachments_not_supported`);
     and an attachment size over its type's maximum, which the contract answers 413
     `too_large` where schemathesis expects a 4xx of its own list; and a resource "not
     found" right after its creation when that creation was an Idempotency-Key replay
     (`idempotent-replayed: true`): the replay answers the first request's 201 again, for a
     resource the run may have deleted since (API.md: a retried key gets the same answer).
   - SERVER: known server bugs, each listed in SERVER_FIXES with the fix it needs. The
     document describes the correct behaviour; these rules only keep the bounded CI run green
     until the server is fixed. Remove a rule when its fix lands (the run then proves it).

3. canopy_fuzz_auth.py: who calls each operation, and the throwaway sessions the
   session-ending operations use.

4. canopy_fuzz_cases.py: real references inside `oneOf` bodies and matching challenge/code
   pairs, where dictionaries cannot reach.
"""
import json
import re
import os

import schemathesis
from hypothesis import strategies as st

# Importing them registers their hooks.
import canopy_fuzz_auth  # noqa: F401  (who calls each operation; throwaway sessions)
import canopy_fuzz_cases  # noqa: F401  (real references inside oneOf bodies; verify pairs)

# --- 1. phone numbers ------------------------------------------------------------------

_area = st.sampled_from(["202", "212", "303", "415", "503", "617", "713", "808"])
_exchange = st.integers(200, 999).filter(lambda n: n % 100 != 11).map(str)
_line = st.integers(0, 9999).map(lambda n: f"{n:04d}")
_forms = [
    "+1{a}{e}{l}",
    "+1 {a} {e} {l}",
    "({a}) {e}-{l}",
    "{a}.{e}.{l}",
    "{a}{e}{l}",
    "{a}-{e}-{l}",
]
schemathesis.openapi.format(
    "phone",
    st.builds(lambda form, a, e, l: form.format(a=a, e=e, l=l), st.sampled_from(_forms), _area, _exchange, _line),
)

# --- HTML pages of the link domain: validated as strings against their schema --------------


@schemathesis.deserializer("text/html")
def _html(ctx, response):
    return response.text


# --- 2. failures that are not the document's ---------------------------------------------

# Ids in 2xx answers that were Idempotency-Key replays (`idempotent-replayed: true`): the
# stored answer of an earlier request, naming a resource that may be gone since.
_replayed_ids = set()


@schemathesis.hook("after_call")
def remember_replayed_ids(context, case, response):
    # schemathesis gives headers lowercased, each a list of values.
    if "true" not in response.headers.get("idempotent-replayed", []):
        return
    try:
        body = response.json()
    except Exception:
        return
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        _replayed_ids.add(body["id"])

# Known server bugs awaiting a fix, by rule name -> the fix it needs. Empty: every rule that
# stood here has been fixed and removed, so the run proves the fix (add one only with the
# precise classification in _classify that drops it).
SERVER_FIXES = {}


# (operation, start of the 404 message) -> rule: the 404 is about a resource the body
# names, not the one in the path.
BODY_REFERENCE_404 = {
    ("POST /v1/conversations/{id}/read", "No such message."): "read-unknown-message",
    ("POST /v1/conversations/{id}/confirm-identity", "No such contact."): "confirm-unknown-contact",
    ("PATCH /v1/links/{id}", "member_ids: "): "link-unknown-member",
    ("POST /v1/conversations/{id}/messages", "No such attachment."): "post-unknown-attachment",
}


def _body_reference_404(label, message):
    return next((rule for (op, start), rule in BODY_REFERENCE_404.items() if op == label and message.startswith(start)), None)


def _error(response):
    try:
        body = response.json()
    except Exception:
        return None, None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("code"), body["error"].get("message") or ""
    return None, None


def _classify(failure, case, response):
    kind = type(failure).__name__
    label = f"{case.method.upper()} {case.operation.path}"
    code, message = _error(response)
    if kind == "RejectedPositiveData":
        if code == "wrong_code":
            return "CONTRACT", "wrong-code"
        if code == "idempotency_key_reused":
            return "CONTRACT", "idempotency-key-reused"
        if code == "invalid_field" and message.startswith("cursor:"):
            return "CONTRACT", "opaque-cursor"
        # GET /v1/audit: two valid times may still make a reversed range (from after to).
        if code == "invalid_field" and message == "from: must not be after to":
            return "CONTRACT", "audit-reversed-range"
        if code == "invalid_field" and message.startswith("email_code: required"):
            return "CONTRACT", "invite-email-code"
        if code == "invalid_field" and message == "channel: the contact has no address for this channel":
            return "CONTRACT", "contact-without-address"
        # Names that travel in SMS/email (practice and owner names, teammate names, link
        # labels) are plain (API.md): no URL, e-mail address or phone number. What counts as
        # one is the server's heuristic (any `@`, a dotted host, a run of 7+ digits), which
        # no JSON Schema pattern states in full.
        if code == "invalid_field" and re.search(
            r": must not contain (a web address|an e-mail address|a phone number)$", message
        ):
            return "CONTRACT", "plain-name"
        # Whether a conversation id names a standard (SMS/email) conversation is state.
        if code == "attachments_not_supported":
            return "CONTRACT", "standard-conversation-attachments"
    # Operations on a conversation that name another resource in their body answer 404 for
    # that one (a message of another conversation, another practice's contact) although the
    # linked conversation exists: the error names which.
    if kind == "EnsureResourceAvailability" and message and _body_reference_404(label, message):
        return "CONTRACT", _body_reference_404(label, message)
    # The resource was "created" by a replayed answer (see _replayed_ids) and deleted before.
    if kind == "EnsureResourceAvailability" and response.status_code == 404 and _replayed_ids & set((case.path_parameters or {}).values()):
        return "CONTRACT", "replayed-creation"
    # A declared attachment size over its type's `maximum` is refused with the contract's
    # 413 `too_large` (API.md), a status schemathesis does not count as a rejection.
    if kind == "AcceptedNegativeData" and response.status_code == 413 and code == "too_large":
        return "CONTRACT", "attachment-size-413"
    return None, None


@schemathesis.hook
def filter_failure(context, failure, case, response):
    group, rule = _classify(failure, case, response)
    if group is None:
        return True
    path = os.environ.get("FUZZ_DROPPED")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"group": group, "rule": rule, "operation": f"{case.method.upper()} {case.operation.path}"}) + "\n")
    return False
