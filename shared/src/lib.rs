//! # canopy-shared: the domain crate
//!
//! The one place that knows the business, in one home per aggregate (the layout and its
//! rules are in `docs/architecture.md`). A route's handler (`functions/<fn>/src/<route>.rs`),
//! its use case and the items it touches are three hops apart:
//!
//! | aggregate | home (model, rules, one use case per file) | storage port | DynamoDB adapter |
//! |---|---|---|---|
//! | practice, staff, accounts | [`practice`] | [`ports::practice`] | [`adapters::dynamo::practice`] |
//! | one-time codes, sessions, rate limits, idempotency keys, audit | [`access`] | [`ports::access`] | [`adapters::dynamo::access`] |
//! | practice links | [`links`] | [`ports::links`] | [`adapters::dynamo::links`] |
//! | contacts | [`contacts`] | [`ports::contacts`] | [`adapters::dynamo::contacts`] |
//! | invites; link pairing and invite acceptance | [`invites`], [`pairing`] | [`ports::invites`] | [`adapters::dynamo::invites`] |
//! | conversations, messages, receipts | [`conversations`] | [`ports::conversations`] | [`adapters::dynamo::conversations`] |
//!
//! Beside them:
//! - [`domain`]: validated newtypes (ids, phone numbers, emails, names), roles, the
//!   [`domain::caller::Caller`], secrets (codes, tokens) and time. No AWS types.
//! - [`ports`]: besides the storage traits, `Clock`, `Sms`, `Email`.
//! - [`adapters`]: DynamoDB (the [`adapters::dynamo::Dynamo`] store that implements every
//!   storage port, its private SDK client, items via `serde_dynamo`, keys only in
//!   [`adapters::dynamo::keys`], every transaction through [`adapters::dynamo::Tx`]), SNS,
//!   SES. They translate; they don't decide.
//! - [`http`]: the edge every function shares (JSON parsing with named fields, the error
//!   shape, the caller from the request context, one `From<UseCaseError> for ApiError` file
//!   per aggregate, one log line per request).
//! - [`services`]: old paths of [`access`], kept as re-exports until the last callers move.

