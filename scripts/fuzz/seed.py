#!/usr/bin/env python3
"""Seeds the dev server for scripts/fuzz.sh through the public API only, then writes what
schemathesis needs to reach real objects instead of 404s:

  auth.json           a Web Fuzzing Commons auth file: two practices' owners and two patients
                      (practice_a, practice_b, patient_a, patient_b), each a fixed bearer token
  schemathesis.toml   the run's configuration: the checks, the peers whose objects must stay
                      apart (the two practices), and per-operation dictionaries of real ids,
                      codes and tokens of BOTH practices, so generated requests hit real
                      conversations, messages, contacts, invites and links, their own and the
                      other tenant's (which must answer 404/403)

Usage: seed.py OUT_DIR   (APP_URL, LINK_URL, MOTO_URL in the environment)
"""
import json
import os
import random
import re
import sys
import time

import requests

APP = os.environ["APP_URL"].rstrip("/")
MOTO = os.environ["MOTO_URL"].rstrip("/")
OUT = sys.argv[1]
RUN = f"{int(time.time())}{random.randrange(1000, 9999)}"
session = requests.Session()


def api(method, path, body=None, token=None, ok=(200, 201, 202, 204)):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    r = session.request(method, APP + path, headers=headers, data=json.dumps(body) if body is not None else None, timeout=30)
    if r.status_code not in ok:
        sys.exit(f"seed: {method} {path} -> {r.status_code} {r.text}")
    return r.json() if r.text else None


def moto():
    return session.get(f"{MOTO}/moto-api/data.json", timeout=30).json()


def code_in(text):
    m = re.search(r"(?<!\d)(\d{6})(?!\d)", text or "")
    return m.group(1) if m else None


def wait_for(fn, what):
    for _ in range(100):
        value = fn()
        if value:
            return value
        time.sleep(0.1)
    sys.exit(f"seed: no {what}")


def email_code(address):
    def find():
        mails = [m for m in moto().get("ses", {}).get("Message", []) if address in (m.get("destinations") or {}).get("ToAddresses", [])]
        return code_in(mails[-1].get("body")) if mails else None
    return wait_for(find, f"code emailed to {address}")


def sms_to(phone):
    return [m["message"] for m in moto().get("sns", {}).get("SMS", []) if m.get("phone_number") == phone]


def phone(n):
    # 202-555-01xx is reserved for fiction; vary the exchange per run so reruns never collide.
    return f"+1202{random.randrange(200, 999)}{n:04d}"


def practice(tag):
    email = f"owner.{tag}.{RUN}@example.com"
    started = api("POST", "/v1/orgs", {"practice_name": f"Clinic {tag.upper()}", "owner_name": f"Doctor {tag.upper()}", "owner_email": email})
    verified = api("POST", "/v1/auth/verify", {"challenge_id": started["challenge_id"], "code": email_code(email)})
    return verified["token"], verified["account"]


def patient(link_code, tag):
    number = phone(random.randrange(0, 9999))
    started = api("POST", "/v1/signup/start", {"name": f"Patient {tag.upper()}", "phone": number, "link_code": link_code})
    code = wait_for(lambda: code_in((sms_to(number) or [None])[-1]), f"SMS code to {number}")
    verified = api("POST", "/v1/signup/verify", {"challenge_id": started["challenge_id"], "sms_code": code})
    return verified, number


def session_pool(token, tag, size):
    """Throwaway sessions for the operations that end sessions (canopy_fuzz_auth.py): one
    teammate per session, so ending one ends nothing else. Each teammate is added, then all
    sign in at once (one read of moto's mail for every code)."""
    emails = [f"holder{i}.{tag}.{RUN}@example.com" for i in range(size)]
    for i, email in enumerate(emails):
        api("POST", "/v1/members", {"name": f"Session holder {i}", "email": email, "role": "member"}, token)
    challenges = [api("POST", "/v1/auth/start", {"email": email})["challenge_id"] for email in emails]
    pool = []
    for email, challenge in zip(emails, challenges):
        session = api("POST", "/v1/auth/verify", {"challenge_id": challenge, "code": email_code(email)})["token"]
        listed = api("GET", "/v1/sessions", token=session)["items"]
        pool.append({"token": session, "session_id": next(s["id"] for s in listed if s["current"])})
    return pool


