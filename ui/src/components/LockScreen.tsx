import { useId, useState } from 'react';

import { call } from '../api';
import type { ErrorReport } from '../bindings/ErrorReport';
import type { LockStatus } from '../bindings/LockStatus';
import { bilingual } from '../locales';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';

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
    const outcome = unfinished
      ? await call('set_passphrase', { passphrase })
      : await call('unlock', { passphrase });
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
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
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
        <button type="submit" className="button button--primary" disabled={busy || passphrase === ''} data-testid="unlock">
          <Bilingual text={bilingual((m) => m.lock.unlock)} />
        </button>
      </form>
    </section>
  );
}

/**
 * 设置密码: encrypts the unencrypted data folder under a new passphrase, typed twice. The shell
 * rewrites every file of the vault, so this may take a while on a large folder.
 */
export function SetPassphrase({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const id = useId();
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const [error, setError] = useState<ErrorReport | null>(null);
  const [busy, setBusy] = useState(false);
  const differ = second !== '' && first !== second;

  const submit = async () => {
    setBusy(true);
    const outcome = await call('set_passphrase', { passphrase: first });
    setBusy(false);
    if (outcome.ok) {
      setFirst('');
      setSecond('');
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
      <p>
        <Bilingual text={bilingual((m) => m.lock.setExplanation)} stacked />
      </p>
      {error && <ErrorBanner error={error} onRetry={() => setError(null)} />}
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label htmlFor={`${id}-first`}>
          <Bilingual text={bilingual((m) => m.lock.newPassphrase)} />
        </label>
        <input
          id={`${id}-first`}
          type="password"
          autoComplete="new-password"
          value={first}
          onChange={(event) => setFirst(event.target.value)}
          data-testid="new-passphrase"
          autoFocus
        />
        <label htmlFor={`${id}-second`}>
          <Bilingual text={bilingual((m) => m.lock.repeatPassphrase)} />
        </label>
        <input
          id={`${id}-second`}
          type="password"
          autoComplete="new-password"
          value={second}
          onChange={(event) => setSecond(event.target.value)}
          data-testid="repeat-passphrase"
        />
        {differ && (
          <p role="alert">
            <Bilingual text={bilingual((m) => m.lock.differ)} />
          </p>
        )}
        <button
          type="submit"
          className="button button--primary"
          disabled={busy || first === '' || first !== second}
          data-testid="set-passphrase-submit"
        >
          <Bilingual text={bilingual((m) => m.lock.set)} />
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          <Bilingual text={bilingual((m) => m.lock.later)} />
        </button>
      </form>
    </section>
  );
}
