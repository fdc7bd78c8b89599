//! The one AWS SDK configuration that the features calling AWS services
//! (`idempotency`, `parameters`) share: read from the environment once per
//! process, as `aws-config` reads it in Lambda (credentials, region,
//! `AWS_ENDPOINT_URL`), with an HTTPS client on rustls and ring.
//!
//! Why a client of our own: the SDK's default HTTPS client is rustls on
//! aws-lc-rs, which needs cmake and builds several times slower than ring on
//! two cores; the rest of pypwext (`http`) already uses rustls on ring.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use tokio::sync::OnceCell;

/// The process's SDK configuration, loaded from the environment on first use.
///
/// Loading does not fail: missing credentials or region show up as the first
/// request's error, which the caller turns into its own `PwError`.
pub(crate) async fn shared_config() -> &'static SdkConfig {
    static CONFIG: OnceCell<SdkConfig> = OnceCell::const_new();
    CONFIG
        .get_or_init(|| async {
            aws_config::defaults(BehaviorVersion::latest())
                // The SDK's default HTTPS client is rustls on aws-lc-rs; ours, ring.
                .http_client(
                    aws_smithy_http_client::Builder::new()
                        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
                        .build_https(),
                )
                .load()
                .await
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_configuration_is_loaded_once_with_pypwexts_https_client() {
        let first = shared_config().await;
        let second = shared_config().await;
        assert!(std::ptr::eq(first, second), "one configuration per process");
        assert!(first.http_client().is_some(), "the SDK uses pypwext's HTTPS client");
        assert_eq!(first.behavior_version(), Some(BehaviorVersion::latest()));
    }
}
