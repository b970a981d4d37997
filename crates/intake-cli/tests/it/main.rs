//! Integration tests of the `intake` command line: one test binary, one module per area.

mod add;
mod audit;
// Unix only: its 210 MiB copies are sparse files there (the padding is a hole); on Windows they
// would be written out in full.
#[cfg(unix)]
mod big_video;
mod cases;
mod check_findings;
mod checklist;
mod corrections;
mod crash;
mod domain;
mod encryption;
mod export;
mod harness;
mod inspect;
mod read;
mod read_at_add;
mod s3_server;
mod sealed_outbox;
mod thresholds;
mod tray;
mod trust;
mod upload;
