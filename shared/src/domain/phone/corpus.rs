//! The inputs `equality_tests` feeds to both parsers: every example number in the metadata
//! in the forms people type, random digits of every length per territory, NANPA numbers with
//! formatting and junk, and random strings. Seeded, so every run compares the same inputs.

use super::metadata::BY_CODE;
use phonenumber::metadata::{Descriptor, Metadata, DATABASE};

/// splitmix64: small, seeded, good enough to spread digits.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Every territory's metadata from the crate, by country code (its id map keeps only one
/// of the non-geographic "001" entities, its code map keeps them all).
fn territories() -> Vec<&'static Metadata> {
    BY_CODE
        .iter()
        .flat_map(|(code, _)| DATABASE.by_code(code).unwrap_or_default())
        .collect()
}

fn examples(meta: &Metadata) -> Vec<String> {
    let d = meta.descriptors();
    let types: [Option<&Descriptor>; 12] = [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
        d.no_international(),
        d.emergency(),
    ];
    types
        .into_iter()
        .flatten()
        .filter_map(|desc| desc.example().map(str::to_string))
        .collect()
}

/// The ways a number with country code `cc`, national prefix `np` and national number `n`
/// gets written.
fn written_forms(cc: u16, np: &str, n: &str) -> Vec<String> {
    let (head, tail) = n.split_at(n.len().min(3));
    vec![
        n.to_string(),
        format!("+{cc}{n}"),
        format!("+{cc} {head} {tail}"),
        format!("+{cc}-{head}-{tail}"),
        format!("+{cc}({head}){tail}"),
        format!("{cc}{n}"),
        format!("00{cc}{n}"),
        format!("011{cc}{n}"),
        format!("011 {cc} {head} {tail}"),
        format!("+011{cc}{n}"),
        format!("{np}{n}"),
        format!("+{cc}{np}{n}"),
        format!("+{cc} ({np}) {n}"),
        format!("tel:+{cc}-{head}-{tail}"),
        format!("{head}.{tail};phone-context=+{cc}"),
        format!("({head}) {tail}"),
        format!("{n} ext. 12"),
        format!("+{cc} {n} x7"),
    ]
}

/// Inputs for `PhoneNumber::parse`.
pub fn parse_inputs() -> Vec<String> {
    let mut rng = Rng::new(0x5EED_CA70_9F1E_0001);
    let mut inputs = Vec::new();
    for meta in territories() {
        let cc = meta.country_code();
        let np = meta.national_prefix().unwrap_or("");
        let examples = examples(meta);
        for example in &examples {
            inputs.extend(written_forms(cc, np, example));
            let mut changed = example.clone().into_bytes();
            let at = rng.below(changed.len());
            changed[at] = b'0' + rng.below(10) as u8;
            let changed = String::from_utf8(changed).unwrap_or_default();
            inputs.push(format!("+{cc}{changed}"));
            inputs.push(format!("+{cc}{example}{}", rng.digits(1)));
            inputs.push(format!("+{cc}{}", &example[..example.len() - 1]));
        }
        // Random digits of every length, often starting like a real number of the territory.
        for len in 1..=17usize {
            for _ in 0..4 {
                let lead = examples
                    .get(rng.below(examples.len().max(1)))
                    .map(|e| &e[..e.len().min(rng.below(5))])
                    .unwrap_or("");
                let rest = rng.digits(len.saturating_sub(lead.len()));
                let n = format!("{lead}{rest}");
                inputs.push(format!("+{cc}{n}"));
                inputs.push(format!("+{cc} {n}"));
                inputs.push(n.clone());
                inputs.push(format!("011{cc}{n}"));
            }
        }
    }
    inputs.extend(nanpa_inputs(&mut rng));
    inputs.extend(junk_inputs(&mut rng));
    inputs
}

/// US and Canadian numbers (SMS_ALLOWED_COUNTRIES) as people type them.
fn nanpa_inputs(rng: &mut Rng) -> Vec<String> {
    let mut inputs = Vec::new();
    let junk_before = [
        "", " ", "Tel: ", "phone ", "#", "(", "cell:", "\u{FF0B}", "...",
    ];
    let junk_after = [
        "",
        " ",
        ".",
        "..- ..",
        " x12",
        " ext. 123",
        ";ext=5",
        " 12#",
        "#",
        "!",
        "\u{200F}",
        "/x2",
        " abc",
    ];
    for _ in 0..6000 {
        let area = if rng.below(10) == 0 {
            format!("{}", rng.below(1000))
        } else {
            format!("{}", 200 + rng.below(800))
        };
        let exchange = if rng.below(8) == 0 {
            "555".to_string()
        } else {
            format!("{}", 200 + rng.below(800))
        };
        let line = rng.digits(4);
        let extra_len = 1 + rng.below(3);
        let extra = rng.digits(extra_len);
        let forms = [
            format!("({area}) {exchange}-{line}"),
            format!("{area}.{exchange}.{line}"),
            format!("{area}-{exchange}-{line}"),
            format!("{area}{exchange}{line}"),
            format!("+1 {area} {exchange} {line}"),
            format!("+1{area}{exchange}{line}"),
            format!("1-{area}-{exchange}-{line}"),
            format!("1 ({area}) {exchange} {line}"),
            format!("001{area}{exchange}{line}"),
            format!("011 1 {area} {exchange} {line}"),
            format!("{area} {exchange} {line}"),
            format!("+1.{area}.{exchange}.{line}"),
            format!("{area}{exchange}{}", &line[..rng.below(4)]),
            format!("{area}{exchange}{line}{extra}"),
        ];
        let form = &forms[rng.below(forms.len())];
        inputs.push(format!(
            "{}{form}{}",
            rng.pick(&junk_before),
            rng.pick(&junk_after)
        ));
    }
    for vanity in [
        "1-800-FLOWERS",
        "800-GOT-JUNK",
        "1 800 MY APPLE",
        "+1 (800) CALL-NOW",
        "202-555-ABCD",
    ] {
        inputs.push(vanity.to_string());
    }
    inputs
}

/// Random strings over digits, punctuation, letters and a few non-ASCII characters.
fn junk_inputs(rng: &mut Rng) -> Vec<String> {
    let alphabet: Vec<char> = "0123456789012345678901234567890123456789+-.() /xX#*;=abcdefTelxt,\u{FF10}\u{0663}\u{FF0B}\u{2013}\u{00A0}"
        .chars()
        .collect();
    (0..8000)
        .map(|_| {
            let len = rng.below(24);
            (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect()
        })
        .collect()
}

/// Inputs for `PhoneNumber::country`: E.164-shaped strings, valid or not.
pub fn country_inputs() -> Vec<String> {
    let mut rng = Rng::new(0x5EED_C0DE_0000_0002);
    let mut inputs = Vec::new();
    for meta in territories() {
        let cc = meta.country_code();
        for example in examples(meta) {
            inputs.push(format!("+{cc}{example}"));
        }
        for len in 2..=15 {
            inputs.push(format!("+{cc}{}", rng.digits(len)));
        }
    }
    for _ in 0..5000 {
        let len = 3 + rng.below(14);
        inputs.push(format!("+{}", rng.digits(len)));
    }
    inputs
}
