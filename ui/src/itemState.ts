// What the case view, its overview rail and 提交前检查 say about each material and field,
// derived from the core's check (`check_case`): nothing here decides a status, it only
// chooses how to show the one the core gave, and what still needs the manager's work.

import type { CaseCheck } from './bindings/CaseCheck';
import type { CaseFinding } from './bindings/CaseFinding';
import type { CheckedField } from './bindings/CheckedField';
import type { CheckedItem } from './bindings/CheckedItem';

/**
 * How an item is shown: the core's status, except that an `ok` item whose files carry
 * warnings is `ok_with_warnings` (合格(有提示), amber rather than green).
 */
export type ShownStatus = CheckedItem['status'] | 'ok_with_warnings';

/** Status icons differ by shape as well as colour. */
export const STATUS_ICON: Record<ShownStatus, string> = {
  ok: '✓',
  ok_with_warnings: '!',
  present: '✕',
  incomplete: '◐',
  missing: '○',
  not_applicable: '–',
};

export const FIELD_ICON: Record<CheckedField['status'], string> = {
  ok: '✓',
  warning: '!',
  invalid: '✕',
  missing: '○',
  not_applicable: '–',
};

export function findingsOf(check: CaseCheck, item: CheckedItem): CaseFinding[] {
  return check.findings.filter((finding) => finding.material === item.key);
}

export function shownStatus(item: CheckedItem, findings: CaseFinding[]): ShownStatus {
  if (item.status === 'ok' && findings.some((finding) => finding.severity === 'warning')) return 'ok_with_warnings';
  return item.status;
}

/**
 * The marks the manager ticks on a file of this item: those it asks for, then those it only
 * offers (正反面在同一文件 on an ID card: a copy of both sides counts for two files).
 */
export function marksToAttest(item: CheckedItem): CheckedItem['attestations'] {
  return [...item.attestations, ...item.offered_marks.filter((mark) => !item.attestations.includes(mark))];
}

/** The items the case view lists: applicable ones, and any that still hold files. */
export function listedItems(check: CaseCheck): CheckedItem[] {
  return check.items.filter((item) => item.applicable || item.files.length > 0);
}

/** The fields the manager types (attribute fields mirror the wizard's choices). */
export function listedFields(check: CaseCheck): CheckedField[] {
  return check.fields.filter((field) => field.applicable && field.kind !== 'attribute');
}

/**
 * A required item not yet `ok` (one due at go-live aside: it is owed later and does not block),
 * or any item with an error finding standing.
 */
export function itemNeedsWork(item: CheckedItem): boolean {
  return (item.applicable && item.required && item.status !== 'ok' && !item.due_at_golive) || item.error_findings > 0;
}

export function fieldNeedsWork(field: CheckedField): boolean {
  return (field.required && field.status === 'missing') || field.status === 'invalid';
}

/** The element id of a material's card and of a field's row: where the rail jumps to. */
export function materialAnchor(key: string): string {
  return `material-${key}`;
}

export function fieldAnchor(key: string): string {
  return `field-${key}`;
}

export const SUBMIT_CHECK_ANCHOR = 'submit-check';

/** The 未分类 tray's element id. */
export const TRAY_ANCHOR = 'unsorted-tray';

/** The app's main area, the case view's material cards and its 登记信息: the skip links' targets. */
export const MAIN_ANCHOR = 'main-content';
export const CHECKLIST_ANCHOR = 'checklist';
export const FIELDS_ANCHOR = 'fields';

/** Scrolls to a card and puts the keyboard focus on it, so Tab goes on from there. */
export function jumpTo(anchorId: string): void {
  const target = document.getElementById(anchorId);
  if (target === null) return;
  target.scrollIntoView({ block: 'start', behavior: 'auto' });
  target.focus({ preventScroll: true });
}
