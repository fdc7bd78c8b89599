//! The one TLS set-up of the HTTP clients pypwext makes (`http`'s session,
//! `otel`'s exporter): rustls needs a process-wide crypto provider, and
//! pypwext's is ring (no cmake; a quarter of aws-lc-rs's build time on two
//! cores).

use std::sync::Once;

/// Installs ring as rustls's process-wide provider, once; a provider that
/// another part of the process installed first stays.
pub(crate) fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
