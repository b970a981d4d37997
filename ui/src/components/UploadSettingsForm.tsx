import { type ReactNode, useEffect, useId, useState } from 'react';

import { call } from '../api';
import type { ErrorReport } from '../errors';
import type { UploadSettingsShown } from '../bindings/UploadSettingsShown';
import { bilingual, bilingualLine } from '../locales';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';

type TextField = 'endpoint' | 'bucket' | 'region' | 'prefix' | 'access_key_id';

const textFields: { key: TextField; label: Parameters<typeof bilingual>[0]; type: string }[] = [
  { key: 'endpoint', label: (m) => m.uploadSettings.endpoint, type: 'url' },
  { key: 'bucket', label: (m) => m.uploadSettings.bucket, type: 'text' },
  { key: 'region', label: (m) => m.uploadSettings.region, type: 'text' },
  { key: 'prefix', label: (m) => m.uploadSettings.prefix, type: 'text' },
  { key: 'access_key_id', label: (m) => m.uploadSettings.accessKeyId, type: 'text' },
];

/**
 * Where packages are uploaded (the 设置 screen's 上传设置 section). The core checks every value;
 * the secret key is write-only: the shell never sends it back, the form only learns whether one
 * is stored, and an empty secret field leaves the stored one as it is.
 */
export function UploadSettingsForm() {
  const id = useId();
  const [shown, setShown] = useState<UploadSettingsShown | null>(null);
  const [values, setValues] = useState<Record<TextField, string>>({
    endpoint: '',
    bucket: '',
    region: '',
    prefix: '',
    access_key_id: '',
  });
  const [partSize, setPartSize] = useState('');
  const [secret, setSecret] = useState('');
  const [clearSecret, setClearSecret] = useState(false);
  const [allowInsecureHttp, setAllowInsecureHttp] = useState(false);
  const [error, setError] = useState<ErrorReport | null>(null);
  const [saved, setSaved] = useState(false);

  const show = (settings: UploadSettingsShown) => {
    setShown(settings);
    const upload = settings.settings;
    setValues({
      endpoint: upload.endpoint ?? '',
      bucket: upload.bucket ?? '',
      region: upload.region ?? '',
      prefix: upload.prefix ?? '',
      access_key_id: upload.access_key_id ?? '',
    });
    setPartSize(upload.part_size_mib === null ? '' : String(upload.part_size_mib));
    setSecret('');
    setClearSecret(false);
    setAllowInsecureHttp(upload.allow_insecure_http);
  };

  const load = async () => {
    const outcome = await call('upload_settings', {});
    if (outcome.ok) show(outcome.value);
    else setError(outcome.error);
  };

  useEffect(() => {
    void load();
  }, []);

  const save = async () => {
    setSaved(false);
    const trimmed = partSize.trim();
    const partSizeMib = trimmed === '' ? null : Number(trimmed);
    const outcome = await call('change_upload_settings', {
      change: {
        ...values,
        // Not a whole number: 0, which the core refuses with its message like any bad size.
        part_size_mib: partSizeMib !== null && !(Number.isInteger(partSizeMib) && partSizeMib >= 0) ? 0 : partSizeMib,
        max_retries: null,
        secret_access_key: clearSecret ? '' : secret === '' ? null : secret,
        allow_insecure_http: allowInsecureHttp,
      },
    });
    if (outcome.ok) {
      show(outcome.value);
      setError(null);
      setSaved(true);
    } else {
      setError(outcome.error);
    }
  };

  return (
    <section className="upload-settings" aria-labelledby={`${id}-heading`} data-testid="upload-settings">
      <h3 id={`${id}-heading`}>
        <Bilingual text={bilingual((m) => m.uploadSettings.heading)} />
      </h3>
      <p className="muted">
        <Bilingual text={bilingual((m) => m.uploadSettings.intro)} />
      </p>
      {/* The fields wait for the stored values: typed into before they arrive, they would be
          overwritten (or, as a WebDriver test once saw, end up holding both). */}
      {shown === null && error === null && (
        <p className="loading" data-testid="upload-settings-loading">
          <Bilingual text={bilingual((m) => m.uploadSettings.loading)} />
        </p>
      )}
      {shown !== null && (
        <form
          className="form-grid"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          {textFields.map((field) => (
            <FieldRow key={field.key} id={`${id}-${field.key}`} label={field.label}>
              <input
                id={`${id}-${field.key}`}
                className="input"
                type={field.type}
                value={values[field.key]}
                onChange={(event) => setValues({ ...values, [field.key]: event.target.value })}
                data-testid={`upload-${field.key}`}
                autoComplete="off"
                spellCheck={false}
              />
            </FieldRow>
          ))}
          <FieldRow id={`${id}-part-size`} label={(m) => m.uploadSettings.partSize}>
            <input
              id={`${id}-part-size`}
              className="input"
              inputMode="numeric"
              value={partSize}
              placeholder="8"
              onChange={(event) => setPartSize(event.target.value)}
              data-testid="upload-part_size_mib"
            />
          </FieldRow>
          <FieldRow id={`${id}-secret`} label={(m) => m.uploadSettings.secret}>
            <input
              id={`${id}-secret`}
              className="input"
              type="password"
              value={secret}
              disabled={clearSecret}
              placeholder={
                shown?.secret_access_key_set
                  ? bilingualLine((m) => m.uploadSettings.secretSet)
                  : bilingualLine((m) => m.uploadSettings.secretNotSet)
              }
              onChange={(event) => setSecret(event.target.value)}
              data-testid="upload-secret"
              autoComplete="new-password"
            />
          </FieldRow>
          {shown?.secret_access_key_set && (
            <label className="check form-grid__wide">
              <input
                type="checkbox"
                checked={clearSecret}
                onChange={(event) => setClearSecret(event.target.checked)}
                data-testid="upload-clear-secret"
              />
              <Bilingual text={bilingual((m) => m.uploadSettings.clearSecret)} />
            </label>
          )}
          {/* upload.allow_insecure_http: named as such, with what it means; the core refuses an
              http:// endpoint to another host without it (insecure_endpoint). */}
          <label className="check form-grid__wide">
            <input
              type="checkbox"
              checked={allowInsecureHttp}
              onChange={(event) => setAllowInsecureHttp(event.target.checked)}
              data-testid="upload-allow-insecure-http"
            />
            <Bilingual text={bilingual((m) => m.uploadSettings.allowInsecureHttp)} />
          </label>
          {allowInsecureHttp && (
            <p className="warning form-grid__wide" role="alert" data-testid="upload-insecure-warning">
              <Bilingual text={bilingual((m) => m.uploadSettings.insecureWarning)} />
            </p>
          )}
          <div className="form-grid__wide button-row">
            <button type="submit" className="button button--primary" data-testid="upload-settings-save">
              <Bilingual text={bilingual((m) => m.uploadSettings.save)} />
            </button>
            {saved && (
              <span role="status" data-testid="upload-settings-saved">
                <Bilingual text={bilingual((m) => m.uploadSettings.saved)} />
              </span>
            )}
          </div>
        </form>
      )}
      {error !== null && <ErrorBanner error={error} onRetry={() => void load()} />}
    </section>
  );
}

function FieldRow({
  id,
  label,
  children,
}: {
  id: string;
  label: Parameters<typeof bilingual>[0];
  children: ReactNode;
}) {
  return (
    <>
      <label htmlFor={id}>
        <Bilingual text={bilingual(label)} />
      </label>
      {children}
    </>
  );
}
