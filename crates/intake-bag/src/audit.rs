//! The audit trail: every change to a case, appended to a hash-chained log, one chain per case.
//!
//! Each change is written in the same database transaction as its log entry (see
//! `database.rs`: every method that changes a case appends its entry before it commits), so a
//! change without its entry cannot be stored. The chain goes into the submission package
//! (`audit-log.jsonl`, a tag file) and `intake verify` checks it there; `intake audit` checks
//! the one in the database.
//!
//! # The canonical form (what head office re-implements)
//!
//! An entry is a JSON object with exactly these members:
//!
//! | member | type | value |
//! | --- | --- | --- |
//! | `v` | integer | format version, `1` |
//! | `case_id` | string | the case id |
//! | `seq` | integer | 1, 2, 3, … within the case, no gaps |
//! | `at` | string | wall-clock time of the change, RFC 3339 UTC with milliseconds and `Z` |
//! | `manager` | string | `manager_name` of the settings at the time, or `unknown` |
//! | `action` | string | an [`AuditAction`] key |
//! | `details` | object | string → string, keys ASCII `snake_case`; never personal data in clear |
//! | `prev` | string | the previous entry's `hash` (64 lower-case hex); 64 `0`s for `seq` 1 |
//! | `hash` | string | SHA-256 (lower-case hex) of the entry's canonical bytes |
//!
//! The canonical bytes are the UTF-8 bytes of the object **without** `hash`, serialised as
//! RFC 8785 (JSON Canonicalization Scheme): members sorted by name, no whitespace, strings
//! with only `"` `\` and control characters escaped (`\b \t \n \f \r`, others `\u00xx`), other
//! characters (Chinese included) as raw UTF-8, integers in plain decimal. In Python:
//! `json.dumps(entry_without_hash, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::codes::ChainCode;

/// The format version written as `v`.
pub const AUDIT_FORMAT_VERSION: u32 = 1;

/// The `prev` of a chain's first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who made a change when the settings name no manager.
pub const UNKNOWN_MANAGER: &str = "unknown";

