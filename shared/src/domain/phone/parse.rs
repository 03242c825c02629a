//! Country code and national number from the raw parts, as the `phonenumber` crate 0.3.10
//! does it (`parser::parse_with`, `helper::{country_code, international_prefix,
//! national_number}`): a leading plus or the default region's IDD ("011" for US) means a
//! country code follows; otherwise the default region's code is assumed (and a leading copy
//! of it dropped); then the national prefix is stripped.

use super::table::Region;
use super::text::{self, RawNumber};
use super::validate::{self, Length};

/// A parsed number: country calling code and national significant number (ASCII digits,
/// leading zeros kept, as the crate's `NationalNumber` prints it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub code: u16,
    pub national: String,
}

/// Why the text is not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unparsable;

/// How the country code was given (the crate's `country::Source`, less the case of the
/// default region's code written at the front, which needs no handling of its own here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Plus,
    Idd,
    Default,
}

const MIN_NATIONAL: usize = 2;
const MAX_NATIONAL: usize = 17;
const MAX_CODE_DIGITS: usize = 3;

/// Parse `input`, reading numbers without a country code as numbers of `default_region`.
pub fn parse(input: &str, default_region: Option<Region>) -> Result<Parsed, Unparsable> {
    let raw = text::split(input).map_err(|_| Unparsable)?;
    if !text::is_viable(raw.national) {
        return Err(Unparsable);
    }
    let (code, mut national) = country_code(default_region, raw)?;
    let code: u16 = code.parse().map_err(|_| Unparsable)?;

    // The national prefix is stripped by the rules of the number's own country, as
    // libphonenumber does. The crate used the default region's even for a number that
    // carries another country's code, so with US as the default it cut a leading "1" off
    // foreign numbers: "+44 121 234 5678" was refused and "+60 154 601 2345" became
    // +60546012345, another number (`equality_tests` holds the cases).
    let region = match default_region {
        Some(region) if region.data().country_code == code => Some(region),
        _ => validate::region_for(code, national.trim_start_matches('0')),
    };
    if let Some(region) = region {
        let mut potential = national_number(region, &national);
        if let Some(prefix) = region.data().national_prefix.get() {
            if let Some(stripped) = potential.strip_prefix(prefix) {
                potential = stripped.to_string();
            }
        }
        if validate::length(region, potential.len()) != Length::TooShort {
            national = potential;
        }
    }
    if national.len() < MIN_NATIONAL || national.len() > MAX_NATIONAL {
        return Err(Unparsable);
    }
    // The crate stores the national number as leading zeros + a u64 below 2^56.
    let significant = national.trim_start_matches('0');
    let value: u64 = significant.parse().map_err(|_| Unparsable)?;
    if value >= 1 << 56 {
        return Err(Unparsable);
    }
    Ok(Parsed { code, national })
}

/// Returns the country code's digits and the normalized national number.
fn country_code(
    default_region: Option<Region>,
    raw: RawNumber<'_>,
) -> Result<(String, String), Unparsable> {
    let idd = default_region.and_then(|region| region.compiled().international_prefix.as_ref());
    let (source, mut national) = international_prefix(idd, raw.national, raw.prefix.is_some());

    match source {
        Source::Plus | Source::Idd => {
            if national.len() <= MIN_NATIONAL {
                return Err(Unparsable);
            }
            if let Some(prefix) = raw.prefix {
                let prefix = text::normalize(prefix);
                let code: u16 = prefix.parse().map_err(|_| Unparsable)?;
                return match Region::for_code(code) {
                    Some(_) => Ok((prefix, national)),
                    None => Err(Unparsable),
                };
            }
            if national.starts_with('0') {
                return Err(Unparsable);
            }
            for len in 1..=MAX_CODE_DIGITS {
                let code: u16 = national[..len].parse().map_err(|_| Unparsable)?;
                if Region::for_code(code).is_some() {
                    let rest = national.split_off(len);
                    return Ok((national, rest));
                }
            }
            Err(Unparsable)
        }
        Source::Default => {
            let region = default_region.ok_or(Unparsable)?;
            let code = region.data().country_code.to_string();
            // The crate's length check is never "possible" (see `validate::length`), so a
            // leading copy of the code is always taken as the code ("1 202 555 0123").
            if national.starts_with(&code)
                && (!validate::general_matches(region, &national)
                    || !validate::length(region, national.len()).is_possible())
            {
                national = national.split_off(code.len());
            }
            Ok((code, national))
        }
    }
}

/// Normalizes the number and strips a leading plus or the default region's IDD.
fn international_prefix(
    idd: Option<&regex_lite::Regex>,
    national: &str,
    has_rfc_prefix: bool,
) -> (Source, String) {
    if has_rfc_prefix {
        return (Source::Plus, text::normalize(national));
    }
    let without_plus = national.trim_start_matches(['+', '\u{FF0B}']);
    let mut source = Source::Default;
    let digits = text::normalize(without_plus);
    let idd_end = idd
        .and_then(|idd| idd.find(&digits))
        .map(|found| found.end());
    if without_plus.len() != national.len() {
        source = Source::Plus;
        if idd_end.is_none() {
            return (source, digits);
        }
    }
    match idd_end {
        Some(end) if !digits[end..].starts_with('0') => {
            if source != Source::Plus {
                source = Source::Idd;
            }
            (source, digits[end..].to_string())
        }
        _ => (source, digits),
    }
}

/// Strips the national prefix by the territory's rule (`helper::national_number`),
/// including the crate's quirks: the "would the rest still be a number" check compares the
/// number with itself, so only the transform branch can refuse.
fn national_number(region: Region, national: &str) -> String {
    let territory = region.data();
    let Some(parsing) = region.compiled().national_prefix_for_parsing.as_ref() else {
        if let Some(prefix) = territory.national_prefix.get() {
            if let Some(stripped) = national.strip_prefix(prefix) {
                return stripped.to_string();
            }
        }
        return national.to_string();
    };
    let Some(captures) = parsing.captures(national) else {
        return national.to_string();
    };
    let end = captures.get(0).map_or(0, |whole| whole.end());
    let last_group_matched = captures.get(captures.len() - 1).is_some();
    match territory.national_prefix_transform_rule.get() {
        Some(transform) if last_group_matched => {
            let viable = validate::general_matches(region, national);
            let transformed = parsing.replace(national, transform).into_owned();
            if viable && !validate::general_matches(region, &transformed) {
                national.to_string()
            } else {
                transformed
            }
        }
        _ => national[end..].to_string(),
    }
}
