// Errors as the front-end sees them: always `{code, message}`. The UI branches on `code`
// (to say what to do about it) and shows `message` only as detail, since it names the file.

import type { ErrorReport } from './bindings/ErrorReport';

/**
 * The codes the UI knows how to explain: the core's `ErrorKind::code()` values
 * (crates/intake-core/src/error.rs), plus `ipc_failed`, the front-end's own code for a call
 * that never reached the core (not running inside the app, or refused by the capability).
 * Kept by hand because the core does not export its codes as a type; a code missing here
 * still shows, with the generic explanation.
 */
export const knownErrorCodes = [
  'file_missing',
  'not_a_file',
  'file_unreadable',
  'file_empty',
  'file_too_large',
  'data_folder_unwritable',
  'database_too_new',
  'database_corrupt',
  'case_not_found',
  'invalid_input',
  'invalid_rules',
  'vault_corrupt',
  'io',
  'database',
  'ipc_failed',
] as const;

export type KnownErrorCode = (typeof knownErrorCodes)[number];

export function isKnownErrorCode(code: string): code is KnownErrorCode {
  return (knownErrorCodes as readonly string[]).includes(code);
}

/** Whatever a rejected `invoke` gave, as an ErrorReport. */
export function toErrorReport(rejection: unknown): ErrorReport {
  if (
    typeof rejection === 'object' &&
    rejection !== null &&
    typeof (rejection as Record<string, unknown>).code === 'string' &&
    typeof (rejection as Record<string, unknown>).message === 'string'
  ) {
    const { code, message } = rejection as ErrorReport;
    return { code, message };
  }
  const message = rejection instanceof Error ? rejection.message : String(rejection);
  return { code: 'ipc_failed', message };
}
