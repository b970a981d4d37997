import { useEffect, useId, useState } from 'react';

import { call } from '../api';
import type { ErrorReport } from '../bindings/ErrorReport';
import type { PublicKeyInfo } from '../bindings/PublicKeyInfo';
import { bilingual } from '../locales';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';
import { SecuritySettings } from './SecuritySettings';
import { ThresholdsForm } from './ThresholdsForm';
import { UploadSettingsForm } from './UploadSettingsForm';

/**
 * The installation's settings: the branch and manager named in every package's bag-info
 * (Source-Organization, Contact-Name), and the signing key's fingerprint, read-only, so the
 * manager can read it out to head office.
 */
export function SettingsView() {
  const id = useId();
  const [branch, setBranch] = useState('');
  const [manager, setManager] = useState('');
  const [key, setKey] = useState<PublicKeyInfo | null>(null);
  const [error, setError] = useState<ErrorReport | null>(null);
  const [saved, setSaved] = useState(false);

  const load = async () => {
    const [settings, keyInfo] = await Promise.all([call('get_settings', {}), call('public_key_info', {})]);
    if (settings.ok) {
      setBranch(settings.value.branch);
      setManager(settings.value.manager_name);
    } else {
      setError(settings.error);
    }
    if (keyInfo.ok) setKey(keyInfo.value);
    else setError(keyInfo.error);
  };

  useEffect(() => {
    void load();
  }, []);

  const save = async () => {
    setSaved(false);
    const outcome = await call('change_settings', { change: { branch, manager_name: manager } });
    if (outcome.ok) {
      setError(null);
      setSaved(true);
    } else {
      setError(outcome.error);
    }
  };

  return (
    <section className="panel settings" aria-labelledby={`${id}-heading`} data-testid="settings">
      <h2 id={`${id}-heading`}>
        <Bilingual text={bilingual((m) => m.settings.heading)} />
      </h2>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <label htmlFor={`${id}-branch`}>
          <Bilingual text={bilingual((m) => m.settings.branch)} />
        </label>
        <input id={`${id}-branch`} className="input" value={branch} onChange={(event) => setBranch(event.target.value)}
          data-testid="settings-branch" />
        <label htmlFor={`${id}-manager`}>
          <Bilingual text={bilingual((m) => m.settings.manager)} />
        </label>
        <input id={`${id}-manager`} className="input" value={manager} onChange={(event) => setManager(event.target.value)}
          data-testid="settings-manager" />
        <div className="form-grid__wide button-row">
          <button type="submit" className="button button--primary" data-testid="settings-save">
            <Bilingual text={bilingual((m) => m.settings.save)} />
          </button>
          {saved && (
            <span role="status" data-testid="settings-saved">
              <Bilingual text={bilingual((m) => m.settings.saved)} />
            </span>
          )}
        </div>
      </form>
      {error !== null && <ErrorBanner error={error} onRetry={() => void load()} />}
      <ThresholdsForm />
      <UploadSettingsForm />
      <SecuritySettings />
      {key !== null && (
        <div className="key-info">
          <h3>
            <Bilingual text={bilingual((m) => m.settings.keyHeading)} />
          </h3>
          <p>
            <Bilingual text={bilingual((m) => m.settings.fingerprint)} />
          </p>
          <code className="fingerprint" data-testid="key-fingerprint">
            {key.fingerprint_sha256}
          </code>
          <p className="muted">
            <Bilingual text={bilingual((m) => m.settings.keyFile)} /> <code>{key.private_key_file}</code>
          </p>
        </div>
      )}
    </section>
  );
}
