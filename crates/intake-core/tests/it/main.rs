//! Integration tests of the core: one test binary, one module per area.

mod data_folder;
mod database;
mod identity_numbers;
mod vault;
