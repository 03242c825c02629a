//! From typed text to the raw parts of a number, as the `phonenumber` crate 0.3.10 reads
//! them (its `parser::{rfc3966, natural, valid}` and `helper::{extract, normalize}`): an
//! RFC 3966 form ("tel:+1-202-555-0123", "202.555.0123") first, otherwise the natural form
//! with leading junk, trailing junk, a second number and an extension cut off.

use super::metadata::DECIMAL_DIGITS;
use regex_lite::Regex;
use std::sync::OnceLock;

/// The parts found in the text, before any country code is read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RawNumber<'a> {
    /// The number itself, punctuation and letters still in it.
    pub national: &'a str,
    /// A country code given in RFC 3966 form (`+64-...` or `;phone-context=+64`).
    pub prefix: Option<&'a str>,
}

/// Why the text holds no number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoNumber;

/// The two forms the crate tries, in its order.
pub fn split(input: &str) -> Result<RawNumber<'_>, NoNumber> {
    rfc3966(input).map_or_else(|| natural(input), Ok)
}

/// `tel:` URIs and space-free numbers: `[tel:][+prefix]digits-and-separators[;params]`,
/// hex letters counting as digits, as the crate's `rfc3966::phone_number`.
fn rfc3966(input: &str) -> Option<RawNumber<'_>> {
    if input.contains(' ') {
        return None;
    }
    let mut rest = input;
    if rest.len() >= 4 && rest.is_char_boundary(4) && rest[..4].eq_ignore_ascii_case("tel:") {
        rest = &rest[4..];
    }
    let mut prefix = None;
    if let Some(after_plus) = rest.strip_prefix('+') {
        let end = after_plus
            .find(is_rfc_separator)
            .unwrap_or(after_plus.len());
        if end > 0 {
            prefix = Some(&after_plus[..end]);
            rest = &after_plus[end..];
        }
    }
    let end = rest
        .find(|c: char| !(c.is_ascii_hexdigit() || is_rfc_separator(c)))
        .unwrap_or(rest.len());
    if end == 0 {
        return None;
    }
    let (national, params) = rest.split_at(end);
    if !(params.is_empty() || params.starts_with(';')) {
        return None;
    }
    let context = parameter(params, "phone-context").map(|c| c.strip_prefix('+').unwrap_or(c));
    Some(RawNumber {
        national,
        prefix: prefix.or(context),
    })
}

fn is_rfc_separator(c: char) -> bool {
    matches!(c, '-' | '.' | '(' | ')')
}

/// The value of the last `;name=value` with this name, reading parameters while they parse.
fn parameter<'a>(mut params: &'a str, name: &str) -> Option<&'a str> {
    let mut found = None;
    while let Some(after) = params.strip_prefix(';') {
        let key_end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(after.len());
        let Some(value_start) = after[key_end..].strip_prefix('=') else {
            break;
        };
        let value_end = value_start
            .find(|c: char| !is_rfc_value_char(c))
            .unwrap_or(value_start.len());
        if &after[..key_end] == name {
            found = Some(&value_start[..value_end]);
        }
        params = &value_start[value_end..];
    }
    found
}

fn is_rfc_value_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "[]/:&+$-_.!~*'()".contains(c)
}

/// Natural text: from the first digit or plus, trailing non-alphanumerics dropped, cut at a
/// second number ("/ x..."), then an extension taken off the end. An RFC 3966 `;ext=` or
/// a "- 123#" ending is refused, as the crate refuses it.
fn natural(input: &str) -> Result<RawNumber<'_>, NoNumber> {
    let extracted = extract(input).ok_or(NoNumber)?;
    let national = match extension_pattern().captures(extracted) {
        None => extracted,
        Some(found) if found.get(2).is_some() => {
            &extracted[..found.get(0).ok_or(NoNumber)?.start()]
        }
        Some(_) => return Err(NoNumber),
    };
    Ok(RawNumber {
        national,
        prefix: None,
    })
}

/// The crate's `helper::extract`. Its trailing-junk class is "not a Unicode number or
/// letter (N, L) and not `#`"; `char::is_alphabetic` is slightly wider than L (it also
/// counts combining marks such as U+0301 and circled letters), so a number ending in one of
/// those keeps it here, then fails `is_viable` and is refused where the crate would strip
/// it: a refusal, never a different number, and not a character anyone types after a phone.
fn extract(input: &str) -> Option<&str> {
    let start = input.find(|c: char| c == '+' || c == '\u{FF0B}' || is_decimal_digit(c))?;
    let mut result = &input[start..];
    let kept_end = result
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_numeric() || c.is_alphabetic() || c == '#')
        .map_or(0, |(at, c)| at + c.len_utf8());
    result = &result[..kept_end];
    if let Some(second) = second_number_start(result) {
        result = &result[..second];
    }
    (!result.is_empty()).then_some(result)
}

