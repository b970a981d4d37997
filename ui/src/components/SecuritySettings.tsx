import { useId, useState } from 'react';

import { call } from '../api';
import type { ErrorReport } from '../errors';
import type { LockStatus } from '../bindings/LockStatus';
import { bilingual } from '../locales';
import { type SettingsForm, useSettingsForm } from '../settingsForm';
import { ActionForm } from './ActionForm';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';
import { NewPassphraseFields, useNewPassphrase } from './NewPassphraseFields';

/** The longest idle lock the core accepts (12 hours), in minutes: checked here only to say so early. */
const MAX_IDLE_MINUTES = 720;

/** Seconds as minutes for the field: whole minutes plainly, a lock time set in seconds with the CLI as a decimal. */
function minutesText(seconds: number): string {
  return seconds % 60 === 0 ? String(seconds / 60) : String(Math.round((seconds / 60) * 100) / 100);
}

/**
 * 修改密码: the current passphrase and the new one twice. The shell re-wraps the data key (no
 * file is re-encrypted); a wrong current passphrase comes back as `wrong_passphrase`, shown
 * here, in place.
 */
function ChangePassphraseForm({ minChars }: { minChars: number }) {
  const id = useId();
  const [current, setCurrent] = useState('');
  const passphrase = useNewPassphrase(minChars);
  const [error, setError] = useState<ErrorReport | null>(null);
  const [changed, setChanged] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setChanged(false);
    const outcome = await call('change_passphrase', { old_passphrase: current, new_passphrase: passphrase.first });
    setBusy(false);
    setCurrent('');
    if (outcome.ok) {
      passphrase.clear();
      setError(null);
      setChanged(true);
    } else {
      setError(outcome.error);
    }
  };

  return (
    <ActionForm
      className="form-grid"
      aria-labelledby={`${id}-heading`}
      data-testid="change-passphrase-form"
      onSubmit={submit}
    >
      <h4 id={`${id}-heading`} className="form-grid__wide">
        <Bilingual text={bilingual((m) => m.security.changeHeading)} />
      </h4>
      <label htmlFor={`${id}-current`}>
        <Bilingual text={bilingual((m) => m.security.currentPassphrase)} />
      </label>
      <input
        id={`${id}-current`}
        className="input"
        type="password"
        autoComplete="current-password"
        value={current}
        onChange={(event) => setCurrent(event.target.value)}
        data-testid="current-passphrase"
      />
      <NewPassphraseFields
        id={id}
        passphrase={passphrase}
        ruleId={`${id}-rule`}
        testIds={{ first: 'changed-passphrase', second: 'changed-passphrase-repeat' }}
      />
      <p id={`${id}-rule`} className="form-grid__wide muted">
        <Bilingual text={bilingual((m) => m.lock.rule(minChars))} />
      </p>
      {error !== null && (
        <div className="form-grid__wide">
          <ErrorBanner error={error} onRetry={() => setError(null)} />
        </div>
      )}
      <div className="form-grid__wide button-row">
        <button
          type="submit"
          className="button button--primary"
          disabled={busy || current === '' || !passphrase.ready}
          data-testid="change-passphrase"
        >
          <Bilingual text={bilingual((m) => m.security.change)} />
        </button>
        {changed && (
          <span role="status" data-testid="passphrase-changed">
            <Bilingual text={bilingual((m) => m.security.changed)} />
          </span>
        )}
      </div>
    </ActionForm>
  );
}

/** 自动锁定时间 in minutes (0: never), stored by the core as `idle_lock_seconds`. */
function IdleLockForm({ form }: { form: SettingsForm<LockStatus, string, 'saved'> }) {
  const id = useId();
  const { stored, draft: minutes, error, status } = form;
  if (stored === null || minutes === null) return null;
  const seconds = stored.idle_lock_seconds;
  const value = Number(minutes.trim());
  const valid = minutes.trim() !== '' && Number.isFinite(value) && value >= 0 && value <= MAX_IDLE_MINUTES;

  const save = async () => {
    const change = { branch: null, manager_name: null, idle_lock_seconds: Math.round(value * 60) };
    // The lock time shown as current comes from the shell again, as it now counts it.
    await form.save(
      () => call('change_settings', { change }),
      'saved',
      () => void form.reload(),
    );
  };

  return (
    <ActionForm
      className="form-grid"
      aria-labelledby={`${id}-heading`}
      data-testid="idle-lock-form"
      onSubmit={() => {
        if (valid) void save();
      }}
    >
      <h4 id={`${id}-heading`} className="form-grid__wide">
        <Bilingual text={bilingual((m) => m.security.idleHeading)} />
      </h4>
      <label htmlFor={`${id}-minutes`}>
        <Bilingual text={bilingual((m) => m.security.idleMinutes)} />
      </label>
      <input
        id={`${id}-minutes`}
        className="input"
        inputMode="decimal"
        value={minutes}
        onChange={(event) => {
          form.setStatus(null);
          form.setDraft(event.target.value);
        }}
        aria-invalid={!valid}
        data-testid="idle-lock-minutes"
      />
      <p className="form-grid__wide muted" data-testid="idle-lock-current">
        <Bilingual text={bilingual((m) => m.security.idleCurrent(minutesText(seconds)))} />
      </p>
      {!valid && (
        <p role="alert" className="form-grid__wide">
          <Bilingual text={bilingual((m) => m.security.idleInvalid)} />
        </p>
      )}
      {error !== null && (
        <div className="form-grid__wide">
          <ErrorBanner error={error} onRetry={() => form.setError(null)} />
        </div>
      )}
      <div className="form-grid__wide button-row">
        <button type="submit" className="button button--primary" disabled={!valid} data-testid="idle-lock-save">
          <Bilingual text={bilingual((m) => m.security.idleSave)} />
        </button>
        {status === 'saved' && (
          <span role="status" data-testid="idle-lock-saved">
            <Bilingual text={bilingual((m) => m.security.idleSaved)} />
          </span>
        )}
      </div>
    </ActionForm>
  );
}

/**
 * The 设置 screen's security section: 修改密码 and 自动锁定时间. Shown only while the folder is
 * open, so the current passphrase is asked again to change it (whoever finds the laptop
 * unlocked must not be able to lock the manager out).
 */
export function SecuritySettings() {
  const id = useId();
  const form = useSettingsForm(
    () => call('lock_status', {}),
    (status: LockStatus) => minutesText(status.idle_lock_seconds),
  );
  const minChars = form.stored?.min_passphrase_chars ?? 8;

  return (
    <section className="security-settings" aria-labelledby={`${id}-heading`} data-testid="security-settings">
      <h3 id={`${id}-heading`}>
        <Bilingual text={bilingual((m) => m.security.heading)} />
      </h3>
      {form.error !== null && form.stored === null && (
        <ErrorBanner error={form.error} onRetry={() => void form.reload()} />
      )}
      <ChangePassphraseForm minChars={minChars} />
      <IdleLockForm form={form} />
    </section>
  );
}