def tenant(tag):
    token, owner = practice(tag)
    t = {"token": token, "owner_id": owner["id"], "org_id": owner["org_id"]}
    link = api("POST", "/v1/links", {"label": f"Front desk {tag.upper()}", "tags": ["new"]}, token)
    second = api("POST", "/v1/links", {"label": f"Nurses {tag.upper()}", "code": f"nurses-{tag}-{RUN}"[:32]}, token)
    t["link_ids"] = [link["id"], second["id"]]
    t["link_codes"] = [link["code"], second["code"]]
    # Kept out of the dictionaries, so the fuzzer never disables it: signups go through it.
    t["signup_link_code"] = api("POST", "/v1/links", {"label": f"Signups {tag.upper()}"}, token)["code"]
    member = api("POST", "/v1/members", {"name": f"Nurse {tag.upper()}", "email": f"nurse.{tag}.{RUN}@example.com", "role": "member"}, token)
    t["member_ids"] = [member["id"], owner["id"]]
    paired, number = patient(link["code"], tag)
    t["patient_token"] = paired["token"]
    t["patient_id"] = paired["account"]["id"]
    secure = paired["conversation_id"]
    # Contacts: one with a phone (invited below), one with an email (a standard email
    # conversation), one with both that stays uninvited.
    invited = api("POST", "/v1/contacts", {"name": f"Invitee {tag.upper()}", "phone": phone(random.randrange(0, 9999)), "email": f"invitee.{tag}.{RUN}@example.com"}, token)
    mailed = api("POST", "/v1/contacts", {"name": f"Mailed {tag.upper()}", "email": f"mailed.{tag}.{RUN}@example.com"}, token)
    texted = api("POST", "/v1/contacts", {"name": f"Texted {tag.upper()}", "phone": phone(random.randrange(0, 9999))}, token)
    t["contact_ids"] = [invited["id"], mailed["id"], texted["id"]]
    invite = api("POST", "/v1/invites", {"contact_id": invited["id"], "link_id": link["id"], "subject": "Welcome"}, token)
    t["invite_ids"] = [invite["id"]]
    token_text = wait_for(lambda: next((m for m in sms_to(invited["phone"]) if "/i/" in m), None), "invite SMS")
    t["invite_tokens"] = [re.search(r"/i/([A-Za-z0-9_-]+)", token_text).group(1)]
    standard = api("POST", "/v1/conversations", {"kind": "standard", "contact_id": texted["id"], "channel": "sms"}, token)
    t["conversation_ids"] = [secure, invite["conversation_id"], standard["id"]]
    # secure-invite's own standard conversations, with contacts no other operation draws:
    # PATCH /v1/conversations/{id} (read_only) and POST /v1/invites (the per-contact budget)
    # would otherwise leave the one above answering only 409/429, and the operation unfuzzed.
    t["standard_conversation_ids"] = []
    for i in range(3):
        sms = api("POST", "/v1/contacts", {"name": f"Texted {tag.upper()} {i}", "phone": phone(random.randrange(0, 9999))}, token)
        mail = api("POST", "/v1/contacts", {"name": f"Mailed {tag.upper()} {i}", "email": f"mailed{i}.{tag}.{RUN}@example.com"}, token)
        for contact, channel in ((sms, "sms"), (mail, "email")):
            created = api("POST", "/v1/conversations", {"kind": "standard", "contact_id": contact["id"], "channel": channel}, token)
            t["standard_conversation_ids"].append(created["id"])
    messages = []
    for i in range(3):
        m = api("POST", f"/v1/conversations/{secure}/messages", {"text": f"Hello {i} from {tag.upper()}", "client_message_id": f"seed-{tag}-{i}"}, token)
        messages.append(m["id"])
    reply = api("POST", f"/v1/conversations/{secure}/messages", {"text": "Thanks!", "client_message_id": f"seed-{tag}-reply"}, paired["token"])
    messages.append(reply["id"])
    t["message_ids"] = messages
    # Secure conversations take patient contacts with an account and teammates.
    listed = api("GET", "/v1/contacts?limit=100", token=token)["items"]
    t["participant_ids"] = [c["id"] for c in listed if c["status"] == "has_account"] + [t["owner_id"], member["id"]]
    # Live challenges for the verify operations (the fuzzer's codes are wrong, so they reach
    # the code check, not a 404): a staff sign-in and a patient signup.
    # A live challenge of each kind with the code that was really sent, so the verify
    # operations can succeed (the fuzzer pairs ids and codes from these dictionaries).
    owner_email = f"owner.{tag}.{RUN}@example.com"
    signin = api("POST", "/v1/auth/start", {"email": owner_email})
    t["signin_challenge_ids"] = [signin["challenge_id"]]
    t["signin_codes"] = [email_code(owner_email)]
    # An unverified link signup and a contact on file without an account, for
    # confirm-identity: a 2xx needs both (drawn from dictionaries of their own, so other
    # operations never change them and the seeded conversations keep their identity).
    unconfirmed, _ = patient(t["signup_link_code"], f"{tag}u")
    on_file = api("POST", "/v1/contacts", {"name": f"On File {tag.upper()}", "email": f"onfile.{tag}.{RUN}@example.com"}, token)
    t["unverified_conversation_ids"] = [unconfirmed["conversation_id"]]
    t["on_file_contact_ids"] = [on_file["id"]]
    newcomer = phone(random.randrange(0, 9999))
    signup = api("POST", "/v1/signup/start", {"name": f"Newcomer {tag.upper()}", "phone": newcomer, "link_code": second["code"]})
    t["signup_challenge_ids"] = [signup["challenge_id"]]
    t["signup_codes"] = [wait_for(lambda: code_in((sms_to(newcomer) or [None])[-1]), f"SMS code to {newcomer}")]
    return t


