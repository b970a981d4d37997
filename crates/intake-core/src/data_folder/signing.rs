//! The installation's SM2 key pair, kept in this folder (sealed under its key once it is
//! encrypted; the keys and signatures themselves: module `signing`).

use super::DataFolder;
use crate::error::Result;
use crate::signing::{self, InstallationKey, PublicKeyInfo, RegisterLine};

impl DataFolder {
    /// The installation's key pair, made on first use (sealed, in an encrypted folder).
    pub fn installation_key(&self) -> Result<InstallationKey> {
        signing::installation_key(self.root(), self.sealed_file_key().as_ref())
    }

    /// The fingerprint of the installation's key, or `None` when it has none yet (never makes
    /// one: a verifier that trusts this folder's key must not invent it).
    pub fn signing_key_fingerprint(&self) -> Result<Option<String>> {
        signing::signing_key_fingerprint(self.root(), self.sealed_file_key().as_ref())
    }

    /// This installation's line for head office's register of trusted keys
    /// (`<fingerprint>  <branch> / <manager>`, [`crate::package::trust`]); the key pair is made
    /// on first use. The branch and manager must be set: a line without them tells head office
    /// nothing about whose key it is.
    pub fn register_line(&self) -> Result<RegisterLine> {
        signing::register_line(self.root(), self.sealed_file_key().as_ref(), &self.settings()?)
    }

    /// The public half of the installation's key pair (made on first use), for display.
    pub fn public_key_info(&self) -> Result<PublicKeyInfo> {
        signing::public_key_info(self.root(), self.sealed_file_key().as_ref())
    }
}
