//! Random draws for sampling and back-off jitter; no dependency needed.

use std::hash::{BuildHasher, Hasher};

/// A number in [0, 1), different on every call.
pub(crate) fn unit() -> f64 {
    // `RandomState` is seeded per thread and bumped per instance: plenty to
    // pick one invocation in N or spread retries, and not for secrets.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x9e37_79b9_7f4a_7c15);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    #[test]
    fn unit_is_in_range_and_varies() {
        let draws: Vec<f64> = (0..64).map(|_| super::unit()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        assert!(draws.windows(2).any(|w| w[0] != w[1]));
    }
}
