//! The installation's settings, in this folder (sealed under its key once it is encrypted; the
//! settings themselves: module `settings`).

use super::DataFolder;
use crate::error::Result;
use crate::evidence::Thresholds;
use crate::settings::{self, Settings, SettingsChange, UploadSettingsChange, UploadSettingsShown};

impl DataFolder {
    /// The installation's settings (unsealed, in an encrypted folder).
    pub fn settings(&self) -> Result<Settings> {
        Settings::load_sealed(self.root(), self.sealed_file_key().as_ref())
    }

    /// Applies a change to the settings, stores them and returns them.
    pub fn change_settings(&self, change: SettingsChange) -> Result<Settings> {
        settings::change_settings(self.root(), self.sealed_file_key().as_ref(), change)
    }

    /// Replaces the installation's thresholds (checked: each within its range) and returns
    /// them. The stored findings follow at the next check without any file being read again
    /// (`evidence::rederive`), unless a reading limit changed.
    pub fn set_thresholds(&self, thresholds: Thresholds) -> Result<Thresholds> {
        settings::set_thresholds(self.root(), self.sealed_file_key().as_ref(), thresholds)
    }

    /// Applies a change to the upload settings, stores them (owner-only once they hold a
    /// secret) and returns them as they may be shown.
    pub fn change_upload_settings(&self, change: UploadSettingsChange) -> Result<UploadSettingsShown> {
        settings::change_upload_settings(self.root(), self.sealed_file_key().as_ref(), change)
    }
}
