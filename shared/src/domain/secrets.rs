//! One-time codes and bearer tokens: how they are made, and the only forms in which they are
//! stored (an HMAC for codes, a SHA-256 for tokens). Nothing here ever logs or stores a
//! plaintext code or token.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The shortest pepper accepted (bytes): the template's generated one has 64.
pub const MIN_PEPPER_BYTES: usize = 16;

/// How long a one-time code may be used, in milliseconds (10 minutes).
pub const CODE_LIFETIME_MS: i64 = 10 * 60 * 1000;
/// Wrong (or any) checks allowed per challenge before it is dead.
pub const MAX_CODE_CHECKS: u32 = 5;
/// Codes sent to one destination within [`SEND_WINDOW_MS`].
pub const MAX_SENDS_PER_WINDOW: usize = 5;
pub const SEND_WINDOW_MS: i64 = 10 * 60 * 1000;

/// Fills a buffer from the operating system's CSPRNG. The OS generator failing is not
/// something a request can recover from, so it is the one place that panics.
fn os_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the OS random number generator is unavailable");
}

/// A six-digit one-time code drawn uniformly from 000000–999999 by rejection sampling, so
/// no code is likelier than another (a plain `% 1_000_000` would favour the low ones).
pub fn new_code() -> String {
    code_from_draws(|| {
        let mut bytes = [0u8; 4];
        os_random(&mut bytes);
        u32::from_le_bytes(bytes)
    })
}

/// The rejection sampling of [`new_code`] over any source of uniform `u32` draws: a draw
/// at or above the largest multiple of 1,000,000 that fits in a `u32` (4,294,000,000) is
/// thrown away and drawn again, so every code keeps exactly 4,294 draws that map to it.
fn code_from_draws(mut draw: impl FnMut() -> u32) -> String {
    const LIMIT: u32 = 4_294_000_000;
    loop {
        let n = draw();
        if n < LIMIT {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// Whether a string has the shape of a code (six ASCII digits). Checked before any write so
/// malformed input never uses up an attempt.
pub fn looks_like_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// HMAC-SHA256(pepper, challenge ‖ purpose ‖ destination ‖ code), hex. Binding the code to the
/// challenge, its purpose and the destination means a code stolen from one flow is useless in
/// another, and a leaked table cannot be brute-forced without the pepper.
pub fn code_hash(
    pepper: &[u8],
    challenge: &str,
    purpose: &str,
    destination: &str,
    code: &str,
) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(pepper).expect("HMAC takes keys of any length");
    for part in [challenge, purpose, destination, code] {
        // Length-prefix every part so ("ab","c") and ("a","bc") never collide.
        mac.update(&(part.len() as u32).to_be_bytes());
        mac.update(part.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

/// Constant-time comparison of two hashes, so timing does not reveal how much matched.
pub fn hashes_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A bearer or invite token: 256 random bits, URL-safe base64 (43 characters).
pub fn new_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    os_random(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether a string could be a token we issued; anything else is refused before a lookup.
pub fn looks_like_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The stored form of a token: SHA-256, hex. Tokens carry 256 bits of entropy, so an
/// unsalted hash is enough to make a leaked table useless.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A practice link's allocated code: six random digits. Codes are public (not secrets), so
/// the randomness only keeps them from being guessable in sequence; uniqueness comes from
/// the conditional write that stores the link (a collision is retried with a new code).
pub fn new_link_code() -> String {
    new_code()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..1000 {
            let c = new_code();
            assert!(looks_like_code(&c), "{c}");
        }
    }

    #[test]
    fn codes_spread_over_the_whole_range() {
        // 10 buckets by first digit; 5,000 draws: each bucket expects 500. A biased or
        // constant generator lands far outside 350..650.
        let mut buckets = [0u32; 10];
        for _ in 0..5000 {
            let c = new_code();
            buckets[(c.as_bytes()[0] - b'0') as usize] += 1;
        }
        assert!(
            buckets.iter().all(|&n| (350..650).contains(&n)),
            "{buckets:?}"
        );
    }

    #[test]
    fn code_hash_depends_on_every_part() {
        let base = code_hash(b"pepper", "chal_1", "login", "+12025550123", "123456");
        assert_ne!(
            base,
            code_hash(b"other", "chal_1", "login", "+12025550123", "123456")
        );
        assert_ne!(
            base,
            code_hash(b"pepper", "chal_2", "login", "+12025550123", "123456")
        );
        assert_ne!(
            base,
            code_hash(b"pepper", "chal_1", "signup", "+12025550123", "123456")
        );
        assert_ne!(
            base,
            code_hash(b"pepper", "chal_1", "login", "+12025550124", "123456")
        );
        assert_ne!(
            base,
            code_hash(b"pepper", "chal_1", "login", "+12025550123", "123457")
        );
        assert_eq!(
            base,
            code_hash(b"pepper", "chal_1", "login", "+12025550123", "123456")
        );
        assert!(!base.contains("123456"));
    }

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(looks_like_token(&a));
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        assert!(!looks_like_token("short"));
    }

    #[test]
    fn draws_past_the_last_whole_million_are_drawn_again() {
        // The tail 4,294,000,000..=u32::MAX would favour codes 000000..967295: redrawn.
        let mut draws = [4_294_000_000, u32::MAX, 4_294_500_000, 123_456_789].into_iter();
        let mut used = 0;
        let code = code_from_draws(|| {
            used += 1;
            draws.next().unwrap()
        });
        assert_eq!((code.as_str(), used), ("456789", 4));
        // The last draw below the limit is kept, and small draws keep their leading zeros.
        assert_eq!(code_from_draws(|| 4_293_999_999), "999999");
        assert_eq!(code_from_draws(|| 7), "000007");
        // Every code has the same number of accepted draws mapping to it (no modulo bias).
        assert_eq!(4_294_000_000u64 % 1_000_000, 0);
    }

    #[test]
    fn the_comparison_is_subtles_constant_time_one() {
        // Behaviour: equal, unequal at the first or last byte, other lengths.
        assert!(hashes_equal("00ff", "00ff"));
        assert!(!hashes_equal("10ff", "00ff"));
        assert!(!hashes_equal("00fe", "00ff"));
        // How: `hashes_equal` compares with `subtle`'s `ct_eq` (no early exit), and a
        // challenge's codes are compared with `hashes_equal`, never with `==`.
        let this = include_str!("secrets.rs");
        let body = &this[this.find("pub fn hashes_equal").unwrap()..];
        let body = &body[..body.find("\n}").unwrap()];
        assert!(body.contains(".ct_eq("), "{body}");
        let codes = include_str!("../access/codes.rs");
        let answered = &codes[codes.find("pub fn answered_by").unwrap()..];
        let answered = &answered[..answered.find("\n    }").unwrap()];
        assert!(
            answered.contains("hashes_equal(&hash, &slot.hash)"),
            "{answered}"
        );
        assert!(!answered.contains("== slot.hash") && !answered.contains("hash =="));
    }

    #[test]
    fn hash_comparison() {
        assert!(hashes_equal("abc", "abc"));
        assert!(!hashes_equal("abc", "abd"));
        assert!(!hashes_equal("abc", "abcd"));
    }
}
