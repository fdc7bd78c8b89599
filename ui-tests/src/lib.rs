//! The cases are in `ui/`; `tests/ui.rs` runs them.
