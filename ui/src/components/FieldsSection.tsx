import { useEffect, useId, useState } from 'react';

import { call } from '../api';
import type { CheckedField } from '../bindings/CheckedField';
import type { ErrorReport } from '../errors';
import type { FieldOffer } from '../bindings/FieldOffer';
import type { FieldValidation } from '../bindings/FieldValidation';
import { FIELDS_ANCHOR, fieldAnchor, fieldNeedsWork } from '../itemState';
import { bilingual } from '../locales';
import { en } from '../locales/en';
import { zhCN } from '../locales/zh-CN';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';

/** How long typing must pause before the core is asked about the value. */
const VALIDATE_AFTER_MS = 250;

/**
 * The data the guide asks for beside the files (identity numbers, non-standard request data).
 * Every value is validated by the core as it is typed (`validate_case_field`); nothing here
 * knows what a valid ID number is.
 */
export function FieldsSection({
  caseId,
  fields,
  offers = [],
  onlyPending = false,
  onChanged,
}: {
  caseId: string;
  fields: CheckedField[];
  /** Values read off the documents for the fields not typed yet (the core's `document_offers`). */
  offers?: FieldOffer[];
  /** 只看待处理: only the fields that still need work. */
  onlyPending?: boolean;
  onChanged: () => void;
}) {
  // Attribute fields mirror a case attribute chosen in the wizard: nothing to type here.
  const shown = fields
    .filter((field) => field.applicable && field.kind !== 'attribute')
    .filter((field) => !onlyPending || fieldNeedsWork(field));
  if (shown.length === 0) return null;
  return (
    <section id={FIELDS_ANCHOR} tabIndex={-1} className="panel" aria-labelledby="fields-heading" data-testid="fields">
      <h2 id="fields-heading" className="section-heading">
        <Bilingual text={bilingual((m) => m.caseView.fields)} />
      </h2>
      <div className="fields">
        {shown.map((field) => (
          <FieldRow
            key={field.key}
            caseId={caseId}
            field={field}
            offer={offers.find((offer) => offer.field === field.key)}
            onChanged={onChanged}
          />
        ))}
      </div>
    </section>
  );
}