def toml_list(values):
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


a, b = tenant("a"), tenant("b")
a["session_pool"] = session_pool(a["token"], "a", int(os.environ.get("FUZZ_SESSION_POOL", "20")))
both = lambda key: a[key] + b[key]

auth = {
    "schemaVersion": "0.1.0",
    "auth": [
        {"name": "practice_a", "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {a['token']}"}]},
        {"name": "practice_b", "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {b['token']}"}]},
        {"name": "patient_a", "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {a['patient_token']}"}]},
        {"name": "patient_b", "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {b['patient_token']}"}]},
    ],
}
with open(os.path.join(OUT, "auth.json"), "w") as f:
    json.dump(auth, f, indent=1)

dictionaries = {
    "conversation_ids": both("conversation_ids"),
    "message_ids": both("message_ids"),
    "contact_ids": both("contact_ids"),
    "invite_ids": both("invite_ids"),
    "invite_tokens": both("invite_tokens"),
    "link_ids": both("link_ids"),
    "link_codes": both("link_codes"),
    "member_ids": both("member_ids"),
    "participant_ids": both("participant_ids"),
    "signin_challenge_ids": both("signin_challenge_ids"),
    "signup_challenge_ids": both("signup_challenge_ids"),
    "signin_codes": both("signin_codes"),
    "signup_codes": both("signup_codes"),
    "session_ids": [s["session_id"] for s in a["session_pool"]],
    "unverified_conversation_ids": both("unverified_conversation_ids"),
    "standard_conversation_ids": both("standard_conversation_ids"),
    "on_file_contact_ids": both("on_file_contact_ids"),
}
with open(os.path.join(OUT, "seed.json"), "w") as f:
    json.dump({"a": a, "b": b}, f, indent=1)

lines = ["[auth.wfc]", f"path = {json.dumps(os.path.join(os.path.abspath(OUT), 'auth.json'))}", 'peers = ["practice_a", "practice_b"]', ""]
for name, values in dictionaries.items():
    lines.append(f"[dictionaries.{name}]\nvalues = {toml_list(values)}\n")
with open(os.path.join(OUT, "dictionaries.toml"), "w") as f:
    f.write("\n".join(lines))
print(f"seed: practices {a['org_id']} and {b['org_id']}, patients {a['patient_id']} and {b['patient_id']}")
