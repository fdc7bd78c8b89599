//! The cases are in `ui/`; `tests/ui.rs` runs them against pypwext built with
//! `default-features = false, features = ["service"]`.
