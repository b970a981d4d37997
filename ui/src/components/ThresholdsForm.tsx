import { useId, useState } from 'react';

import { call } from '../api';
import type { Thresholds } from '../bindings/Thresholds';
import { bilingual, type Messages } from '../locales';
import { useSettingsForm } from '../settingsForm';
import { ActionForm } from './ActionForm';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';

/** The numeric thresholds, each in its own field. */
type NumericKey =
  | 'min_long_side_px'
  | 'min_mean_luminance'
  | 'min_laplacian_variance'
  | 'time_gps_mismatch_minutes'
  | 'future_tolerance_hours'
  | 'default_utc_offset_minutes'
  | 'site_radius_m'
  | 'visit_window_days'
  | 'site_photo_spread_hours'
  | 'near_duplicate_max_distance'
  | 'max_file_bytes'
  | 'max_pixels'
  | 'max_decode_bytes';

/** How a stored value is shown: bytes as MiB, pixels as megapixels, the rest as they are. */
const SCALE: Partial<Record<NumericKey, number>> = {
  max_file_bytes: 1024 * 1024,
  max_pixels: 1_000_000,
  max_decode_bytes: 1024 * 1024,
};

const GROUPS: { heading: (m: Messages) => string; keys: NumericKey[] }[] = [
  {
    heading: (m) => m.thresholds.fileGroup,
    keys: [
      'min_long_side_px',
      'min_mean_luminance',
      'min_laplacian_variance',
      'time_gps_mismatch_minutes',
      'future_tolerance_hours',
      'default_utc_offset_minutes',
    ],
  },
  {
    heading: (m) => m.thresholds.caseGroup,
    keys: ['site_radius_m', 'visit_window_days', 'site_photo_spread_hours', 'near_duplicate_max_distance'],
  },
  { heading: (m) => m.thresholds.limitsGroup, keys: ['max_file_bytes', 'max_pixels', 'max_decode_bytes'] },
];

const ALL_KEYS: NumericKey[] = GROUPS.flatMap((group) => group.keys);

/** The word lists, each a text area with one entry per line. */
type ListKey = 'editing_software' | 'screenshot_file_names' | 'chat_app_file_names';

const LIST_KEYS: ListKey[] = ['editing_software', 'screenshot_file_names', 'chat_app_file_names'];

/** The form's fields as typed. */
type Draft = { values: Record<NumericKey, string>; lists: Record<ListKey, string> };

/** Between a chat app's name and its pattern on one line; the first one splits, so a pattern may hold more. */
const CHAT_SEPARATOR = '=';

function shown(thresholds: Thresholds): Record<NumericKey, string> {
  const values = {} as Record<NumericKey, string>;
  for (const key of ALL_KEYS) values[key] = String(thresholds[key] / (SCALE[key] ?? 1));
  return values;
}

function shownLists(thresholds: Thresholds): Record<ListKey, string> {
  return {
    editing_software: thresholds.editing_software.join('\n'),
    screenshot_file_names: thresholds.screenshot_file_names.join('\n'),
    chat_app_file_names: thresholds.chat_app_file_names
      .map((chat) => `${chat.app} ${CHAT_SEPARATOR} ${chat.pattern}`)
      .join('\n'),
  };
}

/** The non-blank lines of a text area, trimmed (a blank line is not an empty word). */
function linesOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** The chat-app lines as the core takes them, or the first line without a separator. */
function chatAppsOf(text: string): Thresholds['chat_app_file_names'] | { badLine: string } {
  const apps: Thresholds['chat_app_file_names'] = [];
  for (const line of linesOf(text)) {
    const at = line.indexOf(CHAT_SEPARATOR);
    if (at <= 0) return { badLine: line };
    apps.push({ app: line.slice(0, at).trim(), pattern: line.slice(at + CHAT_SEPARATOR.length).trim() });
  }
  return apps;
}

/**
 * 设置 › 检查阈值 Check thresholds: what "too dark", "blurry", "too far from the premises" mean on
 * this installation. The core checks every value and names the field it refuses; a change
 * reaches the stored files at their next check without re-import.
 */