/// What happened to the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AuditAction {
    /// The case was opened (its attributes are in the details, the merchant's name is not).
    CaseCreated,
    /// The case's attributes changed (`changed`: the attribute keys; `attributes`: all of them).
    AttributesChanged,
    /// A field was recorded (`field`; `value`: `changed`, never the value itself).
    FieldSet,
    /// A field was removed (`field`).
    FieldCleared,
    /// A file went into a material slot (`material`, `sha256`, `name`, `bytes`, `media_type`).
    FileAdded,
    /// A file left a material slot. No operation removes files yet; the key is reserved.
    FileRemoved,
    /// The manager attested marks on a file (`material`, `sha256`, `marks`).
    Attested,
    /// A package was written (`package_sha256`, `bytes`, `chain_length`: entries it carries).
    Exported,
    /// A package was stored at head office and read back (`package_sha256`, `remote_key`).
    Uploaded,
    /// A file was taken back (`material`, `sha256`, `name`, `reason`): its bytes stay in the
    /// vault, it no longer counts, and packages list it without its bytes.
    FileWithdrawn,
    /// A withdrawn file counts again (`material`, `sha256`, `name`).
    FileRestored,
    /// A file went to another material slot (`sha256`, `name`, `from`, `to`).
    FileMoved,
    /// The case's attributes or visit data changed (`changed`: the attribute names, comma
    /// separated; `attributes`: all of them; `visit_date`; `site` and `merchant_name`:
    /// `recorded`/`none`, never the values).
    CaseUpdated,
    /// The manager accepted a finding (`material`, `sha256`, `code`, `detail`: the finding's
    /// message, `reason`): it no longer blocks while that exact finding stands.
    FindingAccepted,
    /// A note on the case or one of its files (`sha256` of the file or `case`, `text`).
    NoteAdded,
    /// A package was exported although incomplete, and why (`reason`, `open_items`); written
    /// with its `exported` entry, so about a package, like it.
    IncompleteExport,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 16] = [
        AuditAction::CaseCreated,
        AuditAction::AttributesChanged,
        AuditAction::FieldSet,
        AuditAction::FieldCleared,
        AuditAction::FileAdded,
        AuditAction::FileRemoved,
        AuditAction::Attested,
        AuditAction::Exported,
        AuditAction::Uploaded,
        AuditAction::FileWithdrawn,
        AuditAction::FileRestored,
        AuditAction::FileMoved,
        AuditAction::CaseUpdated,
        AuditAction::FindingAccepted,
        AuditAction::NoteAdded,
        AuditAction::IncompleteExport,
    ];

    /// The stable key (as in the log).
    pub fn key(self) -> &'static str {
        match self {
            AuditAction::CaseCreated => "case_created",
            AuditAction::AttributesChanged => "attributes_changed",
            AuditAction::FieldSet => "field_set",
            AuditAction::FieldCleared => "field_cleared",
            AuditAction::FileAdded => "file_added",
            AuditAction::FileRemoved => "file_removed",
            AuditAction::Attested => "attested",
            AuditAction::Exported => "exported",
            AuditAction::Uploaded => "uploaded",
            AuditAction::FileWithdrawn => "file_withdrawn",
            AuditAction::FileRestored => "file_restored",
            AuditAction::FileMoved => "file_moved",
            AuditAction::CaseUpdated => "case_updated",
            AuditAction::FindingAccepted => "finding_accepted",
            AuditAction::NoteAdded => "note_added",
            AuditAction::IncompleteExport => "incomplete_export",
        }
    }

    /// The action with this key.
    pub fn from_key(key: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|action| action.key() == key)
    }

    /// Chinese label, for the CLI's text output.
    pub fn label_zh(self) -> &'static str {
        match self {
            AuditAction::CaseCreated => "新建案件",
            AuditAction::AttributesChanged => "修改属性",
            AuditAction::FieldSet => "填写字段",
            AuditAction::FieldCleared => "清除字段",
            AuditAction::FileAdded => "添加文件",
            AuditAction::FileRemoved => "移除文件",
            AuditAction::Attested => "确认标记",
            AuditAction::Exported => "导出资料包",
            AuditAction::Uploaded => "上传完成",
            AuditAction::FileWithdrawn => "撤回文件",
            AuditAction::FileRestored => "恢复文件",
            AuditAction::FileMoved => "移动文件",
            AuditAction::CaseUpdated => "编辑案件信息",
            AuditAction::FindingAccepted => "接受问题",
            AuditAction::NoteAdded => "添加备注",
            AuditAction::IncompleteExport => "资料不全导出",
        }
    }

    /// True for what happens to a package rather than to the case: a package carries the
    /// chain up to its last entry that is not one of these (see [`package_prefix`]).
    pub fn is_about_a_package(self) -> bool {
        matches!(self, AuditAction::Exported | AuditAction::Uploaded | AuditAction::IncompleteExport)
    }
}

/// The details of an entry: string keys to string values, kept sorted.
pub type AuditDetails = BTreeMap<String, String>;

/// One entry of a case's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct AuditEntry {
    /// [`AUDIT_FORMAT_VERSION`].
    pub v: u32,
    #[allow(missing_docs)]
    pub case_id: String,
    /// 1, 2, 3, … within the case.
    #[ts(type = "number")]
    pub seq: u64,
    /// RFC 3339 UTC with milliseconds, as written (kept as text so the hash stays exact).
    pub at: String,
    #[allow(missing_docs)]
    pub manager: String,
    /// An [`AuditAction`] key (kept as text so an unknown one is reported, not dropped).
    pub action: String,
    #[allow(missing_docs)]
    pub details: AuditDetails,
    /// The previous entry's hash; [`GENESIS_HASH`] for the first.
    pub prev: String,
    /// SHA-256 of [`AuditEntry::canonical_bytes`].
    pub hash: String,
}

/// The entry without its hash, members in the canonical (sorted) order.
#[derive(Serialize)]
struct Canonical<'a> {
    action: &'a str,
    at: &'a str,
    case_id: &'a str,
    details: &'a AuditDetails,
    manager: &'a str,
    prev: &'a str,
    seq: u64,
    v: u32,
}

/// The entry as a package's line: every member, sorted, `hash` included.
#[derive(Serialize)]
struct Line<'a> {
    action: &'a str,
    at: &'a str,
    case_id: &'a str,
    details: &'a AuditDetails,
    hash: &'a str,
    manager: &'a str,
    prev: &'a str,
    seq: u64,
    v: u32,
}

