import { useCallback, useEffect, useId, useState } from 'react';

import { call } from '../api';
import type { PublicKeyInfo } from '../bindings/PublicKeyInfo';
import type { Settings } from '../bindings/Settings';
import { useEnglishChoice } from '../language';
import type { RegisterLine } from '../bindings/RegisterLine';
import { bilingual } from '../locales';
import { useSettingsForm } from '../settingsForm';
import { ActionForm } from './ActionForm';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';
import { SecuritySettings } from './SecuritySettings';
import { ThresholdsForm } from './ThresholdsForm';
import { UploadSettingsForm } from './UploadSettingsForm';

/** The fields of the general settings form, as typed. */
type General = { branch: string; manager: string; watermark: boolean; watermarkText: string };

function generalOf(settings: Settings): General {
  return {
    branch: settings.branch,
    manager: settings.manager_name,
    watermark: settings.watermark_id_copies,
    watermarkText: settings.watermark_text,
  };
}

/**
 * The installation's settings: the branch and manager named in every package's bag-info
 * (Source-Organization, Contact-Name), whether exports watermark identity documents by default
 * and with what text, and the signing key's fingerprint, read-only, so the manager can read it
 * out to head office.
 */
export function SettingsView() {
  const id = useId();
  const form = useSettingsForm(() => call('get_settings', {}), generalOf);
  const { draft: general, error, status } = form;
  const [key, setKey] = useState<PublicKeyInfo | null>(null);
  // Null while the branch or the manager is not saved: the core refuses a line without them.
  const [registerLine, setRegisterLine] = useState<RegisterLine | null>(null);
  const [copied, setCopied] = useState(false);
  const { setError } = form;

  const loadKey = useCallback(async () => {
    const keyInfo = await call('public_key_info', {});
    if (keyInfo.ok) setKey(keyInfo.value);
    else setError(keyInfo.error);
  }, [setError]);

  const loadRegisterLine = useCallback(async () => {
    const line = await call('register_line', {});
    setRegisterLine(line.ok ? line.value : null);
    setCopied(false);
  }, []);

  const copyRegisterLine = async () => {
    if (registerLine === null) return;
    try {
      await navigator.clipboard.writeText(registerLine.line);
      setCopied(true);
    } catch {
      // No clipboard in this web view: the line stays selectable by hand.
      setCopied(false);
    }
  };

  useEffect(() => {
    void loadKey();
    void loadRegisterLine();
  }, [loadKey, loadRegisterLine]);

  const reload = () => {
    void form.reload();
    void loadKey();
    void loadRegisterLine();
  };

  const setGeneral = form.setDraft;

  const save = async () => {
    if (general === null) return;
    const change = {
      branch: general.branch,
      manager_name: general.manager,
      watermark_id_copies: general.watermark,
      watermark_text: general.watermarkText,
    };
    await form.save(
      () => call('change_settings', { change }),
      'saved',
      () => void loadRegisterLine(),
    );
  };

  return (
    <section className="panel settings" aria-labelledby={`${id}-heading`} data-testid="settings">
      <h2 id={`${id}-heading`}>
        <Bilingual text={bilingual((m) => m.settings.heading)} />
      </h2>
      <DisplaySettings />
      {general === null && error === null && (
        <p className="loading" data-testid="settings-loading">
          <Bilingual text={bilingual((m) => m.settings.loading)} />
        </p>
      )}
      {general !== null && (
        <ActionForm className="form-grid" onSubmit={save}>
          <label htmlFor={`${id}-branch`}>
            <Bilingual text={bilingual((m) => m.settings.branch)} />
          </label>
          <input
            id={`${id}-branch`}
            className="input"
            value={general.branch}
            onChange={(event) => setGeneral({ ...general, branch: event.target.value })}
            data-testid="settings-branch"
          />
          <label htmlFor={`${id}-manager`}>
            <Bilingual text={bilingual((m) => m.settings.manager)} />
          </label>
          <input
            id={`${id}-manager`}
            className="input"
            value={general.manager}
            onChange={(event) => setGeneral({ ...general, manager: event.target.value })}
            data-testid="settings-manager"
          />
          <label className="check form-grid__wide">
            <input
              type="checkbox"
              checked={general.watermark}
              onChange={(event) => setGeneral({ ...general, watermark: event.target.checked })}
              data-testid="settings-watermark"
            />
            <Bilingual text={bilingual((m) => m.settings.watermark)} />
          </label>
          <label htmlFor={`${id}-watermark-text`}>
            <Bilingual text={bilingual((m) => m.settings.watermarkText)} />
          </label>
          <div>
            <input
              id={`${id}-watermark-text`}
              className="input"
              value={general.watermarkText}
              aria-describedby={`${id}-watermark-hint`}
              onChange={(event) => setGeneral({ ...general, watermarkText: event.target.value })}
              data-testid="settings-watermark-text"
            />
            <p id={`${id}-watermark-hint`} className="muted field-hint">
              <Bilingual text={bilingual((m) => m.settings.watermarkTextHint)} />
            </p>
          </div>
          <div className="form-grid__wide button-row">
            <button type="submit" className="button button--primary" data-testid="settings-save">
              <Bilingual text={bilingual((m) => m.settings.save)} />
            </button>
            {status === 'saved' && (
              <span role="status" data-testid="settings-saved">
                <Bilingual text={bilingual((m) => m.settings.saved)} />
              </span>
            )}
          </div>
        </ActionForm>
      )}
      {error !== null && <ErrorBanner error={error} onRetry={reload} />}
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
          <p>
            <Bilingual text={bilingual((m) => m.settings.registerLine)} />
          </p>
          {registerLine !== null ? (
            <p className="register-line">
              <code className="fingerprint" data-testid="key-register-line">
                {registerLine.line}
              </code>{' '}
              <button type="button" data-testid="copy-register-line" onClick={() => void copyRegisterLine()}>
                <Bilingual text={bilingual((m) => (copied ? m.settings.copied : m.settings.copy))} />
              </button>
            </p>
          ) : (
            <p className="muted" data-testid="key-register-line-missing">
              <Bilingual text={bilingual((m) => m.settings.registerLineMissing)} />
            </p>
          )}
          <p className="muted">
            <Bilingual text={bilingual((m) => m.settings.keyFile)} /> <code>{key.private_key_file}</code>
          </p>
        </div>
      )}
    </section>
  );
}

/** 显示: the English beside the Chinese, or not (kept in the web view's storage, at once). */
function DisplaySettings() {
  const id = useId();
  const { showEnglish, setShowEnglish } = useEnglishChoice();
  return (
    <div className="display-settings">
      <h3>
        <Bilingual text={bilingual((m) => m.display.heading)} />
      </h3>
      <label className="check">
        <input
          type="checkbox"
          checked={showEnglish}
          onChange={(event) => setShowEnglish(event.target.checked)}
          aria-describedby={`${id}-hint`}
          data-testid="show-english"
        />
        <Bilingual text={bilingual((m) => m.display.showEnglish)} />
      </label>
      <p id={`${id}-hint`} className="muted field-hint">
        <Bilingual text={bilingual((m) => m.display.showEnglishHint)} />
      </p>
    </div>
  );
}
