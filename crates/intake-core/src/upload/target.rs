//! Where packages go: the upload settings resolved into a target, and its S3 client.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::{BackoffConfig, ClientOptions, RetryConfig};

use super::part_digests::PartDigests;
use super::{
    DEFAULT_MAX_RETRIES, DEFAULT_PART_SIZE_MIB, DEFAULT_PARTS_IN_FLIGHT, MAX_BYTES_IN_FLIGHT, MAX_PART_SIZE_MIB,
    MAX_PARTS_IN_FLIGHT, MIN_PART_SIZE_MIB, endpoint,
};
use crate::error::{Error, ErrorKind, Result};
use crate::settings::{Secret, UploadSettings};

/// Where packages go: the upload settings with the command line's overrides and the
/// credentials resolved. `Debug` leaves the secret out (a [`Secret`]).
#[derive(Debug, Clone)]
pub struct UploadTarget {
    pub(super) endpoint: String,
    pub(super) bucket: String,
    region: String,
    prefix: String,
    pub(super) part_size: u64,
    /// Parts sent (and pieces read back) at once.
    pub(super) parts_in_flight: usize,
    max_retries: u32,
    pub(super) access_key_id: String,
    secret_access_key: Secret,
}

impl UploadTarget {
    /// The target from the settings, `overrides` (command-line flags) winning over them, and
    /// the credentials from `environment` (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`)
    /// winning over the settings'. Refused (`invalid_input`) when something needed is missing.
    pub fn resolve(
        settings: &UploadSettings,
        overrides: &UploadSettings,
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> Result<UploadTarget> {
        let pick = |given: &Option<String>, stored: &Option<String>| {
            given.clone().or_else(|| stored.clone()).map(|value| value.trim().to_string()).filter(|v| !v.is_empty())
        };
        let missing = |what: &str, flag: &str, key: &str| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("没有设置上传{what} no upload {key} is set: pass {flag} or set upload.{key} in settings.json"),
            )
        };
        let endpoint = pick(&overrides.endpoint, &settings.endpoint)
            .ok_or_else(|| missing("地址", "--endpoint URL", "endpoint"))?
            .trim_end_matches('/')
            .to_string();
        // Also when used: the endpoint may come from a flag, or a settings file from elsewhere.
        endpoint::check_endpoint(&endpoint, overrides.allow_insecure_http || settings.allow_insecure_http)?;
        let bucket =
            pick(&overrides.bucket, &settings.bucket).ok_or_else(|| missing("存储桶", "--bucket NAME", "bucket"))?;
        let region = pick(&overrides.region, &settings.region).unwrap_or_else(|| "us-east-1".to_string());
        let prefix = pick(&overrides.prefix, &settings.prefix).unwrap_or_default().trim_matches('/').to_string();
        let part_size_mib = overrides.part_size_mib.or(settings.part_size_mib).unwrap_or(DEFAULT_PART_SIZE_MIB);
        if !(MIN_PART_SIZE_MIB..=MAX_PART_SIZE_MIB).contains(&part_size_mib) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("the part size must be {MIN_PART_SIZE_MIB} to {MAX_PART_SIZE_MIB} MiB, not {part_size_mib}"),
            ));
        }
        let parts_in_flight = overrides.parts_in_flight.or(settings.parts_in_flight).unwrap_or(DEFAULT_PARTS_IN_FLIGHT);
        check_parts_in_flight(parts_in_flight)?;
        let parts_in_flight =
            (parts_in_flight as usize).min((MAX_BYTES_IN_FLIGHT / (part_size_mib << 20)).max(1) as usize);
        let max_retries = overrides.max_retries.or(settings.max_retries).unwrap_or(DEFAULT_MAX_RETRIES);
        let from_environment = |name: &str| environment(name).filter(|value| !value.is_empty());
        let access_key_id = from_environment("AWS_ACCESS_KEY_ID")
            .or_else(|| settings.access_key_id.clone())
            .ok_or_else(|| missing("访问密钥", "AWS_ACCESS_KEY_ID", "access_key_id"))?;
        let secret_access_key = from_environment("AWS_SECRET_ACCESS_KEY")
            .map(Secret::from)
            .or_else(|| settings.secret_access_key.clone())
            .ok_or_else(|| missing("访问密钥", "AWS_SECRET_ACCESS_KEY", "secret_access_key"))?;
        Ok(UploadTarget {
            endpoint,
            bucket,
            region,
            prefix,
            part_size: part_size_mib << 20,
            parts_in_flight,
            max_retries,
            access_key_id,
            secret_access_key,
        })
    }

    /// The endpoint and bucket, as recorded with an upload (an UploadId belongs to them).
    pub fn destination(&self) -> String {
        format!("{}/{}", self.endpoint, self.bucket)
    }

    /// The object key of a package: derived from its case and its bytes, so the same package
    /// is stored once, under the same name, however often it is sent.
    pub fn remote_key(&self, case_id: &str, sha256: &str) -> String {
        if self.prefix.is_empty() {
            format!("{case_id}/{sha256}.zip")
        } else {
            format!("{}/{case_id}/{sha256}.zip", self.prefix)
        }
    }

    /// The S3 client, and the part digests it signs with (`super::part_digests`).
    pub(super) fn store(&self) -> Result<(AmazonS3, PartDigests)> {
        // reqwest is built without a default TLS crypto provider (the ring one builds in
        // seconds where aws-lc-rs takes minutes); installing it twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(200),
                max_backoff: Duration::from_secs(10),
                base: 2.0,
            },
            max_retries: self.max_retries as usize,
            retry_timeout: Duration::from_secs(120),
        };
        let digests = PartDigests::default();
        let store = AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_virtual_hosted_style_request(false)
            .with_bucket_name(&self.bucket)
            .with_region(&self.region)
            .with_access_key_id(&self.access_key_id)
            .with_secret_access_key(self.secret_access_key.expose())
            .with_checksum_algorithm(object_store::aws::Checksum::SHA256)
            .with_crypto_provider(Arc::new(digests.clone()))
            .with_retry(retry)
            // One ClientOptions for both: setting it replaces any set before (allow_http too).
            .with_client_options(
                ClientOptions::new()
                    .with_allow_http(self.endpoint.starts_with("http://"))
                    .with_connect_timeout(Duration::from_secs(10))
                    .with_timeout(self.request_timeout()),
            )
            .build()
            .map_err(|err| Error::new(ErrorKind::InvalidInput, format!("the upload settings are not usable: {err}")))?;
        Ok((store, digests))
    }
}

