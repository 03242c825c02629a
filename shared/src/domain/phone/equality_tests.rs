//! Proof that Canopy's parser gives what the `phonenumber` crate (0.3.10) gave: the same
//! numbers accepted, the same E.164, the same country, over a generated corpus.

use super::corpus::{country_inputs, parse_inputs};
use super::metadata::{LIBPHONENUMBER_VERSION, TERRITORIES};
use super::table::Region;
use crate::domain::contact_info::PhoneNumber;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// `PhoneNumber::parse` as it was written on the crate.
fn crate_parse(input: &str) -> Result<String, &'static str> {
    let trimmed = input.trim();
    if trimmed.is_empty() || trimmed.len() > 32 {
        return Err("refused");
    }
    let parsed =
        phonenumber::parse(Some(phonenumber::country::Id::US), trimmed).map_err(|_| "refused")?;
    if !parsed.is_valid() {
        return Err("refused");
    }
    Ok(parsed.format().mode(phonenumber::Mode::E164).to_string())
}

/// What Canopy must answer: the crate's answer, except for a number that carries another
/// country's code (a '+' or the US IDD "011"). For those the crate, given US as the default,
/// stripped the *US* national prefix ("1") from the foreign number: "+44 121 234 5678" was
/// refused and "+60 154 601 2345" became +60546012345, another number. Canopy strips the
/// number's own country's prefix, as libphonenumber does; the crate does that too when it
/// reads the same number written with a '+' and given no default region.
fn expected_parse(input: &str) -> Result<String, &'static str> {
    use phonenumber::country::{Id, Source};
    let trimmed = input.trim();
    let foreign = match phonenumber::parse(Some(Id::US), trimmed) {
        Ok(n) if n.code().value() != 1 => match n.code().source() {
            Source::Plus => Some(trimmed.replacen("+011", "+", 1)),
            Source::Idd => Some(trimmed.replacen("011", "+", 1)),
            _ => None,
        },
        _ => None,
    };
    let Some(written) = foreign else {
        return crate_parse(input);
    };
    if written.is_empty() || written.len() > 32 {
        return Err("refused");
    }
    let parsed = phonenumber::parse(None, &written).map_err(|_| "refused")?;
    if !parsed.is_valid() {
        return Err("refused");
    }
    Ok(parsed.format().mode(phonenumber::Mode::E164).to_string())
}

/// `PhoneNumber::country` as it was written on the crate.
fn crate_country(e164: &str) -> Option<String> {
    let parsed = phonenumber::parse(None, e164).ok()?;
    parsed.country().id().map(|id| {
        let code: &str = id.as_ref();
        code.to_string()
    })
}

#[test]
fn same_as_the_phonenumber_crate() {
    let inputs = parse_inputs();
    let mut differences = Vec::new();
    let mut accepted = Vec::new();
    let mut corrected = Vec::new();
    for input in &inputs {
        let ours = PhoneNumber::parse(input)
            .map(|p| p.as_str().to_string())
            .map_err(|_| "refused");
        let theirs =
            catch_unwind(AssertUnwindSafe(|| expected_parse(input))).unwrap_or(Err("panicked"));
        if theirs
            != catch_unwind(AssertUnwindSafe(|| crate_parse(input))).unwrap_or(Err("panicked"))
        {
            corrected.push(input.clone());
        }
        if ours != theirs {
            differences.push(format!("parse({input:?}): ours {ours:?}, crate {theirs:?}"));
        }
        if let Ok(e164) = ours {
            accepted.push(e164);
        }
    }
    let mut countries = country_inputs();
    countries.extend(accepted.iter().cloned());
    for e164 in &countries {
        let ours = PhoneNumber::from_trusted(e164.clone()).country();
        let theirs = catch_unwind(AssertUnwindSafe(|| crate_country(e164))).unwrap_or(None);
        if ours != theirs {
            differences.push(format!(
                "country({e164:?}): ours {ours:?}, crate {theirs:?}"
            ));
        }
    }
    println!(
        "phone equality (libphonenumber {LIBPHONENUMBER_VERSION}): {} parse inputs ({} accepted; {} foreign numbers read by their own country's prefix rule, where the crate used the US one), {} country inputs, {} differences",
        inputs.len(),
        accepted.len(),
        corrected.len(),
        countries.len(),
        differences.len()
    );
    // The correction must be exercised, or the comparison above proves nothing about it.
    assert!(corrected.len() > 100, "too few foreign numbers");
    for difference in differences.iter().take(40) {
        println!("  {difference}");
    }
    assert!(differences.is_empty(), "{} differences", differences.len());
    // The corpus must exercise both outcomes, or the comparison proves little.
    assert!(accepted.len() > inputs.len() / 10, "too few valid inputs");
    assert!(
        accepted.len() < inputs.len() * 9 / 10,
        "too few invalid inputs"
    );
}

#[test]
fn every_pattern_compiles() {
    for territory in TERRITORIES {
        let region = Region::for_code(territory.country_code)
            .into_iter()
            .flatten()
            .find(|region| std::ptr::eq(region.data(), territory))
            .unwrap_or_else(|| {
                panic!(
                    "{} is not listed under +{}",
                    territory.id, territory.country_code
                )
            });
        for span in [
            territory.leading_digits,
            territory.international_prefix,
            territory.national_prefix,
            territory.national_prefix_for_parsing,
            territory.national_prefix_transform_rule,
        ] {
            // Absent, or a real piece of the text (a bad offset would read as absent).
            assert!(
                span.0 == u32::MAX || span.get().is_some(),
                "{}",
                territory.id
            );
        }
        let compiled = region.compiled();
        assert_eq!(
            compiled.types.len(),
            territory.types().len(),
            "{}",
            territory.id
        );
    }
}

#[test]
fn every_geographic_territory_is_a_crate_country() {
    for territory in TERRITORIES.iter().filter(|t| t.id != "001") {
        let id: Result<phonenumber::country::Id, _> = territory.id.parse();
        assert!(id.is_ok(), "{}", territory.id);
    }
}

#[test]
fn foreign_numbers_keep_their_own_digits() {
    for (input, e164) in [
        ("+44 121 234 5678", "+441212345678"),
        ("011 44 121 234 5678", "+441212345678"),
        ("+33 1 42 68 53 00", "+33142685300"),
        ("+60 154 601 2345", "+601546012345"),
        // And US numbers as before.
        ("1 (202) 555-0143", "+12025550143"),
        ("+1 202 555 0143", "+12025550143"),
    ] {
        let parsed = PhoneNumber::parse(input).map(|p| p.as_str().to_string());
        assert_eq!(parsed.as_deref(), Ok(e164), "{input}");
    }
}