/// Where `[\\/] *x` first matches.
fn second_number_start(text: &str) -> Option<usize> {
    text.match_indices(['\\', '/'])
        .map(|(at, _)| at)
        .find(|&at| text[at + 1..].trim_start_matches(' ').starts_with('x'))
}

/// The crate's `EXTN_PATTERN` (case-insensitive, Unicode digits), spelled for regex-lite:
/// the case variants written out (regex-lite folds ASCII only), `\p{Nd}` as ranges.
fn extension_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let digits: String = DECIMAL_DIGITS
            .iter()
            .map(|(start, end)| format!(r"\x{{{start:X}}}-\x{{{end:X}}}"))
            .collect();
        let pattern = format!(
            r"(?:;[eE][xX][tT]=([{d}]{{0,7}})|[ \x{{A0}}\t,]*(?:[eE]?[xX][tT](?:[eE][nN][sS\x{{17F}}][iI](?:[oO]\x{{301}}?|[\x{{F3}}\x{{D3}}]))?[nN]?|[\x{{FF45}}\x{{FF25}}]?[\x{{FF58}}\x{{FF38}}][\x{{FF54}}\x{{FF34}}][\x{{FF4E}}\x{{FF2E}}]?|[,;xX\x{{FF58}}\x{{FF38}}#\x{{FF03}}~\x{{FF5E}}]|[iI][nN][tT]|[aA][nN][eE][xX][oO]|[\x{{FF49}}\x{{FF29}}][\x{{FF4E}}\x{{FF2E}}][\x{{FF54}}\x{{FF34}}])[:\.\x{{FF0E}}]?[ \x{{A0}}\t,\-]*([{d}]{{0,7}})#?|[\- ]+([{d}]{{1,5}})#)$",
            d = digits
        );
        Regex::new(&pattern).expect("the extension pattern is a constant")
    })
}

/// Unicode general category Nd (the crate's `\p{Nd}`).
pub fn is_decimal_digit(c: char) -> bool {
    let c = u32::from(c);
    DECIMAL_DIGITS
        .binary_search_by(|&(start, end)| {
            if end < c {
                std::cmp::Ordering::Less
            } else if start > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The crate's `is_viable`: at least two bytes, and either exactly two ASCII digits or
/// `+* ((punctuation|*)* digit){3} (punctuation|*|digit|letter)*`.
pub fn is_viable(national: &str) -> bool {
    if national.len() < 2 {
        return false;
    }
    if national.len() == 2 && national.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let body = national.trim_start_matches(['+', '\u{FF0B}']);
    let mut digits = 0;
    for c in body.chars() {
        if c.is_ascii_digit() {
            digits += 1;
        } else if !(is_punctuation(c) || c == '*' || (digits >= 3 && c.is_ascii_alphabetic())) {
            return false;
        }
    }
    digits >= 3
}

/// The crate's `helper::punctuation` set (its `one_of` string, taken literally).
fn is_punctuation(c: char) -> bool {
    matches!(
        c,
        '-' | 'x' | '\u{2010}'
            ..='\u{2015}'
                | '\u{2212}'
                | '\u{30FC}'
                | '\u{FF0D}'
                | '\u{FF0F}'
                | ' '
                | '\u{00A0}'
                | '\u{00AD}'
                | '\u{200B}'
                | '\u{2060}'
                | '\u{3000}'
                | '('
                | ')'
                | '\u{FF08}'
                | '\u{FF09}'
                | '\u{FF3B}'
                | '\u{FF3D}'
                | '.'
                | '['
                | ']'
                | '/'
                | '~'
                | '\u{2053}'
                | '\u{223C}'
                | '\u{FF5E}'
    )
}

/// Digits of the scripts the crate maps (its `as_dec_digit`), by their zero.
const MAPPED_ZEROS: [u32; 15] = [
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0E50, 0x0ED0, 0xFF10,
];

/// Digits and keypad letters to ASCII digits; everything else dropped (`helper::normalize`).
pub fn normalize(text: &str) -> String {
    text.chars().filter_map(normalized_digit).collect()
}

fn normalized_digit(c: char) -> Option<char> {
    if c.is_ascii_digit() {
        return Some(c);
    }
    if c.is_ascii_alphabetic() {
        let keypad = b"22233344455566677778889999";
        let at = usize::from(c.to_ascii_uppercase() as u8 - b'A');
        return Some(char::from(keypad[at]));
    }
    let code = u32::from(c);
    MAPPED_ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&code))
        .and_then(|&zero| char::from_digit(code - zero, 10))
}
