//! The packages queued in this folder's outbox: a plain copy on request, and their retention
//! (the sealed outbox itself: module `sealed_outbox`).

use std::path::Path;

use chrono::{DateTime, Utc};

use super::DataFolder;
use crate::error::Result;
use crate::sealed_outbox::{self, DEFAULT_KEEP_UPLOADED_DAYS};

impl DataFolder {
    /// Removes the sealed packages whose upload was verified more than
    /// `upload.keep_uploaded_days` days before `now` (module `sealed_outbox`). Returns how many
    /// were removed.
    pub fn remove_expired_packages(&self, now: DateTime<Utc>) -> Result<usize> {
        let keep_days = self.settings()?.upload.keep_uploaded_days.unwrap_or(DEFAULT_KEEP_UPLOADED_DAYS);
        sealed_outbox::remove_expired_packages(self.vault(), self.database().outbox()?, keep_days, now)
    }

    /// Writes a plain copy of the queued package `sha256` at `out` (the app's 另存为…): the
    /// copy is NOT encrypted, whatever the data folder is. Decrypted and hashed on the way
    /// (`package_changed` when the queued package no longer has its SHA-256, and then nothing
    /// is left at `out`), written beside `out` and renamed into place. Returns its size.
    pub fn save_plain_copy(&self, sha256: &str, out: &Path) -> Result<u64> {
        self.refuse_write_inside(out)?;
        sealed_outbox::save_plain_copy(self.database(), self.vault(), sha256, out)
    }
}
