//! The stable codes of `verify`'s problems and of the audit chain's faults, as enums: a code is
//! spelt once here, the compiler checks every use, and the TypeScript unions and the `ALL`
//! lists are generated from the variants (ts-rs and strum), never kept by hand. The `snake_case`
//! name of each variant is the code on the wire, in `--json` output and in `interfaces.md`.

use serde::{Deserialize, Serialize};
use strum::{IntoStaticStr, VariantArray};
use ts_rs::TS;

/// What is wrong with a package (`VerifyProblem::code`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS, VariantArray, IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[ts(export)]
#[non_exhaustive]
#[allow(missing_docs)] // each is explained where it is found (verify.rs) and in interfaces.md
pub enum VerifyCode {
    // The zip container.
    NotAZip,
    ZipStructure,
    NonCanonicalZip,
    UnsafePath,
    DuplicateEntry,
    NameCollision,
    NotARegularFile,
    Symlink,
    EncryptedEntry,
    UnsupportedCompression,
    EntryTooLarge,
    PackageTooLarge,
    CompressionRatio,
    UnreadableEntry,
    // The bag (BagIt).
    MissingFile,
    BadBagitTxt,
    BadBagInfo,
    PayloadOxumMismatch,
    BadManifestLine,
    DuplicateManifestEntry,
    NotInManifest,
    MissingPayloadFile,
    HashMismatch,
    TagFileNotListed,
    UnexpectedTagFile,
    // case.json.
    CaseJsonInvalid,
    CaseJsonSchema,
    CaseJsonMismatch,
    // The signature and its trust.
    BadPublicKey,
    BadSignature,
    SignatureMismatch,
    KeyMismatch,
    SignerUntrusted,
    // The log's files against case.json.
    FileNotLogged,
    LoggedFileMissing,
    // With `--previous`.
    PreviousInvalid,
    ChainOtherCase,
    ChainForked,
    ChainNotExtended,
    // The audit chain (each fault of [`ChainCode`] under its own name).
    AuditBadEntry,
    AuditCaseMismatch,
    AuditSequence,
    AuditLink,
    AuditHashMismatch,
    AuditUnloggedChange,
    AuditMissing,
    AuditHeadMismatch,
    AuditLengthMismatch,
}

/// What is wrong with an audit chain (`ChainFault::code`), in a package or in the database.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS, VariantArray, IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[ts(export)]
#[non_exhaustive]
pub enum ChainCode {
    /// An entry that is not a well-formed entry (not JSON, a field missing, not UTF-8).
    AuditBadEntry,
    /// An entry of another case.
    AuditCaseMismatch,
    /// Sequence numbers not 1, 2, 3, …
    AuditSequence,
    /// An entry's `prev` is not the hash of the entry before.
    AuditLink,
    /// An entry's hash is not the hash of its canonical bytes.
    AuditHashMismatch,
    /// The database changed without its audit entry (database only).
    AuditUnloggedChange,
    /// No chain where one must be (database only).
    AuditMissing,
    /// The chain's last hash is not the one the package states (package only).
    AuditHeadMismatch,
    /// The chain's length is not the one the package states (package only).
    AuditLengthMismatch,
}

macro_rules! code_methods {
    ($($code:ty),*) => {$(
        impl $code {
            /// Every code, in declaration order (generated from the variants).
            pub const ALL: &'static [$code] = <$code as VariantArray>::VARIANTS;

            /// The code as written on the wire, e.g. `hash_mismatch`.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }

        impl std::fmt::Display for $code {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
code_methods!(VerifyCode, ChainCode);

impl From<ChainCode> for VerifyCode {
    fn from(code: ChainCode) -> VerifyCode {
        match code {
            ChainCode::AuditBadEntry => VerifyCode::AuditBadEntry,
            ChainCode::AuditCaseMismatch => VerifyCode::AuditCaseMismatch,
            ChainCode::AuditSequence => VerifyCode::AuditSequence,
            ChainCode::AuditLink => VerifyCode::AuditLink,
            ChainCode::AuditHashMismatch => VerifyCode::AuditHashMismatch,
            ChainCode::AuditUnloggedChange => VerifyCode::AuditUnloggedChange,
            ChainCode::AuditMissing => VerifyCode::AuditMissing,
            ChainCode::AuditHeadMismatch => VerifyCode::AuditHeadMismatch,
            ChainCode::AuditLengthMismatch => VerifyCode::AuditLengthMismatch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_name_of_every_code_is_its_serde_name_and_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for code in VerifyCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::Value::from(code.as_str()), "{code:?}");
            assert!(seen.insert(code.as_str()), "{code} twice");
        }
        for code in ChainCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::Value::from(code.as_str()), "{code:?}");
            // A chain fault keeps its code when it becomes a problem of the package.
            assert_eq!(VerifyCode::from(*code).as_str(), code.as_str());
        }
    }
}
