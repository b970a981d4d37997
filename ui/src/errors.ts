// Errors as the front-end sees them: always `{code, message}`. The UI branches on `code`
// (to say what to do about it) and shows `message` only as detail, since it names the file.

import type { ErrorKind } from './bindings/ErrorKind';
import type { ErrorReport as CoreErrorReport } from './bindings/ErrorReport';
import { zhCN } from './locales/zh-CN';

/**
 * The codes the UI knows how to explain: every `ErrorKind` of the core (generated from
 * crates/intake-domain/src/error.rs by ts-rs, so a new kind without an explanation in the locale
 * files fails `tsc`), plus `ipc_failed`, the front-end's own code for a call that never reached
 * the core (not running inside the app, or refused by the capability).
 */
export type KnownErrorCode = ErrorKind | 'ipc_failed';

/** An error as the UI holds it: the core's `{code, message}`, or the front-end's own `ipc_failed`. */
export type ErrorReport = Omit<CoreErrorReport, 'code'> & { code: KnownErrorCode };

export function isKnownErrorCode(code: string): code is KnownErrorCode {
  return Object.hasOwn(zhCN.errors.byCode, code);
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
