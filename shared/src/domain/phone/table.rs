//! The shape of the generated metadata (`metadata.rs`) and the per-territory regex cache.
//!
//! Patterns stay `&'static str` in the binary; a territory's regexes are compiled the first
//! time a number needs them (US on the first parse, the other NANPA territories only when a
//! +1 number is not a US one) and kept for the life of the process.

use super::metadata::{BY_CODE, TERRITORIES};
use regex_lite::Regex;
use std::sync::OnceLock;

/// One territory's data, as libphonenumber's metadata describes it.
pub struct Territory {
    /// ISO 3166 alpha-2 region, or "001" for non-geographic entities (+800, +882, ...).
    pub id: &'static str,
    pub country_code: u16,
    /// Which national numbers belong here when several territories share a country code.
    pub leading_digits: Option<&'static str>,
    /// The international dialling prefix (IDD) when this is the default region: "011" for US.
    pub international_prefix: Option<&'static str>,
    pub national_prefix: Option<&'static str>,
    pub national_prefix_for_parsing: Option<&'static str>,
    pub national_prefix_transform_rule: Option<&'static str>,
    pub general: General,
    /// The number-type descriptions (fixed line, mobile, toll free, ...), repeats dropped.
    pub types: &'static [Desc],
}

/// The general description: every valid number of the territory matches it.
pub struct General {
    pub pattern: &'static str,
    pub lengths: &'static [u8],
    pub local_lengths: &'static [u8],
}

/// A number-type description: its pattern and the national lengths it allows.
pub struct Desc {
    pub pattern: &'static str,
    pub lengths: &'static [u8],
}

/// A territory's patterns compiled, each anchored at the start of the national number.
pub struct Compiled {
    pub general: Regex,
    pub types: Vec<Regex>,
    pub leading_digits: Option<Regex>,
    pub international_prefix: Option<Regex>,
    pub national_prefix_for_parsing: Option<Regex>,
}

/// A territory and (lazily) its compiled patterns.
#[derive(Clone, Copy)]
pub struct Region {
    index: usize,
}

impl Region {
    pub fn data(self) -> &'static Territory {
        &TERRITORIES[self.index]
    }

    pub fn compiled(self) -> &'static Compiled {
        static CACHE: OnceLock<Vec<OnceLock<Compiled>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| (0..TERRITORIES.len()).map(|_| OnceLock::new()).collect());
        cache[self.index].get_or_init(|| compile(self.data()))
    }

    /// The territory with this id. For "001" (several non-geographic codes) the last one,
    /// as the crate's id map keeps it; callers reach non-geographic entities by code.
    pub fn by_id(id: &str) -> Option<Region> {
        TERRITORIES
            .iter()
            .rposition(|territory| territory.id == id)
            .map(|index| Region { index })
    }

    /// The territories sharing a country calling code, main country first.
    pub fn for_code(code: u16) -> Option<impl Iterator<Item = Region>> {
        let at = BY_CODE
            .binary_search_by_key(&code, |(code, _)| *code)
            .ok()?;
        Some(BY_CODE[at].1.iter().map(|&index| Region {
            index: usize::from(index),
        }))
    }
}

/// The patterns come from libphonenumber's metadata and are checked by the tests
/// (`every_pattern_compiles`), so a failure here is a broken generated table.
fn compile(territory: &Territory) -> Compiled {
    let anchored = |pattern: &str| {
        Regex::new(&format!("^(?:{pattern})"))
            .unwrap_or_else(|err| panic!("phone metadata pattern for {}: {err}", territory.id))
    };
    Compiled {
        general: anchored(territory.general.pattern),
        types: territory
            .types
            .iter()
            .map(|desc| anchored(desc.pattern))
            .collect(),
        leading_digits: territory.leading_digits.map(anchored),
        international_prefix: territory.international_prefix.map(anchored),
        national_prefix_for_parsing: territory.national_prefix_for_parsing.map(anchored),
    }
}
