//! Concord's end-to-end and API tests live under `tests/`; this library is empty.
