//! Where the order service reads the offers service's location and API key
//! (`pypwext::parameters`). The SAM template grants reading exactly these;
//! `examples/tests/deploy_template.rs` checks that it does.

/// The SSM parameter that holds where the offers service is (JSON).
pub const OFFERS_SERVICE: &str = "/shop/offers-service";
/// The Secrets Manager secret that holds the offers service's API key.
pub const OFFERS_API_KEY: &str = "shop/offers-api-key";
