import { useEffect, useId, useState } from 'react';

import { call, onEvent } from '../api';
import type { EncryptionProgress } from '../bindings/EncryptionProgress';
import type { ErrorReport } from '../errors';
import type { LockStatus } from '../bindings/LockStatus';
import { bilingual } from '../locales';
import { ActionForm } from './ActionForm';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';
import { NewPassphraseFields, useNewPassphrase } from './NewPassphraseFields';

/**
 * While `set_passphrase` runs: the shell's `encryption-progress` events as a bar (files done
 * of all), an indeterminate bar until the first one arrives. Encrypting a large folder in place
 * rewrites every file, which can take minutes.
 */
function EncryptingProgress() {
  const [progress, setProgress] = useState<EncryptionProgress | null>(null);
  useEffect(() => {
    const stop = onEvent('encryption-progress', setProgress);
    return () => void stop.then((unlisten) => unlisten());
  }, []);
  return (
    <div role="status" data-testid="encrypting">
      <Bilingual text={bilingual((m) => m.lock.encrypting)} />
      {progress === null ? (
        <progress aria-label="加密进度 Encryption progress" />
      ) : (
        <>
          <progress aria-label="加密进度 Encryption progress" value={progress.done} max={progress.total} />
          <Bilingual text={bilingual((m) => m.lock.encryptingCount(progress.done, progress.total))} />
        </>
      )}
    </div>
  );
}

/**
 * What stands before everything else while the data folder is encrypted and locked: 密码 and
 * 解锁. For an interrupted encryption, the same passphrase finishes it. The passphrase goes to
 * the shell once and is not kept here.
 */
export function LockScreen({ status, onUnlocked }: { status: LockStatus; onUnlocked: () => void }) {
  const id = useId();
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<ErrorReport | null>(null);
  const [busy, setBusy] = useState(false);
  const unfinished = status.state === 'unfinished';

  const submit = async () => {
    setBusy(true);
    const outcome = unfinished ? await call('set_passphrase', { passphrase }) : await call('unlock', { passphrase });
    setBusy(false);
    setPassphrase('');
    if (outcome.ok) {
      setError(null);
      onUnlocked();
    } else {
      setError(outcome.error);
    }
  };

  return (
    <section className="panel lock-screen" aria-labelledby={`${id}-heading`} data-testid="lock-screen">
      <h2 id={`${id}-heading`}>
        <Bilingual text={bilingual((m) => (unfinished ? m.lock.unfinishedHeading : m.lock.heading))} />
      </h2>
      {error && <ErrorBanner error={error} onRetry={() => setError(null)} />}
      <ActionForm className="form-grid" onSubmit={submit}>
        <label htmlFor={`${id}-passphrase`}>
          <Bilingual text={bilingual((m) => m.lock.passphrase)} />
        </label>
        <input
          id={`${id}-passphrase`}
          type="password"
          autoComplete="current-password"
          value={passphrase}
          onChange={(event) => setPassphrase(event.target.value)}
          data-testid="unlock-passphrase"
          autoFocus
        />
        <button
          type="submit"
          className="button button--primary"
          disabled={busy || passphrase === ''}
          data-testid="unlock"
        >
          <Bilingual text={bilingual((m) => m.lock.unlock)} />
        </button>
      </ActionForm>
      {busy && unfinished && <EncryptingProgress />}
    </section>
  );
}

/**
 * 设置密码, required before anything else while the data folder is unencrypted (the shell
 * refuses every case command meanwhile): a new passphrase typed twice, with the core's minimum
 * length shown. A folder that already holds data (made by the CLI or an older version) is
 * encrypted in place by the shell, with a progress bar; there is no way around this screen.
 */
export function SetPassphrase({ status, onDone }: { status: LockStatus; onDone: () => void }) {
  const id = useId();
  const min = status.min_passphrase_chars;
  const passphrase = useNewPassphrase(min);
  const [error, setError] = useState<ErrorReport | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    const outcome = await call('set_passphrase', { passphrase: passphrase.first });
    setBusy(false);
    if (outcome.ok) {
      passphrase.clear();
      onDone();
    } else {
      setError(outcome.error);
    }
  };

  return (
    <section className="panel lock-screen" aria-labelledby={`${id}-heading`} data-testid="set-passphrase">
      <h2 id={`${id}-heading`}>
        <Bilingual text={bilingual((m) => m.lock.setHeading)} />
      </h2>
      <p data-testid="set-passphrase-explanation" data-holds-data={status.holds_data ? 'true' : 'false'}>
        <Bilingual
          text={bilingual((m) => (status.holds_data ? m.lock.setExplanationExisting : m.lock.setExplanationNew))}
          stacked
        />
      </p>
      <p id={`${id}-rule`} data-testid="passphrase-rule">
        <Bilingual text={bilingual((m) => m.lock.rule(min))} stacked />
      </p>
      {error && <ErrorBanner error={error} onRetry={() => setError(null)} />}
      <ActionForm className="form-grid" onSubmit={submit}>
        <NewPassphraseFields
          id={id}
          passphrase={passphrase}
          ruleId={`${id}-rule`}
          disabled={busy}
          autoFocus
          testIds={{ first: 'new-passphrase', second: 'repeat-passphrase' }}
        />
        <button
          type="submit"
          className="button button--primary"
          disabled={busy || !passphrase.ready}
          data-testid="set-passphrase-submit"
        >
          <Bilingual text={bilingual((m) => m.lock.set)} />
        </button>
      </ActionForm>
      {busy && <EncryptingProgress />}
    </section>
  );
}
