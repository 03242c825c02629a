//! # canopy-shared: the domain crate
//!
//! The one place that knows the business. Layers:
//! - [`domain`]: validated newtypes (ids, phone numbers, emails, names), roles, secrets
//!   (codes, tokens) and time. No AWS types; unit-tested without any server.
//! - [`ports`]: the small traits the domain needs from outside (`Clock`, `Sms`, `Email`).
//! - [`adapters`]: DynamoDB (single table, `serde_dynamo` items), SNS, SES. They translate;
//!   they don't decide.
//! - [`practice`] and [`access`]: aggregate homes (model, rules, one use case per file);
//!   their storage ports are in [`ports`]. [`services`] only re-exports the old paths of
//!   [`access`] until every function has moved (issue 9).
//! - [`http`]: the edge every function shares (JSON parsing with named fields, the error
//!   shape, the authorizer's caller identity, one log line per request).
//!
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
//! | link click (resolve + count) | `CODE#code` / `#CODE` | UpdateItem returning ALL_NEW |
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
//! | sync feed page | `SYNC#a` / `sk >= <seq:016>` | Query |
//! | sync feed append | `SYNC#a` / `#HEAD` + entries | TransactWriteItems (head unchanged) |
//! | conversation details | `CONV#c` / `#META` | GetItem |
//! | messages page | `CONV#c` / `begins_with M#` (descending, `before` cursor) | Query (+ meta GetItem for access, concurrent) |
//! | message post | `CONV#c` / `M#msg` + `#META` + `IDEM#…` + audit | TransactWriteItems |
//! | read receipt | `#META` reads + `R#msg#acct` log + `M#msg` check | TransactWriteItems |
//! | seen by | `CONV#c` / `R#msg…` onwards | Query |
//! | `Idempotency-Key` record (contact creation, invites) | `IDEMKEY#caller#key` / `#IDEMKEY` | PutItem (claim), GetItem (replay), UpdateItem (answer) |
//! | idempotent post | `IDEM#sender#client_message_id` / `#IDEM` | in the post's TransactWriteItems |
//! | audit | `AUDIT#o#yyyy-mm` / ulid | in each write's TransactWriteItems; reads: PutItem concurrent with the read |

pub mod access;
pub mod adapters;
pub mod app;
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
