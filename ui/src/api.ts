// The one door to the desktop shell. Every command of src-tauri/src/commands.rs is listed in
// `Commands` with its arguments and result, using the types generated from the Rust core, so
// a misspelt command or a renamed field fails `tsc`.

import { invoke } from '@tauri-apps/api/core';

import type { CaseSummary } from './bindings/CaseSummary';
import type { ErrorReport } from './bindings/ErrorReport';
import { toErrorReport } from './errors';

interface Commands {
  list_cases: { args: Record<string, never>; result: CaseSummary[] };
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
