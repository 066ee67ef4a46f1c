//! Sign-in throttling, in memory: at most N attempts per key in a sliding window. The server keeps
//! one throttle keyed "ip:ADDRESS" and a stricter one keyed "account:EMAIL", so one address cannot
//! try many accounts and many addresses cannot hammer one account. (Several servers will need this
//! in the database: the scale-out work.)

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Throttle {
    limit: usize,
    window: Duration,
    attempts: Arc<Mutex<HashMap<String, VecDeque<Instant>>>>,
}

impl Throttle {
    pub fn new(limit: usize, window: Duration) -> Self {
        Throttle {
            limit,
            window,
            attempts: Arc::default(),
        }
    }

    /// Records an attempt, or refuses with the seconds until the oldest attempt leaves the window.
    pub fn attempt(&self, key: &str) -> Result<(), u64> {
        self.attempt_at(key, Instant::now())
    }

    fn attempt_at(&self, key: &str, now: Instant) -> Result<(), u64> {
        let mut attempts = self
            .attempts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let window = self.window;
        let times = attempts.entry(key.to_string()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            times.pop_front();
        }
        if times.len() >= self.limit {
            let oldest = *times.front().expect("a full window has an oldest attempt");
            return Err(window
                .saturating_sub(now.duration_since(oldest))
                .as_secs()
                .max(1));
        }
        times.push_back(now);
        // Forget keys with nothing in the window, so memory stays bounded.
        if attempts.len() > 10_000 {
            attempts.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        Ok(())
    }

    /// A successful sign-in clears the account's count.
    pub fn forget(&self, key: &str) {
        let mut attempts = self
            .attempts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        attempts.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attempt_after_the_limit_is_refused_until_the_window_moves_on() {
        let throttle = Throttle::new(3, Duration::from_secs(60));
        let start = Instant::now();
        for n in 0..3 {
            assert!(
                throttle
                    .attempt_at("account:a@b.org", start + Duration::from_secs(n))
                    .is_ok()
            );
        }
        assert_eq!(
            throttle.attempt_at("account:a@b.org", start + Duration::from_secs(10)),
            Err(50)
        );
        assert!(
            throttle.attempt_at("account:other@b.org", start).is_ok(),
            "keys are separate"
        );
        assert!(
            throttle
                .attempt_at("account:a@b.org", start + Duration::from_secs(61))
                .is_ok()
        );
    }

    #[test]
    fn forgetting_a_key_starts_its_count_again() {
        let throttle = Throttle::new(1, Duration::from_secs(60));
        let now = Instant::now();
        assert!(throttle.attempt_at("account:x", now).is_ok());
        assert!(throttle.attempt_at("account:x", now).is_err());
        throttle.forget("account:x");
        assert!(throttle.attempt_at("account:x", now).is_ok());
    }
}
