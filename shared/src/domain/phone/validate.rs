//! Which territory a number belongs to and whether it is valid there, as the `phonenumber`
//! crate 0.3.10 decides it (`validator::{source_for, number_type, length}`,
//! `Descriptor::is_match`).
//!
//! Two of the crate's readings differ from libphonenumber's and are kept, because stored
//! numbers were accepted by them: a pattern matches when it matches a *prefix* of the number
//! whose length is one the description allows (libphonenumber wants the whole number to
//! match), and a territory with leading digits is chosen on those digits alone.

use super::table::Region;

/// The crate's `Validation`, as far as parsing reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    Possible,
    PossibleLocalOnly,
    TooShort,
    Invalid,
    TooLong,
}

impl Length {
    pub fn is_possible(self) -> bool {
        matches!(self, Length::Possible | Length::PossibleLocalOnly)
    }
}

/// The territory whose metadata applies to a number (`source_for`): the only one for its
/// code, else the first (main country first) whose leading digits start the number or, for
/// those without leading digits, whose number types accept it.
pub fn region_for(code: u16, national: &str) -> Option<Region> {
    let mut regions = Region::for_code(code)?.peekable();
    let first = regions.next()?;
    if regions.peek().is_none() {
        return Some(first);
    }
    std::iter::once(first).chain(regions).find(|&region| {
        match region.compiled().leading_digits.as_ref() {
            Some(leading) => leading.is_match(national),
            None => has_known_type(region, national),
        }
    })
}

/// Valid: a territory claims the number and one of its number types accepts it.
pub fn is_valid(code: u16, national: &str) -> bool {
    region_for(code, national).is_some_and(|region| has_known_type(region, national))
}

/// `number_type(..) != Unknown`: the general pattern and some type's pattern and lengths.
fn has_known_type(region: Region, national: &str) -> bool {
    let compiled = region.compiled();
    general_matches(region, national)
        && region
            .data()
            .types()
            .iter()
            .zip(&compiled.types)
            .any(|(desc, pattern)| desc.allows_length(national.len()) && pattern.is_match(national))
}

/// The general description's `is_match`.
pub fn general_matches(region: Region, national: &str) -> bool {
    region.data().general.allows_length(national.len())
        && region.compiled().general.is_match(national)
}

/// The crate's `length(meta, number, Type::Unknown)`. It reads the general description's
/// lengths, which the XML never gives, so this is `Invalid` for every territory today; it
/// is kept as written so that a table with general lengths behaves as the crate would.
pub fn length(region: Region, len: usize) -> Length {
    let territory = region.data();
    let possible = territory.general.lengths;
    if possible == 0 {
        return Length::Invalid;
    }
    let has = |mask: u32| len < 32 && mask & (1 << len) != 0;
    let min = possible.trailing_zeros() as usize;
    let max = 31 - possible.leading_zeros() as usize;
    if has(territory.general_local_lengths) {
        Length::PossibleLocalOnly
    } else if len == min {
        Length::Possible
    } else if len < min {
        Length::TooShort
    } else if len > max {
        Length::TooLong
    } else if has(possible) {
        Length::Possible
    } else {
        Length::Invalid
    }
}