//! ## The single table
//! `pk`/`sk` strings, `ttl` (epoch seconds, cleanup only: every expiry is enforced in a
//! condition), and three overloaded GSIs (`GSI1`–`GSI3`, `gsiNpk`/`gsiNsk`, all projected).
//! Keys are built only in [`adapters::dynamo::keys`].
//!
//! | access pattern | key / index | one call |
//! |---|---|---|
//! | practice by id | `ORG#o` / `#META` | GetItem |
//! | a practice's links + a member's record (authorizer) | GSI1 `ORG#o#LINKS`; `ORG#o` / `MEMBER#a` | Query + GetItem (concurrent) |
//! | session by token | `SESSION#sha256` / `#SESSION` | GetItem |
//! | an account's sessions (revocation) | GSI1 `ACCT#a` / `SESSION#…` | Query |
//! | staff of a practice | `ORG#o` / `begins_with MEMBER#` | Query |
//! | staff login by email (unique; written only when a code proves the email) | `LOGIN#email#e` / `#LOGIN` | GetItem |
//! | practices that invited an email (before it is claimed) | `STAFFINV#e` / `ORG#o` | Query |
//! | patient by phone (unique) | `LOGIN#phone#p` / `#LOGIN` | GetItem |
//! | account profile | `ACCT#a` / `#PROFILE` | GetItem |
//! | one-time-code challenge | `CHAL#c` / `#CHAL` | UpdateItem (count the check, return it) |
//! | send budget per destination | `SENDS#dest` / `#SENDS` | BatchGetItem, then in the challenge's TransactWriteItems |
//! | link click (resolve + count) | `CODE#code` / `#CODE`; counter shard `CLICKS#code#nn` / `#CLICKS` (16) | GetItem ‖ UpdateItem (concurrent) |
//! | a link's click counts | `CLICKS#code#00…15` / `#CLICKS` | BatchGetItem (with the list) |
//! | a practice's links | GSI1 `ORG#o#LINKS` / `LINK#l` | Query |
//! | contact by id | `ORG#o` / `CONTACT#ct` | GetItem |
//! | contact search by name / phone / email prefix | GSI1 / GSI2 / GSI3 `ORG#o#CT` / `n#…`, `p#…`, `e#…` (index chosen by the shape of `q`) | Query |
//! | invite record (resend, send results) | `ORG#o` / `INVITE#inv` | GetItem |
//! | invite by token | `INVITE#sha256` / `#INVITE` | GetItem |
//! | practice ↔ patient pairing | `ORG#o` / `PATIENT#a`, GSI1 `ACCT#a` / `PAIRED#ORG#o` | in the pairing TransactWriteItems |
//! | one conversation per (practice, patient, link) | `PAIRING#o#a#l` / `#PAIRING` | GetItem; uniqueness in the pairing transaction |
//! | sliding-window rate limits (download SMS per phone / address) | `RATE#kind#subject` / `#RATE` | BatchGetItem, then TransactWriteItems |
//! | practice inbox | GSI1 `ORG#o#INBOX` / `<activity>#conv` | Query |
//! | link inbox | GSI2 `LINK#l#INBOX` / `<activity>#conv` | Query |
//! | patient inbox | GSI1 `ACCT#a#INBOX` / `<activity>#conv` (participant rows, kept equal to the metas by the stream consumer) | Query |
//! | an account's devices (push) | `ACCT#a` / `begins_with DEVICE#` | Query |
//! | a push token's device | `PUSHTOKEN#platform#sha256` / `#PUSHTOKEN` | GetItem |
//! | a participant's push and reminder state | `CONV#c` / `N#a` | conditional UpdateItem (claims) |
//! | reminders due | GSI3 `REMIND#DUE` / `<due>#c#a` (sparse) | Query |
//! | standard messages the stream never sent (re-drive) | GSI3 `SEND#DUE` / `<due>#c#m` on the queued message itself (sparse) | Query, then a conditional UpdateItem (lease) each |
//! | sync feed page | `SYNC#a` / `sk >= <seq:016>` | Query |
//! | sync feed append | `SYNC#a` / `#HEAD` + entries | TransactWriteItems (head unchanged) |
//! | conversation details | `CONV#c` / `#META` | GetItem |
//! | messages page | `CONV#c` / `begins_with M#` (descending, `before` cursor) | Query (+ meta GetItem for access, concurrent) |
//! | message post | `CONV#c` / `M#msg` + `#META` + `IDEM#…` + audit | TransactWriteItems |
//! | read receipt (two participants) | `#META` reads + `R#msg#acct` log + `M#msg` check | TransactWriteItems |
//! | read receipt (a group: each reader's own horizon, folded into `#META` by the stream) | `CONV#c` / `H#acct` + `R#msg#acct` | BatchGetItem (`#META`, `M#msg`, `H#acct`), then TransactWriteItems of the reader's own items; stream: UpdateItem of `#META` per 20 readers |
//! | seen by | `CONV#c` / `R#msg…` onwards ‖ `begins_with H#` (groups) | Query ‖ Query |
//! | `Idempotency-Key` record (contact creation, invites) | `IDEMKEY#caller#key` / `#IDEMKEY` | PutItem (claim), GetItem (replay), UpdateItem (answer) |
//! | idempotent post | `IDEM#sender#client_message_id` / `#IDEM` | in the post's TransactWriteItems |
//! | attachment (reserve, check, read, attach) | `CONV#c` / `A#att` | in the reservation's TransactWriteItems; GetItem (check); BatchGetItem with the meta (read, and before a post with attachments); Update in the post's TransactWriteItems |
//! | daily upload budgets per conversation and per account | `UPBUDGET#conv or acct#day` / `#BUDGET` | in the reservation's TransactWriteItems |
//! | audit | `AUDIT#o#yyyy-mm` / ulid | in each write's TransactWriteItems; reads: PutItem concurrent with the read |

pub mod access;
pub mod adapters;
pub mod app;
pub mod attachments;
pub mod config;
pub mod contacts;
pub mod conversations;
pub mod domain;
pub mod http;
pub mod invites;
pub mod links;
pub mod notifications;
pub mod pairing;
pub mod ports;
pub mod practice;
pub mod services;
pub mod standard;
pub mod sync;
pub mod telemetry;
pub mod texts;

pub use app::App;
