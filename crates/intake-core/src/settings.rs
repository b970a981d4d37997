//! The installation's settings: who packs the cases (branch and account manager, written into
//! every package's `bag-info.txt` as `Source-Organization` and `Contact-Name`), the thresholds
//! of the evidence checks, the upload, and room for what other parts add.
//!
//! Kept as `settings.json` in the data folder, written crash-safely (temp file, fsync,
//! rename). In an encrypted data folder the file is sealed under the data key (the vault's
//! file format, see `encryption::write_sealed`): the upload secret, the access key id, the
//! manager's name and the storage's address are no one's business on a lost laptop. Every
//! field has a default, so a missing file or a missing field is fine; fields this version
//! does not know (written by a newer version) are kept as they are when the file is
//! rewritten.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use zeroize::Zeroizing;

use crate::durable::Readers;
use crate::error::{Error, ErrorKind, Result};
use crate::evidence::Thresholds;
use crate::keys::FileKey;

/// The settings file's name in the data folder.
pub const SETTINGS_FILE: &str = "settings.json";

/// The longest branch or manager name accepted, in characters.
const MAX_NAME_CHARS: usize = 100;

/// The installation's settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Settings {
    /// 分公司: the branch that submits the packages (`Source-Organization`). Empty until set.
    pub branch: String,
    /// 客户经理: the account manager who packs them (`Contact-Name`). Empty until set.
    pub manager_name: String,
    /// Whether exports put watermarked copies of identity documents in the package by default
    /// (导出时为身份证件加水印); `intake export --watermark / --no-watermark` decides per export.
    /// Off until set: an ID document that is not a JPEG or PNG cannot be watermarked, and an
    /// export that asks for it is then refused.
    pub watermark_id_copies: bool,
    /// The watermark's text; empty means `watermark::DEFAULT_TEXT` (仅供通联支付商户入网使用).
    /// The package's date is added after it.
    pub watermark_text: String,
    /// The app locks itself (drops the data key and the open folder) after this many seconds
    /// without the manager touching it; `None` is the default ([`DEFAULT_IDLE_LOCK_SECONDS`]),
    /// 0 never locks. Only an encrypted folder locks.
    #[ts(optional)]
    pub idle_lock_seconds: Option<u32>,
    /// Where packages are uploaded (S3-compatible object storage).
    pub upload: UploadSettings,
    /// 检查阈值: the thresholds of the evidence checks at import, `check`, `export` and
    /// `inspect --home`; a field left out is its default, one out of range refuses the file.
    pub thresholds: Thresholds,
    /// Settings this version does not know, kept untouched when the file is rewritten.
    #[serde(flatten)]
    #[ts(skip)]
    pub other: BTreeMap<String, serde_json::Value>,
}

/// A credential: serialised as its text (the settings file is sealed or owner-only), but its
/// `Debug` says only that it is there, so no log line or error built with `{:?}` carries it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(transparent)]
#[ts(type = "string")]
pub struct Secret(String);

