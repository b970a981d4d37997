// The one door to the desktop shell. `Commands` (every command of src-tauri/src/commands.rs with
// its arguments and result) is generated from the Rust declarations by the shell's
// ipc_surface test, so a misspelt command or a renamed argument or field fails `tsc`.
// Arguments keep their snake_case names (the commands are declared `rename_all = "snake_case"`).

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

import type { DocumentReadOutcome } from './bindings/DocumentReadOutcome';
import type { EncryptionProgress } from './bindings/EncryptionProgress';
import type { ErrorReport } from './errors';
import type { ExportProgress } from './bindings/ExportProgress';
import type { ImportProgress } from './bindings/ImportProgress';
import type { PixelCheckProgress } from './bindings/PixelCheckProgress';
import type { UploadProgress } from './bindings/UploadProgress';
import { toErrorReport } from './errors';

import type { Commands } from './bindings/Commands';

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

/** Where files being dragged over the window are, in CSS pixels (no paths before the drop). */
export interface DragPosition {
  x: number;
  y: number;
}

interface Events {
  /** One document read after an import (营业执照, 法人身份证, 定位截图). */
  'document-read': DocumentReadOutcome;
  'drag-over': DragPosition;
  /** The drag left the window, was dropped or cancelled. */
  'drag-left': null;
  'export-progress': ExportProgress;
  /** 设置密码 encrypting the folder in place: files done of all. */
  'encryption-progress': EncryptionProgress;
  'import-progress': ImportProgress;
  'paths-dropped': DroppedPaths;
  /** One file's pixel checks done (the second phase of an import): its card fills in. */
  'pixel-checks-progress': PixelCheckProgress;
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
