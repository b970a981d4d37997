// The settings forms' one pattern: load → edit → save. Each form (设置's general settings, 检查阈值,
// 上传设置, 自动锁定时间) loads what is stored, edits a draft of it and sends a change, showing the
// core's refusal in place; they differ only in the commands and in how a draft is made.

import { useCallback, useEffect, useRef, useState } from 'react';

import type { CommandOutcome } from './api';
import type { ErrorReport } from './errors';

export interface SettingsForm<Stored, Draft, Status extends string> {
  /** What the core has stored, null until it arrived. */
  stored: Stored | null;
  /**
   * The form's values as typed, null until the stored values arrived: forms are not shown
   * before, so nothing typed early is overwritten by them.
   */
  draft: Draft | null;
  setDraft: (draft: Draft) => void;
  /** The last refusal (of the load or of a save), null once a save went through. */
  error: ErrorReport | null;
  setError: (error: ErrorReport | null) => void;
  /** What the last save did ('saved', 'reset', …), cleared when the next one starts. */
  status: Status | null;
  setStatus: (status: Status | null) => void;
  /** Loads the stored values again, replacing the draft. */
  reload: () => Promise<void>;
  /** Shows `value` as stored and makes a fresh draft of it (a save that answers with what it stored). */
  show: (value: Stored) => void;
  /**
   * Sends a change. On success: the error is cleared, `status` becomes `done` and `then` gets
   * the core's answer; on refusal the error is shown and the draft kept, so the manager can
   * correct it.
   */
  save: <Answer>(
    send: () => Promise<CommandOutcome<Answer>>,
    done: Status,
    then?: (answer: Answer) => void,
  ) => Promise<void>;
}

/**
 * Loads with `load` once when the form appears, and keeps the draft made by `toDraft`. `load`
 * and `toDraft` may be new functions at each render: the latest ones are used.
 */
export function useSettingsForm<Stored, Draft, Status extends string = 'saved'>(
  load: () => Promise<CommandOutcome<Stored>>,
  toDraft: (stored: Stored) => Draft,
): SettingsForm<Stored, Draft, Status> {
  const [stored, setStored] = useState<Stored | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<ErrorReport | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const latest = useRef({ load, toDraft });
  latest.current = { load, toDraft };

  const show = useCallback((value: Stored) => {
    setStored(value);
    setDraft(latest.current.toDraft(value));
  }, []);

  const reload = useCallback(async () => {
    const outcome = await latest.current.load();
    if (outcome.ok) show(outcome.value);
    else setError(outcome.error);
  }, [show]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const save = useCallback(
    async <Answer>(send: () => Promise<CommandOutcome<Answer>>, done: Status, then?: (answer: Answer) => void) => {
      setStatus(null);
      const outcome = await send();
      if (outcome.ok) {
        setError(null);
        setStatus(done);
        then?.(outcome.value);
      } else {
        setError(outcome.error);
      }
    },
    [],
  );

  return { stored, draft, setDraft, error, setError, status, setStatus, reload, show, save };
}
