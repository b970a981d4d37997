// The one door to the desktop shell. Every command of src-tauri/src/commands.rs is listed in
// `Commands` with its arguments and result, using the types generated from the Rust core, so
// a misspelt command or a renamed field fails `tsc`. Arguments keep their snake_case names
// (the shell's commands are declared with `rename_all = "snake_case"`).

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

import type { AttestationOutcome } from './bindings/AttestationOutcome';
import type { Case } from './bindings/Case';
import type { CaseUpdate } from './bindings/CaseUpdate';
import type { CaseCheck } from './bindings/CaseCheck';
import type { CaseOverview } from './bindings/CaseOverview';
import type { EncryptionProgress } from './bindings/EncryptionProgress';
import type { ErrorReport } from './bindings/ErrorReport';
import type { EvidenceRecord } from './bindings/EvidenceRecord';
import type { ExportOptions } from './bindings/ExportOptions';
import type { ExportProgress } from './bindings/ExportProgress';
import type { ExportSummary } from './bindings/ExportSummary';
import type { FieldOutcome } from './bindings/FieldOutcome';
import type { FieldValidation } from './bindings/FieldValidation';
import type { FileOutcome } from './bindings/FileOutcome';
import type { FindingAdvice } from './bindings/FindingAdvice';
import type { FindingAcceptanceRecord } from './bindings/FindingAcceptanceRecord';
import type { ImportProgress } from './bindings/ImportProgress';
import type { LockStatus } from './bindings/LockStatus';
import type { Mark } from './bindings/Mark';
import type { MoveOutcome } from './bindings/MoveOutcome';
import type { NewCase } from './bindings/NewCase';
import type { NoteRecord } from './bindings/NoteRecord';
import type { OutboxEntry } from './bindings/OutboxEntry';
import type { PublicKeyInfo } from './bindings/PublicKeyInfo';
import type { RegisterLine } from './bindings/RegisterLine';
import type { Settings } from './bindings/Settings';
import type { SettingsChange } from './bindings/SettingsChange';
import type { Thresholds } from './bindings/Thresholds';
import type { UploadOutcome } from './bindings/UploadOutcome';
import type { UploadProgress } from './bindings/UploadProgress';
import type { UploadSettingsChange } from './bindings/UploadSettingsChange';
import type { UploadSettingsShown } from './bindings/UploadSettingsShown';
import type { VisitPlot } from './bindings/VisitPlot';
import type { Vocabulary } from './bindings/Vocabulary';
import type { WithdrawnFile } from './bindings/WithdrawnFile';
import { toErrorReport } from './errors';

type NoArgs = Record<string, never>;

