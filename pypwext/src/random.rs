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

/// 64 random bits, different on every call: X-Ray's segment and exception
/// ids (which need to be unique in a trace, not secret).
#[cfg_attr(not(feature = "tracer"), allow(dead_code))]
pub(crate) fn bits() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x2545_f491_4f6c_dd1d);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    #[test]
    fn unit_is_in_range_and_varies() {
        let draws: Vec<f64> = (0..64).map(|_| super::unit()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        assert!(draws.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn bits_differ_from_call_to_call() {
        let draws: std::collections::HashSet<u64> = (0..64).map(|_| super::bits()).collect();
        assert_eq!(draws.len(), 64);
    }
}
