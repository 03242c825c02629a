//! Time as the API shows it: RFC 3339 UTC with milliseconds (`2026-11-22T04:10:00.123Z`).
//! Internally times are epoch milliseconds (`i64`), which compare and sort as numbers in
//! DynamoDB conditions.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Epoch milliseconds → `2026-11-22T04:10:00.123Z`.
pub fn rfc3339(ms: i64) -> String {
    let dt = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    dt.format(&fmt)
        .unwrap_or_else(|_| dt.format(&Rfc3339).unwrap_or_default())
}

/// `2026-11-22` for the day that contains `ms` (UTC), used by daily counters.
pub fn day(ms: i64) -> String {
    rfc3339(ms)[..10].to_string()
}

/// Epoch seconds for DynamoDB's TTL attribute.
pub fn ttl_seconds(ms: i64) -> i64 {
    ms / 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_millis_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_320_600_123), "2026-11-22T04:10:00.123Z");
        assert_eq!(day(1_795_320_600_123), "2026-11-22");
    }
}