interface Commands {
  vocabulary: { args: NoArgs; result: Vocabulary };
  finding_advice: { args: NoArgs; result: FindingAdvice[] };
  list_cases: { args: NoArgs; result: CaseOverview[] };
  create_case: { args: { new_case: NewCase }; result: Case };
  get_case: { args: { case_id: string }; result: Case };
  check_case: { args: { case_id: string }; result: CaseCheck };
  /** Raw JPEG bytes (the shell answers with a binary body); empty when there is no picture. */
  thumbnail: { args: { sha256: string }; result: ArrayBuffer };
  /** A file of the case full size (the viewer): raw bytes, for a file of that case only. */
  evidence_file: { args: { case_id: string; evidence_id: number }; result: ArrayBuffer };
  pick_files: { args: NoArgs; result: string[] };
  pick_folder: { args: NoArgs; result: string[] };
  add_files: { args: { case_id: string; material: string; paths: string[] }; result: FileOutcome[] };
  attest_file: { args: { case_id: string; evidence_id: number; marks: Mark[] }; result: AttestationOutcome };
  validate_case_field: { args: { case_id: string; field_key: string; value: string }; result: FieldValidation };
  set_case_field: {
    args: { case_id: string; field_key: string; value: string; override_reason: string | null };
    result: FieldOutcome;
  };
  clear_case_field: { args: { case_id: string; field_key: string }; result: boolean };
  export_case: { args: { case_id: string; options: ExportOptions }; result: ExportSummary };
  /** 打开所在文件夹: the case's exported package in the system's file manager. */
  show_export_in_folder: { args: { case_id: string }; result: null };
  get_settings: { args: NoArgs; result: Settings };
  change_settings: { args: { change: SettingsChange }; result: Settings };
  public_key_info: { args: NoArgs; result: PublicKeyInfo };
  register_line: { args: NoArgs; result: RegisterLine };
  lock_status: { args: NoArgs; result: LockStatus };
  unlock: { args: { passphrase: string }; result: null };
  lock: { args: NoArgs; result: boolean };
  set_passphrase: { args: { passphrase: string }; result: null };
  change_passphrase: { args: { old_passphrase: string; new_passphrase: string }; result: null };
  note_activity: { args: NoArgs; result: null };
  outbox: { args: NoArgs; result: OutboxEntry[] };
  upload_settings: { args: NoArgs; result: UploadSettingsShown };
  change_upload_settings: { args: { change: UploadSettingsChange }; result: UploadSettingsShown };
  /** Every package not done (of one case, or all), now; progress as `upload-progress` events. */
  upload_packages: { args: { case_id: string | null }; result: UploadOutcome[] };
  visit_plot: { args: { case_id: string }; result: VisitPlot };
  thresholds: { args: NoArgs; result: Thresholds };
  set_thresholds: { args: { thresholds: Thresholds }; result: Thresholds };
  reset_thresholds: { args: NoArgs; result: Thresholds };
  withdraw_file: { args: { case_id: string; evidence_id: number; reason: string }; result: WithdrawnFile };
  restore_file: { args: { case_id: string; evidence_id: number }; result: EvidenceRecord };
  move_file: { args: { case_id: string; evidence_id: number; to: string }; result: MoveOutcome };
  accept_finding: {
    args: { case_id: string; evidence_id: number; code: string; reason: string };
    result: FindingAcceptanceRecord;
  };
  add_note: { args: { case_id: string; evidence_id: number | null; text: string }; result: NoteRecord };
  case_notes: { args: { case_id: string }; result: NoteRecord[] };
  withdrawn_files: { args: { case_id: string }; result: WithdrawnFile[] };
  update_case: { args: { case_id: string; change: NewCase }; result: CaseUpdate };
}

export type CommandName = keyof Commands;

/** A command's outcome: the caller must look at `ok` before using the value. */
export type CommandOutcome<T> = { ok: true; value: T } | { ok: false; error: ErrorReport };

export async function call<Name extends CommandName>(
  command: Name,
  args: Commands[Name]['args'],
): Promise<CommandOutcome<Commands[Name]['result']>> {
  try {
    const value = await invoke<Commands[Name]['result']>(command, args);
    return { ok: true, value };
  } catch (rejection) {
    return { ok: false, error: toErrorReport(rejection) };
  }
}

/**
 * Files or folders dropped on the window, as the shell's drop handler sends them (src-tauri
 * `DroppedPaths`): folders already expanded into files, the position in CSS pixels.
 */
export interface DroppedPaths {
  paths: string[];
  x: number;
  y: number;
  error: ErrorReport | null;
}

interface Events {
  'export-progress': ExportProgress;
  /** 设置密码 encrypting the folder in place: files done of all. */
  'encryption-progress': EncryptionProgress;
  'import-progress': ImportProgress;
  'paths-dropped': DroppedPaths;
  /** The shell locked the data folder after the idle time (its key is gone). */
  locked: null;
  'upload-progress': UploadProgress;
}

/** Listens to one of the shell's events; resolves to the function that stops listening. */
export async function onEvent<Name extends keyof Events>(
  name: Name,
  handler: (payload: Events[Name]) => void,
): Promise<UnlistenFn> {
  try {
    return await listen<Events[Name]>(name, (event) => handler(event.payload));
  } catch {
    // Outside the app (a plain browser) there are no events: nothing to stop.
    return () => {};
  }
}