export function ThresholdsForm() {
  const id = useId();
  const form = useSettingsForm<Thresholds, Draft, 'saved' | 'reset'>(
    () => call('thresholds', {}),
    (thresholds) => ({ values: shown(thresholds), lists: shownLists(thresholds) }),
  );
  const [badChatLine, setBadChatLine] = useState<string | null>(null);
  const [notNumbers, setNotNumbers] = useState<NumericKey[]>([]);
  const { stored, draft, error, status } = form;

  /** The core's stored thresholds in the fields, nothing marked wrong. */
  const show = (thresholds: Thresholds) => {
    form.show(thresholds);
    setNotNumbers([]);
    setBadChatLine(null);
  };

  const save = async () => {
    if (stored === null || draft === null) return;
    const { values, lists } = draft;
    form.setStatus(null);
    const bad = ALL_KEYS.filter((key) => values[key].trim() === '' || !Number.isFinite(Number(values[key])));
    setNotNumbers(bad);
    const chatApps = chatAppsOf(lists.chat_app_file_names);
    setBadChatLine('badLine' in chatApps ? chatApps.badLine : null);
    if (bad.length > 0 || 'badLine' in chatApps) return;
    // The core refuses an empty word or a pattern that is not a regular expression, naming the list.
    const thresholds: Thresholds = {
      ...stored,
      editing_software: linesOf(lists.editing_software),
      screenshot_file_names: linesOf(lists.screenshot_file_names),
      chat_app_file_names: chatApps,
    };
    for (const key of ALL_KEYS) {
      // Whole bytes and pixels; the core refuses anything out of range, naming the field.
      const scale = SCALE[key];
      thresholds[key] = scale === undefined ? Number(values[key]) : Math.round(Number(values[key]) * scale);
    }
    await form.save(() => call('set_thresholds', { thresholds }), 'saved', show);
  };

  const reset = () => form.save(() => call('reset_thresholds', {}), 'reset', show);

  return (
    <section className="thresholds" aria-labelledby={`${id}-heading`} data-testid="thresholds">
      <h3 id={`${id}-heading`}>
        <Bilingual text={bilingual((m) => m.thresholds.heading)} />
      </h3>
      <p className="muted">
        <Bilingual text={bilingual((m) => m.thresholds.intro)} />
      </p>
      {draft !== null && (
        <ActionForm className="form-grid" onSubmit={save}>
          {GROUPS.map((group) => (
            <fieldset key={group.keys[0]} className="form-grid__wide form-grid">
              <legend>
                <Bilingual text={bilingual(group.heading)} />
              </legend>
              {group.keys.map((key) => (
                <ThresholdRow
                  key={key}
                  id={`${id}-${key}`}
                  label={(m) => m.thresholds[key]}
                  value={draft.values[key]}
                  problem={notNumbers.includes(key) ? (m) => m.thresholds.notANumber : null}
                  onChange={(value) => form.setDraft({ ...draft, values: { ...draft.values, [key]: value } })}
                  testId={`threshold-${key}`}
                />
              ))}
            </fieldset>
          ))}
          <fieldset className="form-grid__wide form-grid">
            <legend>
              <Bilingual text={bilingual((m) => m.thresholds.listsGroup)} />
            </legend>
            {LIST_KEYS.map((key) => (
              <ThresholdRow
                key={key}
                list
                id={`${id}-${key}`}
                label={(m) => m.thresholds[key]}
                value={draft.lists[key]}
                problem={
                  key === 'chat_app_file_names' && badChatLine !== null
                    ? (m) => m.thresholds.notAChatLine(badChatLine)
                    : null
                }
                onChange={(value) => form.setDraft({ ...draft, lists: { ...draft.lists, [key]: value } })}
                testId={`threshold-${key}`}
              />
            ))}
          </fieldset>
          <div className="form-grid__wide button-row">
            <button type="submit" className="button button--primary" data-testid="thresholds-save">
              <Bilingual text={bilingual((m) => m.thresholds.save)} />
            </button>
            <button type="button" className="button" onClick={() => void reset()} data-testid="thresholds-reset">
              <Bilingual text={bilingual((m) => m.thresholds.reset)} />
            </button>
            {status !== null && (
              <span role="status" data-testid="thresholds-saved">
                <Bilingual
                  text={bilingual((m) => (status === 'saved' ? m.thresholds.saved : m.thresholds.resetDone))}
                />
              </span>
            )}
          </div>
        </ActionForm>
      )}
      {error !== null && <ErrorBanner error={error} onRetry={() => void form.reload()} />}
    </section>
  );
}

/** One threshold: a label and a field (a text area for a list), with what is wrong with it. */
function ThresholdRow({
  id,
  label,
  value,
  problem,
  onChange,
  testId,
  list = false,
}: {
  id: string;
  label: (m: Messages) => string;
  value: string;
  problem: ((m: Messages) => string) | null;
  onChange: (value: string) => void;
  testId: string;
  list?: boolean;
}) {
  const field = {
    id,
    value,
    'aria-invalid': problem !== null,
    'aria-describedby': problem !== null ? `${id}-problem` : undefined,
    'data-testid': testId,
  };
  return (
    <>
      <label htmlFor={id}>
        <Bilingual text={bilingual(label)} />
      </label>
      <div>
        {list ? (
          <textarea
            {...field}
            className="input threshold-list"
            rows={Math.min(8, Math.max(3, value.split('\n').length))}
            onChange={(event) => onChange(event.target.value)}
            spellCheck={false}
          />
        ) : (
          <input {...field} className="input" inputMode="decimal" onChange={(event) => onChange(event.target.value)} />
        )}
        {problem !== null && (
          <span id={`${id}-problem`} className="field-problem" role="alert">
            <Bilingual text={bilingual(problem)} />
          </span>
        )}
      </div>
    </>
  );
}
