//! Integration tests of pypwext live in `tests/`; this library is empty.