function FieldRow({
  caseId,
  field,
  offer,
  onChanged,
}: {
  caseId: string;
  field: CheckedField;
  offer: FieldOffer | undefined;
  onChanged: () => void;
}) {
  const id = useId();
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [validation, setValidation] = useState<FieldValidation | null>(null);
  const [error, setError] = useState<ErrorReport | null>(null);
  const [saved, setSaved] = useState(false);
  // A new value is not yet the recorded one.
  const edit = (next: string) => {
    setSaved(false);
    setValue(next);
  };

  useEffect(() => {
    if (value === '') {
      setValidation(null);
      return;
    }
    let current = true;
    const timer = window.setTimeout(() => {
      void call('validate_case_field', { case_id: caseId, field_key: field.key, value }).then((outcome) => {
        if (!current) return;
        if (outcome.ok) setValidation(outcome.value);
        else setError(outcome.error);
      });
    }, VALIDATE_AFTER_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [caseId, field.key, value]);

  const refused = validation?.problems.some((problem) => problem.severity === 'error') ?? false;
  const warned = !refused && (validation?.problems.length ?? 0) > 0;

  const save = async () => {
    const outcome = await call('set_case_field', {
      case_id: caseId,
      field_key: field.key,
      value,
      override_reason: warned ? reason : null,
    });
    if (outcome.ok) {
      setError(null);
      setValue('');
      setReason('');
      setSaved(true);
      onChanged();
    } else {
      setError(outcome.error);
    }
  };

  const clear = async () => {
    const outcome = await call('clear_case_field', { case_id: caseId, field_key: field.key });
    if (outcome.ok) onChanged();
    else setError(outcome.error);
  };

  const problemsId = `${id}-problems`;
  return (
    <div
      id={fieldAnchor(field.key)}
      tabIndex={-1}
      className={`field field--${field.status}`}
      data-testid={`field-${field.key}`}
      data-status={field.status}
    >
      <label htmlFor={`${id}-input`} className="field__label">
        <Bilingual text={{ zh: field.title_zh, en: field.title_en }} stacked />
        {field.required && (
          <span className="field__required" aria-hidden="true">
            {' '}
            *
          </span>
        )}
      </label>
      <div className="field__control">
        {field.display_value !== null && (
          <p className="field__recorded">
            <Bilingual text={bilingual((m) => m.caseView.fieldRecorded)} /> <code>{field.display_value}</code>
          </p>
        )}
        {offer !== undefined && field.display_value === null && (
          // Prefill, never silently: the value read is shown with where it was read and how
          // sure the reading is; it goes into the input only when the manager asks, and is
          // recorded only by 保存, after the core has validated it like any typed value.
          <div className="field__offer" data-testid="field-offer" data-source={offer.source_kind}>
            <p>
              <Bilingual
                text={{
                  zh: zhCN.caseView.offerFrom(offer.source_title_zh, Math.round(offer.confidence * 100)),
                  en: en.caseView.offerFrom(offer.source_title_en, Math.round(offer.confidence * 100)),
                }}
              />{' '}
              <code data-testid="field-offer-value">{offer.value}</code>
            </p>
            {value !== offer.value && (
              <button
                type="button"
                className="button button--quiet"
                onClick={() => edit(offer.value)}
                data-testid="field-offer-use"
              >
                <Bilingual text={bilingual((m) => m.caseView.offerUse)} />
              </button>
            )}
            {value === offer.value && (
              <p className="muted">
                <Bilingual text={bilingual((m) => m.caseView.offerHint)} />
              </p>
            )}
          </div>
        )}
        {field.kind === 'choice' ? (
          <select
            id={`${id}-input`}
            className="input"
            value={value}
            onChange={(event) => edit(event.target.value)}
            aria-required={field.required}
          >
            <option value="">{bilingual((m) => m.caseView.fieldChoose).zh}</option>
            {field.options.map((option) => (
              <option key={option.key} value={option.key}>
                {option.title_zh} {option.title_en}
              </option>
            ))}
          </select>
        ) : (
          <input
            id={`${id}-input`}
            className="input"
            value={value}
            onChange={(event) => edit(event.target.value)}
            aria-invalid={refused}
            aria-describedby={problemsId}
            aria-required={field.required}
            autoComplete="off"
            spellCheck={false}
            data-testid="field-input"
          />
        )}
        <div id={problemsId} aria-live="polite">
          {validation?.problems.map((problem) => (
            <p
              key={problem.code}
              className={`field-problem field-problem--${problem.severity}`}
              data-testid="field-problem"
              data-code={problem.code}
            >
              <Bilingual text={{ zh: problem.message_zh, en: problem.message_en }} />
            </p>
          ))}
          {field.problems.length > 0 &&
            value === '' &&
            field.problems.map((problem) => (
              <p key={problem.code} className={`field-problem field-problem--${problem.severity}`}>
                <Bilingual text={{ zh: problem.message_zh, en: problem.message_en }} />
              </p>
            ))}
          {saved && (
            <p className="field-saved" role="status">
              <Bilingual text={bilingual((m) => m.caseView.fieldSaved)} />
            </p>
          )}
        </div>
        {warned && (
          <>
            <label htmlFor={`${id}-reason`}>
              <Bilingual text={bilingual((m) => m.caseView.fieldOverride)} />
            </label>
            <input
              id={`${id}-reason`}
              className="input"
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
          </>
        )}
        <div className="button-row">
          <button
            type="button"
            className="button"
            onClick={() => void save()}
            disabled={value === '' || refused || validation === null || (warned && reason.trim() === '')}
            data-testid="field-save"
          >
            <Bilingual text={bilingual((m) => m.caseView.fieldSave)} />
          </button>
          {field.display_value !== null && (
            <button type="button" className="button button--quiet" onClick={() => void clear()}>
              <Bilingual text={bilingual((m) => m.caseView.fieldClear)} />
            </button>
          )}
        </div>
        {error !== null && <ErrorBanner error={error} onRetry={() => setError(null)} />}
      </div>
    </div>
  );
}
