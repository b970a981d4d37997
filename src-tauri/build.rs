//! Declares the app's own commands to Tauri's access control: each gets an
//! `allow-<command>` permission that a capability must grant before the front-end may
//! call it. A command missing here cannot be granted, and so cannot be invoked.

/// Every command of `src/commands.rs`, by name.
const COMMANDS: &[&str] = &[
    "vocabulary",
    "finding_advice",
    "list_cases",
    "case_list",
    "split_pasted_position",
    "question_position",
    "create_case",
    "get_case",
    "check_case",
    "thumbnail",
    "evidence_file",
    "pick_files",
    "pick_folder",
    "add_files",
    "read_case_documents",
    "document_offers",
    "attest_file",
    "validate_case_field",
    "set_case_field",
    "clear_case_field",
    "export_case",
    "save_package_copy",
    "get_settings",
    "change_settings",
    "public_key_info",
    "register_line",
    "lock_status",
    "unlock",
    "lock",
    "set_passphrase",
    "change_passphrase",
    "note_activity",
    "outbox",
    "outbox_overview",
    "upload_settings",
    "change_upload_settings",
    "upload_packages",
    "retry_package",
    "retry_due_packages",
    "visit_plot",
    "thresholds",
    "set_thresholds",
    "reset_thresholds",
    "withdraw_file",
    "restore_file",
    "move_file",
    "accept_finding",
    "add_note",
    "case_notes",
    "withdrawn_files",
    "update_case",
];

fn main() {
    let attributes = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed: see the message above");
}
