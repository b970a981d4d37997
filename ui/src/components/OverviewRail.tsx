import { useId, useState } from 'react';

import type { CaseCheck } from '../bindings/CaseCheck';
import type { CheckedField } from '../bindings/CheckedField';
import type { CheckedItem } from '../bindings/CheckedItem';
import {
  FIELD_ICON,
  TRAY_ANCHOR,
  SUBMIT_CHECK_ANCHOR,
  STATUS_ICON,
  fieldAnchor,
  fieldNeedsWork,
  findingsOf,
  itemNeedsWork,
  jumpTo,
  listedFields,
  listedItems,
  materialAnchor,
  shownStatus,
} from '../itemState';
import { type BilingualText, bilingual, bilingualLine } from '../locales';
import { termText, useVocabulary } from '../vocabulary';
import { Bilingual } from './Bilingual';
import { useStatusLabel } from './MaterialSlot';
import { UNSORTED_MATERIAL } from './UnsortedTray';

/** One line of the rail: a material or a field. */
interface RailEntry {
  key: string;
  anchor: string;
  title: BilingualText;
  /** The CSS modifier and `data-status`: the shown status. */
  status: string;
  icon: string;
  statusLabel: BilingualText;
  /** Files against the fewest that complete it (materials only). */
  count: string | null;
  /** Why it is not done, on a second line; OK entries stay on one line. */
  reasons: BilingualText[];
  needsWork: boolean;
}

function materialEntry(
  check: CaseCheck,
  item: CheckedItem,
  label: ReturnType<typeof useStatusLabel>,
  marksText: (item: CheckedItem) => string,
  dueAtGolive: BilingualText,
): RailEntry {
  const findings = findingsOf(check, item);
  const status = shownStatus(item, findings);
  const warnings = findings.filter((finding) => finding.severity === 'warning').length;
  const needsWork = itemNeedsWork(item);
  const reasons: BilingualText[] = [];
  if (needsWork || status === 'ok_with_warnings') {
    if (item.files.length === 0) reasons.push(bilingual((m) => m.rail.noFiles));
    else if (item.files_short > 0) reasons.push(bilingual((m) => m.rail.filesShort(item.files_short)));
    if (item.missing_attestations.length > 0 && item.files.length > 0) {
      const marks = marksText(item);
      reasons.push(bilingual((m) => m.rail.marksMissing(marks)));
    }
    if (item.error_findings > 0) reasons.push(bilingual((m) => m.rail.errors(item.error_findings)));
    if (item.unchecked_files > 0) reasons.push(bilingual((m) => m.rail.unchecked(item.unchecked_files)));
    if (status === 'ok_with_warnings') reasons.push(bilingual((m) => m.rail.warnings(warnings)));
  }
  const optionalEmpty = !item.required && item.files.length === 0;
  // Owed at go-live, not now: said instead of 未添加文件, not in the colour of work to do.
  if (item.due_at_golive) reasons.push(dueAtGolive);
  const shown: Pick<RailEntry, 'status' | 'icon' | 'statusLabel'> = item.due_at_golive
    ? { status: 'due_at_golive', icon: '◷', statusLabel: dueAtGolive }
    : optionalEmpty
      ? { status: 'optional', icon: '–', statusLabel: bilingual((m) => m.rail.optionalEmpty) }
      : { status, icon: STATUS_ICON[status], statusLabel: label(status) };
  return {
    key: item.key,
    anchor: materialAnchor(item.key),
    title: { zh: item.title_zh, en: item.title_en },
    ...shown,
    count: `${item.files_counted}/${item.min_files}`,
    reasons,
    needsWork,
  };
}

