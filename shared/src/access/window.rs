//! The sliding-window rule shared by code sends and rate limits: a window holds the times
//! of recent hits; a new hit is admitted while fewer than `max` remain inside the window.
//! Lambdas share no memory, so the window lives in the table and is rewritten with a
//! version condition (optimistic concurrency): two concurrent requests can never both take
//! the last slot.

/// At most `max` hits per `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: usize,
    pub window_ms: i64,
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

/// Milliseconds of waiting as the whole seconds of a `Retry-After`.
pub fn retry_after_secs(wait_ms: i64) -> u64 {
    (wait_ms.max(0) as u64).div_ceil(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Limit = Limit {
        max: 2,
        window_ms: 10_000,
    };

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
}
