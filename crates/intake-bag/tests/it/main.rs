//! Integration tests of the package format crate: one test binary, one module per area.

mod dependencies;
mod verify_binary;