function fieldEntry(field: CheckedField): RailEntry {
  const needsWork = fieldNeedsWork(field);
  const statusLabel = bilingual((m) =>
    field.status === 'ok'
      ? m.rail.fieldOk
      : field.status === 'warning'
        ? m.rail.fieldWarning
        : field.status === 'invalid'
          ? m.rail.fieldInvalid
          : field.required
            ? m.rail.fieldMissing
            : m.rail.optionalEmpty,
  );
  const optionalEmpty = !field.required && field.status === 'missing';
  return {
    key: field.key,
    anchor: fieldAnchor(field.key),
    title: { zh: field.title_zh, en: field.title_en },
    status: optionalEmpty ? 'optional' : `field-${field.status}`,
    icon: optionalEmpty ? '–' : FIELD_ICON[field.status],
    statusLabel,
    count: null,
    reasons: [],
    needsWork,
  };
}

/**
 * The 未分类 tray's line: its files waiting for a material (they block the export until
 * assigned or withdrawn, so they need work), jumping to the tray.
 */
function trayEntry(check: CaseCheck): RailEntry {
  const waiting = check.summary.unsorted_files;
  return {
    key: UNSORTED_MATERIAL,
    anchor: TRAY_ANCHOR,
    title: bilingual((m) => m.tray.heading),
    status: waiting > 0 ? 'tray-waiting' : 'optional',
    icon: waiting > 0 ? STATUS_ICON.present : '–',
    statusLabel: bilingual((m) => (waiting > 0 ? m.tray.count(waiting) : m.rail.trayEmpty)),
    count: String(waiting),
    reasons: waiting > 0 ? [bilingual((m) => m.tray.count(waiting))] : [],
    needsWork: waiting > 0,
  };
}

/**
 * The case at a glance, beside the cards and always in view: every material by stage and
 * every field, each with its status icon and count; a click jumps to its card. 下一个待补 jumps
 * to the next one that needs work; 只看待处理 hides the rest (here and among the cards).
 */
