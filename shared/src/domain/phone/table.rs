//! The shape of the generated metadata (`metadata.rs`) and the per-territory regex cache.
//!
//! Patterns stay `&'static str` in the binary; a territory's regexes are compiled the first
//! time a number needs them (US on the first parse, the other NANPA territories only when a
//! +1 number is not a US one) and kept for the life of the process.

use super::metadata::{BY_CODE, DESCS, TERRITORIES, TEXT};
use regex_lite::Regex;
use std::sync::OnceLock;

/// A string of the generated `TEXT`: (byte offset, byte length); `NONE` when absent.
#[derive(Clone, Copy)]
pub struct Span(pub u32, pub u32);

/// An absent pattern or prefix.
pub const NONE: Span = Span(u32::MAX, 0);

impl Span {
    pub fn get(self) -> Option<&'static str> {
        let Span(start, len) = self;
        let start = usize::try_from(start).ok()?;
        TEXT.get(start..start + usize::try_from(len).ok()?)
    }
}

/// One territory's data, as libphonenumber's metadata describes it. Kept free of pointers
/// (strings are spans of `TEXT`, lengths bit masks) so the table needs no relocations.
pub struct Territory {
    /// ISO 3166 alpha-2 region, or "001" for non-geographic entities (+800, +882, ...).
    pub id: &'static str,
    pub country_code: u16,
    /// Which national numbers belong here when several territories share a country code.
    pub leading_digits: Span,
    /// The international dialling prefix (IDD) when this is the default region: "011" for US.
    pub international_prefix: Span,
    pub national_prefix: Span,
    pub national_prefix_for_parsing: Span,
    pub national_prefix_transform_rule: Span,
    /// Every valid number of the territory matches it.
    pub general: Desc,
    pub general_local_lengths: u32,
    /// The number-type descriptions (fixed line, mobile, toll free, ...), repeats dropped:
    /// `DESCS[start..start + count]`.
    pub types: (u16, u16),
}

impl Territory {
    pub fn types(&self) -> &'static [Desc] {
        let (start, count) = (usize::from(self.types.0), usize::from(self.types.1));
        &DESCS[start..start + count]
    }
}

/// A number-type description: its pattern and the national lengths it allows (bit n set:
/// n digits allowed; 0: any length, as an absent list in the crate).
pub struct Desc {
    pub pattern: Span,
    pub lengths: u32,
}

impl Desc {
    pub fn allows_length(&self, len: usize) -> bool {
        self.lengths == 0 || (len < 32 && self.lengths & (1 << len) != 0)
    }
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
    let anchored = |span: Span| {
        let pattern = span
            .get()
            .unwrap_or_else(|| panic!("phone metadata span for {}", territory.id));
        Regex::new(&format!("^(?:{pattern})"))
            .unwrap_or_else(|err| panic!("phone metadata pattern for {}: {err}", territory.id))
    };
    let optional = |span: Span| span.get().map(|_| anchored(span));
    Compiled {
        general: anchored(territory.general.pattern),
        types: territory
            .types()
            .iter()
            .map(|desc| anchored(desc.pattern))
            .collect(),
        leading_digits: optional(territory.leading_digits),
        international_prefix: optional(territory.international_prefix),
        national_prefix_for_parsing: optional(territory.national_prefix_for_parsing),
    }
}
