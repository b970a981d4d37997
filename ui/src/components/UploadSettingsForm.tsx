import { type ReactNode, useId } from 'react';

import { call } from '../api';
import type { UploadSettingsShown } from '../bindings/UploadSettingsShown';
import { bilingual, bilingualLine } from '../locales';
import { useSettingsForm } from '../settingsForm';
import { ActionForm } from './ActionForm';
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

/** The form's fields as typed. The secret is never sent back: its field starts empty. */
type Draft = {
  values: Record<TextField, string>;
  partSize: string;
  secret: string;
  clearSecret: boolean;
  allowInsecureHttp: boolean;
};

function draftOf(settings: UploadSettingsShown): Draft {
  const upload = settings.settings;
  return {
    values: {
      endpoint: upload.endpoint ?? '',
      bucket: upload.bucket ?? '',
      region: upload.region ?? '',
      prefix: upload.prefix ?? '',
      access_key_id: upload.access_key_id ?? '',
    },
    partSize: upload.part_size_mib === null ? '' : String(upload.part_size_mib),
    secret: '',
    clearSecret: false,
    allowInsecureHttp: upload.allow_insecure_http,
  };
}

/**
 * Where packages are uploaded (the 设置 screen's 上传设置 section). The core checks every value;
 * the secret key is write-only: the shell never sends it back, the form only learns whether one
 * is stored, and an empty secret field leaves the stored one as it is.
 */
export function UploadSettingsForm() {
  const id = useId();
  const form = useSettingsForm(() => call('upload_settings', {}), draftOf);
  const { stored: shown, draft, error, status } = form;
  const edit = (change: Partial<Draft>) => {
    if (draft !== null) form.setDraft({ ...draft, ...change });
  };

  const save = async () => {
    if (draft === null) return;
    const trimmed = draft.partSize.trim();
    const partSizeMib = trimmed === '' ? null : Number(trimmed);
    const change = {
      ...draft.values,
      // Not a whole number: 0, which the core refuses with its message like any bad size.
      part_size_mib: partSizeMib !== null && !(Number.isInteger(partSizeMib) && partSizeMib >= 0) ? 0 : partSizeMib,
      max_retries: null,
      secret_access_key: draft.clearSecret ? '' : draft.secret === '' ? null : draft.secret,
      allow_insecure_http: draft.allowInsecureHttp,
    };
    await form.save(() => call('change_upload_settings', { change }), 'saved', form.show);
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
      {draft !== null && (
        <ActionForm className="form-grid" onSubmit={save}>
          {textFields.map((field) => (
            <FieldRow key={field.key} id={`${id}-${field.key}`} label={field.label}>
              <input
                id={`${id}-${field.key}`}
                className="input"
                type={field.type}
                value={draft.values[field.key]}
                onChange={(event) => edit({ values: { ...draft.values, [field.key]: event.target.value } })}
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
              value={draft.partSize}
              placeholder="8"
              onChange={(event) => edit({ partSize: event.target.value })}
              data-testid="upload-part_size_mib"
            />
          </FieldRow>
          <FieldRow id={`${id}-secret`} label={(m) => m.uploadSettings.secret}>
            <input
              id={`${id}-secret`}
              className="input"
              type="password"
              value={draft.secret}
              disabled={draft.clearSecret}
              placeholder={
                shown?.secret_access_key_set
                  ? bilingualLine((m) => m.uploadSettings.secretSet)
                  : bilingualLine((m) => m.uploadSettings.secretNotSet)
              }
              onChange={(event) => edit({ secret: event.target.value })}
              data-testid="upload-secret"
              autoComplete="new-password"
            />
          </FieldRow>
          {shown?.secret_access_key_set && (
            <label className="check form-grid__wide">
              <input
                type="checkbox"
                checked={draft.clearSecret}
                onChange={(event) => edit({ clearSecret: event.target.checked })}
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
              checked={draft.allowInsecureHttp}
              onChange={(event) => edit({ allowInsecureHttp: event.target.checked })}
              data-testid="upload-allow-insecure-http"
            />
            <Bilingual text={bilingual((m) => m.uploadSettings.allowInsecureHttp)} />
          </label>
          {draft.allowInsecureHttp && (
            <p className="warning form-grid__wide" role="alert" data-testid="upload-insecure-warning">
              <Bilingual text={bilingual((m) => m.uploadSettings.insecureWarning)} />
            </p>
          )}
          <div className="form-grid__wide button-row">
            <button type="submit" className="button button--primary" data-testid="upload-settings-save">
              <Bilingual text={bilingual((m) => m.uploadSettings.save)} />
            </button>
            {status === 'saved' && (
              <span role="status" data-testid="upload-settings-saved">
                <Bilingual text={bilingual((m) => m.uploadSettings.saved)} />
              </span>
            )}
          </div>
        </ActionForm>
      )}
      {error !== null && <ErrorBanner error={error} onRetry={() => void form.reload()} />}
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