impl Secret {
    /// The credential's text, for the one place that needs it (signing requests).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Self {
        Secret(text)
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Self {
        Secret(text.to_string())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where and how packages are uploaded. Every field may be given (or overridden) on the
/// command line; the credentials also by `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`.
/// `Debug` leaves the secret out (a [`Secret`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct UploadSettings {
    /// The storage's URL, e.g. `https://oss-cn-shanghai.aliyuncs.com`. Path-style requests
    /// (`endpoint/bucket/key`) are used, which every S3-compatible server understands.
    pub endpoint: Option<String>,
    /// The bucket that receives the packages.
    pub bucket: Option<String>,
    /// The signing region (`us-east-1` when not set; Garage's default is `garage`).
    pub region: Option<String>,
    /// Folder in the bucket under which packages are stored (`prefix/case id/sha256.zip`).
    pub prefix: Option<String>,
    /// Size of each part of a multipart upload, in MiB (5 to 512; 8 when not set).
    #[ts(type = "number | null")]
    pub part_size_mib: Option<u64>,
    /// How often one request is retried (with exponential back-off and jitter) before the
    /// attempt counts as failed (5 when not set).
    #[ts(type = "number | null")]
    pub max_retries: Option<u32>,
    /// How many parts are sent at once (1 to 16; 4 when not set). Each is recorded when the
    /// server accepts it, so a crash resends at most this many parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub parts_in_flight: Option<u32>,
    /// The access key id (not secret). `AWS_ACCESS_KEY_ID` wins over it.
    pub access_key_id: Option<String>,
    /// The secret key. `AWS_SECRET_ACCESS_KEY` wins over it. Never shown: the UI gets the
    /// settings without it ([`Settings::redacted`]) and the file is then owner-only.
    #[ts(skip)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_access_key: Option<Secret>,
    /// Allow an `http://` endpoint on another host than this computer (a branch's internal
    /// server): packages then travel in clear. Off unless set (`upload::endpoint`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_insecure_http: bool,
    /// How many days a package stays sealed in the outbox after its upload was verified
    /// (`sealed_outbox::DEFAULT_KEEP_UPLOADED_DAYS`, 30, when not set); it is removed at the next open
    /// or upload after that. 0 removes it at the next open or upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub keep_uploaded_days: Option<u32>,
}

/// A change to the settings: `None` leaves a value as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // the fields of Settings
pub struct SettingsChange {
    pub branch: Option<String>,
    pub manager_name: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub watermark_id_copies: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub watermark_text: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub idle_lock_seconds: Option<u32>,
}

/// A change to the upload settings (`intake settings --upload-…`, the app's 设置 screen).
/// `None` leaves a value as it is; an empty text clears it (back to its default). The secret
/// only goes in: nothing ever reads it back out of the settings but the upload itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)] // the fields of UploadSettings
pub struct UploadSettingsChange {
    pub endpoint: Option<String>,
    pub bucket: Option<String>,
    pub region: Option<String>,
    pub prefix: Option<String>,
    #[ts(type = "number | null")]
    pub part_size_mib: Option<u64>,
    pub max_retries: Option<u32>,
    /// `upload.parts_in_flight`.
    #[serde(default)]
    #[ts(optional)]
    pub parts_in_flight: Option<u32>,
    pub access_key_id: Option<String>,
    /// Write-only: a new secret, or empty to remove the stored one.
    pub secret_access_key: Option<Secret>,
    /// `upload.allow_insecure_http`.
    #[serde(default)]
    #[ts(optional)]
    pub allow_insecure_http: Option<bool>,
    /// `upload.keep_uploaded_days`.
    #[serde(default)]
    #[ts(optional)]
    pub keep_uploaded_days: Option<u32>,
}

/// The upload settings as they may be shown: never the secret, only whether one is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UploadSettingsShown {
    /// The settings, the secret left out.
    pub settings: UploadSettings,
    /// A secret key is stored in the settings file.
    pub secret_access_key_set: bool,
}

impl UploadSettings {
    /// The settings to show: the secret left out, its presence said.
    pub fn shown(&self) -> UploadSettingsShown {
        let mut settings = self.clone();
        let secret_access_key_set = settings.secret_access_key.take().is_some();
        UploadSettingsShown { settings, secret_access_key_set }
    }

