//! The sliding-window rule shared by code sends and rate limits: a window holds the times
//! of recent hits; a new hit is admitted while fewer than `max` remain inside the window.
//! Lambdas share no memory, so the window lives in the table and is rewritten with a
//! version condition (optimistic concurrency): two concurrent requests can never both take
//! the last slot.

/// At most `max` hits per `window_ms` ([`Limit::sliding`]), or a run of at most `max`
/// hits that only a reset ends ([`Limit::run`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: usize,
    pub window_ms: i64,
    pub aging: Aging,
}

/// How hits leave a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aging {
    /// A hit leaves `window_ms` after it happened.
    Sliding,
    /// Hits never age; only a reset (deleting the window) clears them. Once `max` are in,
    /// the window is full for `window_ms` after its latest hit; then one more hit is
    /// admitted, which fills it again for another `window_ms`. So a full run lets one
    /// hit through per `window_ms`, and never more than that.
    UntilReset,
}

/// How long a run window ([`Aging::UntilReset`]) is kept after its latest hit: a year of
/// quiet forgets a run. Short of that a run outlives any pause a guesser could take.
pub const RUN_MEMORY_MS: i64 = 365 * 24 * 3600 * 1000;

impl Limit {
    /// At most `max` hits in any `window_ms`.
    pub const fn sliding(max: usize, window_ms: i64) -> Self {
        Self {
            max,
            window_ms,
            aging: Aging::Sliding,
        }
    }

    /// At most `max` hits in a row until a reset; past that, one per `lock_ms`.
    pub const fn run(max: usize, lock_ms: i64) -> Self {
        Self {
            max,
            window_ms: lock_ms,
            aging: Aging::UntilReset,
        }
    }

    /// How long the stored window must outlive its latest hit (its item's TTL).
    pub fn keep_ms(&self) -> i64 {
        match self.aging {
            Aging::Sliding => self.window_ms,
            Aging::UntilReset => RUN_MEMORY_MS,
        }
    }
}

/// A window as stored: hit times (epoch ms) and the version the next write must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    pub hits: Vec<i64>,
    /// 0 when the window does not exist yet (the write must then create it).
    pub version: u64,
}

impl Window {
    /// The window with one more hit at `now` (older hits dropped), or the wait in ms until
    /// there is room (at least one second).
    pub fn admit(&self, limit: Limit, now: i64) -> Result<Window, i64> {
        if limit.aging == Aging::UntilReset {
            return self.admit_run(limit, now);
        }
        let mut hits: Vec<i64> = self
            .hits
            .iter()
            .copied()
            .filter(|t| *t > now - limit.window_ms)
            .collect();
        if hits.len() >= limit.max {
            // Room again when the oldest hit that keeps the window full leaves it.
            hits.sort_unstable();
            let freeing = hits[hits.len() - limit.max];
            return Err((freeing + limit.window_ms - now).max(1000));
        }
        hits.push(now);
        Ok(Window {
            hits,
            version: self.version + 1,
        })
    }
}

impl Window {
    /// [`Window::admit`] for [`Aging::UntilReset`]: full at `max` hits until `window_ms`
    /// after the latest; then the newest `max - 1` are kept with the new hit, so the
    /// window is full again at once.
    fn admit_run(&self, limit: Limit, now: i64) -> Result<Window, i64> {
        let mut hits = self.hits.clone();
        hits.sort_unstable();
        if hits.len() >= limit.max {
            let latest = hits[hits.len() - 1];
            if latest + limit.window_ms > now {
                return Err((latest + limit.window_ms - now).max(1000));
            }
            hits.drain(..=hits.len() - limit.max);
        }
        hits.push(now);
        Ok(Window {
            hits,
            version: self.version + 1,
        })
    }
}

/// Milliseconds of waiting as the whole seconds of a `Retry-After`.
pub fn retry_after_secs(wait_ms: i64) -> u64 {
    (wait_ms.max(0) as u64).div_ceil(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Limit = Limit::sliding(2, 10_000);

    #[test]
    fn a_full_window_refuses_until_its_oldest_hit_leaves() {
        let first = Window::default().admit(LIMIT, 1_000).unwrap();
        let second = first.admit(LIMIT, 2_000).unwrap();
        assert_eq!(second.version, 2);
        assert_eq!(second.admit(LIMIT, 3_000), Err(8_000));
        let later = second.admit(LIMIT, 11_001).unwrap();
        assert_eq!(later.hits, vec![2_000, 11_001]);
    }

    #[test]
    fn the_wait_is_at_least_a_second() {
        let full = Window {
            hits: vec![0, 1],
            version: 7,
        };
        assert_eq!(full.admit(LIMIT, 9_999), Err(1_000));
        assert_eq!(retry_after_secs(1_001), 2);
    }

    #[test]
    fn a_full_run_lets_one_hit_through_per_lock_and_never_ages_on_its_own() {
        let run = Limit::run(3, 10_000);
        let mut w = Window::default();
        // Far apart in time: a sliding window would have forgotten the first two.
        for at in [0, 1_000_000, 2_000_000] {
            w = w.admit(run, at).unwrap();
        }
        assert_eq!(w.admit(run, 2_005_000), Err(5_000));
        let past = w.admit(run, 2_010_000).unwrap();
        assert_eq!(past.hits, vec![1_000_000, 2_000_000, 2_010_000]);
        assert_eq!(past.admit(run, 2_010_001), Err(9_999));
        assert_eq!(run.keep_ms(), RUN_MEMORY_MS);
        assert_eq!(LIMIT.keep_ms(), 10_000);
    }
}
