//! End-to-end tests of Merchant Intake; the tests are in `tests/it/`. This library is empty:
//! Cargo needs one target besides the tests.