    /// The settings with `change` applied and checked (the URL's scheme, the part size, one
    /// line of text each).
    pub fn changed(mut self, change: UploadSettingsChange) -> Result<UploadSettings> {
        let text = |field: &str, value: Option<String>, current: &mut Option<String>| -> Result<()> {
            if let Some(value) = value {
                let value = checked_name(field, &value)?;
                *current = (!value.is_empty()).then_some(value);
            }
            Ok(())
        };
        text("upload endpoint", change.endpoint, &mut self.endpoint)?;
        if let Some(allow) = change.allow_insecure_http {
            self.allow_insecure_http = allow;
        }
        if let Some(endpoint) = &self.endpoint {
            crate::upload::endpoint::check_endpoint(endpoint, self.allow_insecure_http)?;
        }
        text("upload bucket", change.bucket, &mut self.bucket)?;
        text("upload region", change.region, &mut self.region)?;
        text("upload prefix", change.prefix, &mut self.prefix)?;
        text("upload access key id", change.access_key_id, &mut self.access_key_id)?;
        if let Some(secret) = change.secret_access_key {
            // Checked like the other fields (whose errors never quote the value).
            let secret = checked_name("upload secret key", secret.expose())?;
            self.secret_access_key = (!secret.is_empty()).then_some(Secret(secret));
        }
        if let Some(part_size_mib) = change.part_size_mib {
            let allowed = crate::upload::MIN_PART_SIZE_MIB..=crate::upload::MAX_PART_SIZE_MIB;
            if !allowed.contains(&part_size_mib) {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!(
                        "分片大小须在 {} 到 {} MiB 之间 the part size must be {} to {} MiB, not {part_size_mib}",
                        allowed.start(),
                        allowed.end(),
                        allowed.start(),
                        allowed.end()
                    ),
                ));
            }
            self.part_size_mib = Some(part_size_mib);
        }
        if let Some(parts_in_flight) = change.parts_in_flight {
            crate::upload::check_parts_in_flight(parts_in_flight)?;
            self.parts_in_flight = Some(parts_in_flight);
        }
        if let Some(max_retries) = change.max_retries {
            self.max_retries = Some(max_retries);
        }
        if let Some(days) = change.keep_uploaded_days {
            self.keep_uploaded_days = Some(days);
        }
        Ok(self)
    }
}

impl Settings {
    /// Reads the settings of the unencrypted data folder at `root`; the defaults when there is
    /// no file. In an encrypted folder use [`crate::data_folder::DataFolder::settings`]: the file is sealed there.
    pub fn load(root: &Path) -> Result<Settings> {
        Self::load_sealed(root, None)
    }

    /// Reads the settings, unsealing them with `key` in an encrypted folder.
    pub(crate) fn load_sealed(root: &Path, key: Option<&FileKey>) -> Result<Settings> {
        let path = settings_path(root);
        let Some(text) = crate::encryption::read_sealed(&path, key)? else { return Ok(Settings::default()) };
        let not_valid = |reason: String| {
            Error::for_file(
                ErrorKind::InvalidInput,
                &path,
                format!("is not a valid settings file ({reason}); fix or remove it"),
            )
        };
        let value: serde_json::Value = serde_json::from_slice(&text).map_err(|err| not_valid(err.to_string()))?;
        // The thresholds first, field by field, so that the error names the field at fault.
        if let Some(thresholds) = value.get("thresholds") {
            if !thresholds.is_object() {
                return Err(not_valid("thresholds: 须为 JSON 对象 must be a JSON object".into()));
            }
            Thresholds::default()
                .overlaid(thresholds)
                .map_err(|problem| not_valid(format!("thresholds.{}: {}", problem.field, problem.reason)))?;
        }
        serde_json::from_value(value).map_err(|err| not_valid(err.to_string()))
    }

    /// Writes the settings of the unencrypted data folder at `root`, replacing the file
    /// crash-safely. In an encrypted folder use [`crate::data_folder::DataFolder::change_settings`].
    pub fn save(&self, root: &Path) -> Result<()> {
        self.save_sealed(root, None)
    }

    /// Writes the settings, sealed under `key` in an encrypted folder.
    pub(crate) fn save_sealed(&self, root: &Path, key: Option<&FileKey>) -> Result<()> {
        let mut text = Zeroizing::new(serde_json::to_string_pretty(self).expect("settings serialise"));
        text.push('\n');
        // A file holding a secret key is for the user's eyes only; so is a sealed one.
        let readers =
            if self.upload.secret_access_key.is_some() || key.is_some() { Readers::OwnerOnly } else { Readers::Anyone };
        crate::encryption::write_sealed(&settings_path(root), text.as_bytes(), key, readers)
    }