export function OverviewRail({
  check,
  onlyPending,
  onOnlyPendingChange,
}: {
  check: CaseCheck;
  onlyPending: boolean;
  onOnlyPendingChange: (on: boolean) => void;
}) {
  const id = useId();
  const vocabulary = useVocabulary();
  const label = useStatusLabel();
  const [lastJumped, setLastJumped] = useState<string | null>(null);
  const marksText = (item: CheckedItem) =>
    item.missing_attestations.map((mark) => termText(vocabulary.marks, mark).zh).join('、');

  const items = listedItems(check);
  // The tray first, as on the page; a group without a heading.
  const groups: { key: string; title: BilingualText | null; entries: RailEntry[] }[] = [
    { key: 'tray', title: null, entries: [trayEntry(check)] },
  ];
  const stages: typeof groups = vocabulary.stages
    .map((stage) => ({
      key: stage.key,
      title: { zh: stage.zh, en: stage.en },
      entries: items
        .filter((item) => item.stage === stage.key)
        .map((item) => materialEntry(check, item, label, marksText, vocabulary.due_at_golive)),
    }))
    .filter((group) => group.entries.length > 0);
  groups.push(...stages);
  const fields = listedFields(check).map(fieldEntry);
  if (fields.length > 0) groups.push({ key: 'fields', title: bilingual((m) => m.rail.fieldsStage), entries: fields });
  const all = groups.flatMap((group) => group.entries);
  const pending = all.filter((entry) => entry.needsWork);

  const jump = (entry: RailEntry) => {
    setLastJumped(entry.key);
    jumpTo(entry.anchor);
  };
  // The next entry that needs work after the one jumped to last, in the rail's order, wrapping.
  const jumpToNext = () => {
    if (pending.length === 0) return;
    const from = lastJumped === null ? -1 : all.findIndex((entry) => entry.key === lastJumped);
    const next = all.slice(from + 1).find((entry) => entry.needsWork) ?? pending[0];
    if (next !== undefined) jump(next);
  };

  const { summary } = check;
  const fieldsOk = summary.fields_required - summary.fields_missing - summary.fields_invalid;
  // Go-live materials not given yet are owed later: the visit's progress is over the rest.
  const dueAtGolive = summary.due_at_golive;
  const requiredNow = summary.required - dueAtGolive;
  return (
    <nav className="rail" aria-label={bilingualLine((m) => m.rail.label)} data-testid="rail">
      <div className="rail__top">
        <p className="rail__progress-label" id={`${id}-progress`}>
          <Bilingual text={bilingual((m) => m.rail.progress(summary.ok, requiredNow))} />
        </p>
        <progress
          className="rail__progress"
          max={Math.max(requiredNow, 1)}
          value={summary.ok}
          aria-labelledby={`${id}-progress`}
          data-testid="rail-progress"
          data-ok={summary.ok}
          data-required={requiredNow}
        />
        {dueAtGolive > 0 && (
          <p className="rail__fields-progress" data-testid="rail-due-at-golive">
            <Bilingual text={bilingual((m) => m.rail.dueAtGolive(dueAtGolive))} />
          </p>
        )}
        {summary.fields_required > 0 && (
          <p className="rail__fields-progress">
            <Bilingual text={bilingual((m) => m.rail.fieldsProgress(fieldsOk, summary.fields_required))} />
          </p>
        )}
        <div className="rail__controls">
          <button
            type="button"
            className="button button--primary"
            onClick={jumpToNext}
            disabled={pending.length === 0}
            data-testid="rail-next"
          >
            <Bilingual text={bilingual((m) => (pending.length === 0 ? m.rail.allDone : m.rail.next))} />
            {pending.length > 0 && <span className="rail__pending-count"> ({pending.length})</span>}
          </button>
          <label className="check">
            <input
              type="checkbox"
              checked={onlyPending}
              onChange={(event) => onOnlyPendingChange(event.target.checked)}
              data-testid="rail-only-pending"
            />
            <Bilingual text={bilingual((m) => m.rail.onlyPending)} />
          </label>
        </div>
      </div>
      <div className="rail__list">
        {groups.map((group) => {
          const shown = onlyPending ? group.entries.filter((entry) => entry.needsWork) : group.entries;
          if (shown.length === 0) return null;
          return (
            <section
              key={group.key}
              className="rail__group"
              aria-labelledby={group.title === null ? undefined : `${id}-${group.key}`}
            >
              {group.title !== null && (
                <h3 id={`${id}-${group.key}`} className="rail__stage">
                  <Bilingual text={group.title} />
                </h3>
              )}
              <ul className="rail__entries">
                {shown.map((entry) => (
                  <li key={entry.key}>
                    <button
                      type="button"
                      className={`rail__entry rail__entry--${entry.status}`}
                      aria-current={lastJumped === entry.key ? 'location' : undefined}
                      onClick={() => jump(entry)}
                      data-testid={`rail-entry-${entry.key}`}
                      data-anchor={entry.anchor}
                      data-status={entry.status}
                      data-needs-work={entry.needsWork}
                    >
                      <span className="rail__icon" aria-hidden="true">
                        {entry.icon}
                      </span>
                      <span className="rail__title">
                        <Bilingual text={entry.title} />
                        <span className="visually-hidden"> {entry.statusLabel.zh}</span>
                      </span>
                      {entry.count !== null && <span className="rail__count">{entry.count}</span>}
                      {entry.reasons.length > 0 && (
                        <span className="rail__reasons">
                          {entry.reasons.map((reason, index) => (
                            <span key={reason.zh}>
                              {index > 0 && ' · '}
                              <Bilingual text={reason} />
                            </span>
                          ))}
                        </span>
                      )}
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
        <button
          type="button"
          className="rail__entry rail__entry--submit"
          onClick={() => jumpTo(SUBMIT_CHECK_ANCHOR)}
          data-testid="rail-submit-check"
        >
          <span className="rail__icon" aria-hidden="true">
            ➜
          </span>
          <span className="rail__title">
            <Bilingual text={bilingual((m) => m.rail.submitCheck)} />
          </span>
        </button>
      </div>
    </nav>
  );
}