impl AuditEntry {
    /// A new entry after `prev` (whose hash it links to), its hash computed.
    pub fn next(
        case_id: &str,
        seq: u64,
        at: &str,
        manager: &str,
        action: AuditAction,
        details: AuditDetails,
        prev: &str,
    ) -> AuditEntry {
        let mut entry = AuditEntry {
            v: AUDIT_FORMAT_VERSION,
            case_id: case_id.to_string(),
            seq,
            at: at.to_string(),
            manager: manager.to_string(),
            action: action.key().to_string(),
            details,
            prev: prev.to_string(),
            hash: String::new(),
        };
        entry.hash = entry.computed_hash();
        entry
    }

    /// The bytes the hash is taken over (module documentation).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        // serde_json escapes exactly as RFC 8785 asks for strings, and the members are
        // declared in sorted order; details are a BTreeMap of ASCII keys, so sorted too.
        serde_json::to_vec(&Canonical {
            action: &self.action,
            at: &self.at,
            case_id: &self.case_id,
            details: &self.details,
            manager: &self.manager,
            prev: &self.prev,
            seq: self.seq,
            v: self.v,
        })
        .expect("an audit entry serialises")
    }

    /// SHA-256 (hex) of the canonical bytes: what `hash` must be.
    pub fn computed_hash(&self) -> String {
        intake_domain::digest::hex(&Sha256::digest(self.canonical_bytes()))
    }

    /// One line of `audit-log.jsonl` (no line break).
    pub fn to_line(&self) -> String {
        serde_json::to_string(&Line {
            action: &self.action,
            at: &self.at,
            case_id: &self.case_id,
            details: &self.details,
            hash: &self.hash,
            manager: &self.manager,
            prev: &self.prev,
            seq: self.seq,
            v: self.v,
        })
        .expect("an audit entry serialises")
    }
}

/// One thing wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChainFault {
    /// What is wrong (see [`ChainCode`]).
    pub code: ChainCode,
    /// The entry concerned (its position in the chain, from 1), if one.
    #[ts(type = "number | null")]
    pub seq: Option<u64>,
    /// One sentence.
    pub message: String,
}

impl ChainFault {
    /// A fault with its stable code, the entry's `seq` when it is about one, and a message.
    pub fn new(code: ChainCode, seq: Option<u64>, message: impl Into<String>) -> ChainFault {
        ChainFault { code, seq, message: message.into() }
    }
}

/// Every fault of a case's chain: each entry's hash over its canonical bytes, its sequence
/// number (its position, from 1), its link to the previous entry's stored hash, its case id,
/// format version and action. An empty result means the chain is whole as far as it goes;
/// whether entries are missing at its end needs a head hash and length kept elsewhere (the
/// package's `bag-info.txt`).
pub fn check_chain(case_id: &str, entries: &[AuditEntry]) -> Vec<ChainFault> {
    let mut faults = Vec::new();
    let mut expected_prev = GENESIS_HASH.to_string();
    for (index, entry) in entries.iter().enumerate() {
        let position = index as u64 + 1;
        let at = Some(entry.seq);
        if entry.v != AUDIT_FORMAT_VERSION {
            faults.push(ChainFault::new(
                ChainCode::AuditBadEntry,
                at,
                format!("entry {} has format version {}", entry.seq, entry.v),
            ));
        }
        if AuditAction::from_key(&entry.action).is_none() {
            faults.push(ChainFault::new(
                ChainCode::AuditBadEntry,
                at,
                format!("entry {} has an unknown action '{}'", entry.seq, entry.action),
            ));
        }
        if entry.case_id != case_id {
            faults.push(ChainFault::new(
                ChainCode::AuditCaseMismatch,
                at,
                format!("entry {} belongs to case '{}', not {case_id}", entry.seq, entry.case_id),
            ));
        }
        if entry.seq != position {
            faults.push(ChainFault::new(
                ChainCode::AuditSequence,
                at,
                format!(
                    "entry at position {position} has sequence number {} (removed, added or reordered entries)",
                    entry.seq
                ),
            ));
        }
        if entry.prev != expected_prev {
            faults.push(ChainFault::new(
                ChainCode::AuditLink,
                at,
                format!("entry {} does not link to the entry before it (prev is not that entry's hash)", entry.seq),
            ));
        }
        if entry.computed_hash() != entry.hash {
            faults.push(ChainFault::new(
                ChainCode::AuditHashMismatch,
                at,
                format!("entry {} does not match its hash: it was altered after it was written", entry.seq),
            ));
        }
        expected_prev = entry.hash.clone();
    }
    faults
}

