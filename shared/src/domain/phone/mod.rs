//! Phone-number parsing and validation for Canopy, following libphonenumber's metadata and
//! the algorithm of the `phonenumber` crate 0.3.10 it replaces (same accepted numbers, same
//! E.164, same country; `equality_tests::same_as_the_phonenumber_crate` proves it over a generated
//! corpus), with one bug of the crate's fixed: a number carrying another country's code has
//! that country's national prefix stripped, not the default region's (see `parse`). It exists for size: the crate brought `regex` with its Unicode tables, nom,
//! postcard and an embedded database, about 2.7 MB in every function that parses phones;
//! this is a compact generated table (`metadata.rs`, from `scripts/phone_metadata.py`) and
//! `regex-lite`, with each territory's patterns compiled on first use.

// Generated (scripts/phone_metadata.py): kept as the script writes it.
#[rustfmt::skip]
mod metadata;
mod parse;
mod table;
mod text;
mod validate;

#[cfg(test)]
mod corpus;
#[cfg(test)]
mod equality_tests;

pub use metadata::LIBPHONENUMBER_VERSION;
use table::Region;

/// A valid number as E.164 (`+12025550123`), reading numbers without a country code as
/// numbers of `default_region` (ISO 3166 alpha-2, e.g. "US"); `None` when not valid.
pub fn parse_e164(input: &str, default_region: &str) -> Option<String> {
    let region = Region::by_id(default_region)?;
    let parsed = parse::parse(input, Some(region)).ok()?;
    validate::is_valid(parsed.code, &parsed.national)
        .then(|| format!("+{}{}", parsed.code, parsed.national))
}

/// The region (ISO 3166 alpha-2) of an E.164 number: the territory the metadata gives it
/// to, `None` for non-geographic codes (+800, +882, ...) and numbers no territory claims.
pub fn region_of_e164(e164: &str) -> Option<&'static str> {
    let parsed = parse::parse(e164, None).ok()?;
    // The crate looks the territory up on the number without its leading zeros.
    let region = validate::region_for(parsed.code, parsed.national.trim_start_matches('0'))?;
    Some(region.data().id).filter(|id| *id != "001")
}