    /// The settings without the upload secret key, to be shown or sent to the UI.
    pub fn redacted(&self) -> Settings {
        let mut settings = self.clone();
        settings.upload.secret_access_key = None;
        settings
    }

    /// The settings with `change` applied and checked.
    pub fn changed(mut self, change: SettingsChange) -> Result<Settings> {
        if let Some(branch) = change.branch {
            self.branch = checked_name("branch", &branch)?;
        }
        if let Some(manager_name) = change.manager_name {
            self.manager_name = checked_name("manager name", &manager_name)?;
        }
        if let Some(watermark) = change.watermark_id_copies {
            self.watermark_id_copies = watermark;
        }
        if let Some(text) = change.watermark_text {
            crate::watermark::check_text(&text)?;
            self.watermark_text = text.trim().to_string();
        }
        if let Some(seconds) = change.idle_lock_seconds {
            if seconds > MAX_IDLE_LOCK_SECONDS {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!("the idle lock time is longer than {} hours", MAX_IDLE_LOCK_SECONDS / 3600),
                ));
            }
            self.idle_lock_seconds = Some(seconds);
        }
        Ok(self)
    }

    /// After how long without activity the app locks itself; `None`: never.
    pub fn idle_lock(&self) -> Option<std::time::Duration> {
        match self.idle_lock_seconds.unwrap_or(DEFAULT_IDLE_LOCK_SECONDS) {
            0 => None,
            seconds => Some(std::time::Duration::from_secs(seconds.into())),
        }
    }
}

/// The app's idle lock when the settings name none: 5 minutes.
pub const DEFAULT_IDLE_LOCK_SECONDS: u32 = 5 * 60;

/// The longest idle lock time accepted: a working day.
const MAX_IDLE_LOCK_SECONDS: u32 = 12 * 3600;

/// The error for a threshold that cannot be used, naming it.
pub fn threshold_error(problem: &crate::evidence::findings::ThresholdProblem) -> Error {
    Error::new(ErrorKind::InvalidInput, format!("阈值 threshold {}: {}", problem.field, problem.reason))
}

/// Where the settings of the data folder at `root` are kept.
pub fn settings_path(root: &Path) -> PathBuf {
    root.join(SETTINGS_FILE)
}

/// A name goes on one line of `bag-info.txt` and into the report: trimmed, one line, no
/// control characters, not too long.
fn checked_name(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.chars().any(char::is_control) {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("the {field} must be one line without control characters"),
        ));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("the {field} is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(value.to_string())
}

/// Applies a change to the settings of the folder at `root` (sealed under `key` in an encrypted
/// folder), stores them and returns them.
pub(crate) fn change_settings(root: &Path, key: Option<&FileKey>, change: SettingsChange) -> Result<Settings> {
    let settings = Settings::load_sealed(root, key)?.changed(change)?;
    settings.save_sealed(root, key)?;
    Ok(settings)
}

/// Replaces the thresholds in the settings of the folder at `root` (checked: each within its
/// range) and returns them.
pub(crate) fn set_thresholds(root: &Path, key: Option<&FileKey>, thresholds: Thresholds) -> Result<Thresholds> {
    if let Some(problem) = thresholds.problem() {
        return Err(threshold_error(&problem));
    }
    let mut settings = Settings::load_sealed(root, key)?;
    settings.thresholds = thresholds;
    settings.save_sealed(root, key)?;
    Ok(settings.thresholds)
}

/// Applies a change to the upload settings of the folder at `root`, stores them (owner-only once
/// they hold a secret) and returns them as they may be shown.
pub(crate) fn change_upload_settings(
    root: &Path,
    key: Option<&FileKey>,
    change: UploadSettingsChange,
) -> Result<UploadSettingsShown> {
    let mut settings = Settings::load_sealed(root, key)?;
    settings.upload = settings.upload.changed(change)?;
    settings.save_sealed(root, key)?;
    Ok(settings.upload.shown())
}
