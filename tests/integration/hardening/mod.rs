//! Issue 12: the abuse an attacker tries first (SMS pumping, invite floods, guessing codes
//! across challenges, probing accounts by timing, claiming a contact with an unproven
//! email), each tried against the running flow.

mod abuse;
mod all_or_nothing;
mod download_texts;
mod guessing;
mod guessing_run;
mod host_header;
mod invites_budget;
mod invites_reach;
mod pepper_outage;
mod plain_names;
mod stored_codes;
mod support;
mod timing;
