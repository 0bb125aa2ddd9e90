//! The roster crate's integration tests, over the fixture rosters in `tests/data`.

mod errors;
mod good;
mod hostile;
mod support;
