//! Integration tests of the core, one binary.
