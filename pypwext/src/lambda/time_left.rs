//! What an invocation's deadline leaves for work that tries again (an HTTP
//! request's retries, a parameter's fetches): the deadline less a margin kept
//! for answering, so that no attempt and no back-off runs past it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The time a retrying piece of work may still take; unbounded without a
/// deadline (outside an invocation).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeLeft {
    stop: Option<SystemTime>,
}

impl TimeLeft {
    /// Until `deadline` less `margin`; unbounded when there is no deadline.
    pub(crate) fn until(deadline: Option<SystemTime>, margin: Duration) -> TimeLeft {
        TimeLeft {
            stop: deadline.map(|deadline| deadline.checked_sub(margin).unwrap_or(UNIX_EPOCH)),
        }
    }

    /// The time left now: `None` when unbounded, zero once it has run out.
    pub(crate) fn now(&self) -> Option<Duration> {
        self.stop
            .map(|stop| stop.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
    }

    /// Whether a pause of `pause` ends before the time does.
    pub(crate) fn fits(&self, pause: Duration) -> bool {
        self.now().is_none_or(|left| left > pause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_deadline_there_is_no_bound() {
        let left = TimeLeft::until(None, Duration::from_millis(100));
        assert_eq!(left.now(), None);
        assert!(left.fits(Duration::from_secs(3600)));
    }

    #[test]
    fn the_margin_comes_off_the_deadline_and_a_pause_must_end_before_it() {
        let deadline = SystemTime::now() + Duration::from_secs(10);
        let left = TimeLeft::until(Some(deadline), Duration::from_secs(4));
        let now = left.now().unwrap();
        assert!(now <= Duration::from_secs(6) && now > Duration::from_secs(5), "{now:?}");
        assert!(left.fits(Duration::from_secs(1)));
        assert!(!left.fits(Duration::from_secs(6)));
    }

    #[test]
    fn a_deadline_past_or_inside_the_margin_leaves_nothing() {
        for deadline in [
            SystemTime::now() - Duration::from_secs(1),
            SystemTime::now() + Duration::from_millis(50),
            UNIX_EPOCH,
        ] {
            let left = TimeLeft::until(Some(deadline), Duration::from_millis(100));
            assert_eq!(left.now(), Some(Duration::ZERO), "{deadline:?}");
            assert!(!left.fits(Duration::ZERO));
        }
    }
}