/// The slowest uplink a request is given time for, in bytes per second (256 kbit/s), shared by
/// the parts in flight.
const SLOWEST_UPLINK_BYTES_PER_SECOND: u64 = 32 * 1024;

impl UploadTarget {
    /// How long one request (a part, a piece read back, the completion) may take in all.
    /// object_store's default, 30 s, failed every part on an uplink slower than a part's size
    /// every 30 s (8 MiB parts, 4 in flight: under 9 Mbit/s), and the completion of a large
    /// package on a busy server; so: a minute, plus the time the parts in flight need
    /// together on a 256 kbit/s line. A dead server is still found at once (connect
    /// timeout), and a stalled line after that long.
    pub(crate) fn request_timeout(&self) -> Duration {
        let in_flight_bytes = self.part_size.saturating_mul(self.parts_in_flight as u64);
        Duration::from_secs(60 + in_flight_bytes / SLOWEST_UPLINK_BYTES_PER_SECOND)
    }
}

/// Refuses a number of parts in flight outside 1 to [`MAX_PARTS_IN_FLIGHT`].
pub(crate) fn check_parts_in_flight(parts_in_flight: u32) -> Result<()> {
    if (1..=MAX_PARTS_IN_FLIGHT).contains(&parts_in_flight) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidInput,
        format!(
            "同时上传的分片数须在 1 到 {MAX_PARTS_IN_FLIGHT} 之间 the parts in flight must be 1 to {MAX_PARTS_IN_FLIGHT}, \
             not {parts_in_flight}"
        ),
    ))
}
