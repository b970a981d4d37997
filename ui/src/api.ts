// The one door to the desktop shell. `Commands` (every command of src-tauri/src/commands.rs with
// its arguments and result) is generated from the Rust declarations by the shell's
// ipc_surface test, so a misspelt command or a renamed argument or field fails `tsc`; so is
// `Events` (every event of src-tauri/src/events.rs with its payload).
// Arguments keep their snake_case names (the commands are declared `rename_all = "snake_case"`).

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

import type { ErrorReport } from './errors';
import { toErrorReport } from './errors';

import type { Commands } from './bindings/Commands';
import type { Events } from './bindings/Events';

export type EventName = keyof Events;

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

/** Listens to one of the shell's events; resolves to the function that stops listening. */
export async function onEvent<Name extends EventName>(
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