/// The part of a chain a package carries: up to and including the last entry that is not
/// about a package (export, upload). Exporting twice with no change between gives the same
/// prefix, so the same package bytes; the export entry of a package is never in it.
pub fn package_prefix(entries: &[AuditEntry]) -> &[AuditEntry] {
    let end = entries
        .iter()
        .rposition(|entry| !AuditAction::from_key(&entry.action).is_some_and(AuditAction::is_about_a_package))
        .map_or(0, |index| index + 1);
    &entries[..end]
}

/// The chain's head: the last entry's hash, or [`GENESIS_HASH`] for an empty chain.
pub fn head_hash(entries: &[AuditEntry]) -> &str {
    entries.last().map_or(GENESIS_HASH, |entry| entry.hash.as_str())
}

/// `audit-log.jsonl`: one entry per line, each ending with `\n`.
pub fn to_jsonl(entries: &[AuditEntry]) -> Vec<u8> {
    let mut text = String::new();
    for entry in entries {
        text.push_str(&entry.to_line());
        text.push('\n');
    }
    text.into_bytes()
}

/// Reads `audit-log.jsonl`; a line that is not an entry is a fault (and left out).
pub fn parse_jsonl(bytes: &[u8]) -> (Vec<AuditEntry>, Vec<ChainFault>) {
    let mut entries = Vec::new();
    let mut faults = Vec::new();
    let Ok(text) = std::str::from_utf8(bytes) else {
        faults.push(ChainFault::new(ChainCode::AuditBadEntry, None, "the audit log is not UTF-8"));
        return (entries, faults);
    };
    if !text.is_empty() && !text.ends_with('\n') {
        faults.push(ChainFault::new(ChainCode::AuditBadEntry, None, "the audit log does not end with a line break"));
    }
    for (index, line) in text.split_terminator('\n').enumerate() {
        match serde_json::from_str::<AuditEntry>(line) {
            Ok(entry) => entries.push(entry),
            Err(err) => faults.push(ChainFault::new(
                ChainCode::AuditBadEntry,
                None,
                format!("line {} is not an audit entry ({err})", index + 1),
            )),
        }
    }
    (entries, faults)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(pairs: &[(&str, &str)]) -> AuditDetails {
        pairs.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
    }

    #[test]
    fn canonical_bytes_are_sorted_compact_and_keep_chinese() {
        let entry = AuditEntry::next(
            "20261126-ABCDEF",
            1,
            "2026-11-26T01:02:03.004Z",
            "张三 \"Zhang\"\n",
            AuditAction::FieldSet,
            details(&[("value", "changed"), ("field", "legal_rep_id_number")]),
            GENESIS_HASH,
        );
        let text = String::from_utf8(entry.canonical_bytes()).unwrap();
        assert_eq!(
            text,
            format!(
                "{{\"action\":\"field_set\",\"at\":\"2026-11-26T01:02:03.004Z\",\"case_id\":\"20261126-ABCDEF\",\
                 \"details\":{{\"field\":\"legal_rep_id_number\",\"value\":\"changed\"}},\
                 \"manager\":\"张三 \\\"Zhang\\\"\\n\",\"prev\":\"{GENESIS_HASH}\",\"seq\":1,\"v\":1}}"
            )
        );
        assert_eq!(entry.hash, intake_domain::digest::hex(&Sha256::digest(text.as_bytes())));
    }

    #[test]
    fn a_line_reads_back_to_the_same_entry() {
        let entry = AuditEntry::next("c", 1, "t", "m", AuditAction::CaseCreated, details(&[("a", "b")]), GENESIS_HASH);
        let (entries, faults) = parse_jsonl(&to_jsonl(std::slice::from_ref(&entry)));
        assert!(faults.is_empty());
        assert_eq!(entries, vec![entry]);
    }

    #[test]
    fn the_package_prefix_stops_before_trailing_package_entries() {
        let mut chain = Vec::new();
        for (seq, action) in [
            AuditAction::CaseCreated,
            AuditAction::Exported,
            AuditAction::FileAdded,
            AuditAction::Exported,
            AuditAction::Uploaded,
        ]
        .into_iter()
        .enumerate()
        {
            let prev = head_hash(&chain).to_string();
            chain.push(AuditEntry::next("c", seq as u64 + 1, "t", "m", action, AuditDetails::new(), &prev));
        }
        assert!(check_chain("c", &chain).is_empty());
        assert_eq!(package_prefix(&chain).len(), 3);
        assert_eq!(package_prefix(&chain[..1]).len(), 1);
        assert!(package_prefix(&[]).is_empty());
    }
}
