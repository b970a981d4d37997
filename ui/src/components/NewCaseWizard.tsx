import { useEffect, useId, useState } from 'react';

import { call } from '../api';
import type { CaseAttributes } from '../bindings/CaseAttributes';
import type { Channel } from '../bindings/Channel';
import type { Datum } from '../bindings/Datum';
import type { Edition } from '../bindings/Edition';
import type { ErrorReport } from '../errors';
import type { MerchantType } from '../bindings/MerchantType';
import type { NewCase } from '../bindings/NewCase';
import type { NonstandardRequest } from '../bindings/NonstandardRequest';
import { bilingual, bilingualLine } from '../locales';
import { useVocabulary } from '../vocabulary';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';

/** The yes/no attributes, by field name: the keys of the core's `flags` vocabulary. */
type Flag = {
  [Key in keyof CaseAttributes]: CaseAttributes[Key] extends boolean ? Key : never;
}[keyof CaseAttributes];

const STEPS = ['merchant', 'business', 'premises'] as const;
type Step = (typeof STEPS)[number];

interface Draft {
  merchantName: string;
  visitDate: string;
  attributes: CaseAttributes;
  siteKnown: boolean;
  lat: string;
  lon: string;
  datum: Datum;
  radius: string;
}

function today(): string {
  const now = new Date();
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}

const EMPTY_ATTRIBUTES: CaseAttributes = {
  merchant_type: 'enterprise',
  channels: ['offline'],
  edition: 'ka',
  opens_payment: true,
  opens_account: false,
  syb: false,
  syb_sft: false,
  payout_or_custody: false,
  regulated_industry: false,
  remote_visit: false,
  chain_or_franchise: false,
  nonstandard: [],
  // Not yet answered: the manager answers it when fund consolidation is requested.
  parent_child_same_entity: null,
};

/**
 * 收银宝, 收付通, 代付/收托抵用 and every non-standard request are payment products or requests
 * about them: the core refuses them without opens_payment (`contradictory_case`), so choosing
 * one ticks 开通支付产品 here.
 */
const PAYMENT_PRODUCT_FLAGS: Flag[] = ['syb', 'syb_sft', 'payout_or_custody'];

function needsPayment(attributes: CaseAttributes): boolean {
  return attributes.nonstandard.length > 0 || PAYMENT_PRODUCT_FLAGS.some((flag) => attributes[flag]);
}

function answerOf(value: boolean | null): 'yes' | 'no' | 'unanswered' {
  return value === null ? 'unanswered' : value ? 'yes' : 'no';
}

function toggled<T>(list: T[], value: T, on: boolean): T[] {
  return on ? [...list.filter((item) => item !== value), value] : list.filter((item) => item !== value);
}

/**
 * Empty (no visit date) or a real calendar date written YYYY-MM-DD: the form the core's
 * `visit_date` takes. Checked here only because a malformed date could not even be sent.
 */
function isVisitDate(text: string): boolean {
  if (text === '') return true;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/**
 * Three steps: the merchant, what it opens, where its premises are. Values are checked by the
 * core when the case is created (`create_case`); its error is shown with the step left open.
 */
export function NewCaseWizard({ onCreated, onCancel }: { onCreated: (caseId: string) => void; onCancel: () => void }) {
  const vocabulary = useVocabulary();
  const id = useId();
  const [step, setStep] = useState<Step>('merchant');
  const [draft, setDraft] = useState<Draft>({
    merchantName: '',
    visitDate: today(),
    attributes: EMPTY_ATTRIBUTES,
    siteKnown: true,
    lat: '',
    lon: '',
    datum: 'gcj02',
    // Empty: the case follows the installation's check threshold site_radius_m (default 200 m).
    radius: '',
  });
  const [error, setError] = useState<ErrorReport | null>(null);
  const [busy, setBusy] = useState(false);
  // Shown in the empty radius field: what a case without its own radius follows.
  const [defaultRadius, setDefaultRadius] = useState<number | null>(null);
  useEffect(() => {
    void call('thresholds', {}).then((outcome) => {
      if (outcome.ok) setDefaultRadius(outcome.value.site_radius_m);
    });
  }, []);
  const [nameMissing, setNameMissing] = useState(false);
  const [dateInvalid, setDateInvalid] = useState(false);
  const stepIndex = STEPS.indexOf(step);

  const [paymentTicked, setPaymentTicked] = useState(false);
  const setAttributes = (change: Partial<CaseAttributes>) => {
    const attributes = { ...draft.attributes, ...change };
    if (needsPayment(attributes) && !attributes.opens_payment) {
      attributes.opens_payment = true;
      setPaymentTicked(true);
    }
    setDraft({ ...draft, attributes });
  };

  const next = () => {
    const nameMissingNow = step === 'merchant' && draft.merchantName.trim() === '';
    const dateInvalidNow = step === 'merchant' && !isVisitDate(draft.visitDate);
    setNameMissing(nameMissingNow);
    setDateInvalid(dateInvalidNow);
    if (nameMissingNow || dateInvalidNow) return;
    const following = STEPS[stepIndex + 1];
    if (following !== undefined) setStep(following);
  };

  const create = async () => {
    setBusy(true);
    const newCase: NewCase = {
      merchant_name: draft.merchantName.trim(),
      attributes: draft.attributes,
      visit_date: draft.visitDate === '' ? null : draft.visitDate,
      site: draft.siteKnown
        ? {
            lat: Number(draft.lat),
            lon: Number(draft.lon),
            datum: draft.datum,
            radius_m: draft.radius.trim() === '' ? null : Number(draft.radius),
          }
        : null,
    };
    const outcome = await call('create_case', { new_case: newCase });
    setBusy(false);
    if (outcome.ok) {
      onCreated(outcome.value.id);
    } else {
      setError(outcome.error);
    }
  };

  return (
    <section className="panel wizard" aria-labelledby={`${id}-heading`} data-testid="wizard">
      <h2 id={`${id}-heading`}>
        <Bilingual text={bilingual((m) => m.wizard.heading)} />
      </h2>
      <ol className="wizard__steps" aria-label={bilingualLine((m) => m.wizard.stepOf(stepIndex + 1, STEPS.length))}>
        {STEPS.map((name, index) => (
          <li key={name} className={index === stepIndex ? 'wizard__step wizard__step--current' : 'wizard__step'}
            aria-current={index === stepIndex ? 'step' : undefined}>
            <Bilingual text={bilingual((m) => m.wizard.steps[name])} />
          </li>
        ))}
      </ol>

      {step === 'merchant' && (
        <div className="form-grid" data-testid="wizard-step-merchant">
          <label htmlFor={`${id}-name`}>
            <Bilingual text={bilingual((m) => m.wizard.merchantName)} />
          </label>
          <div>
            <input
              id={`${id}-name`}
              className="input"
              value={draft.merchantName}
              onChange={(event) => {
                setDraft({ ...draft, merchantName: event.target.value });
                // The complaint goes as soon as it no longer holds, not at the next click.
                if (event.target.value.trim() !== '') setNameMissing(false);
              }}
              aria-invalid={nameMissing}
              aria-describedby={nameMissing ? `${id}-name-error` : undefined}
              data-testid="wizard-merchant-name"
              autoFocus
            />
            {nameMissing && (
              <p className="field-problem" id={`${id}-name-error`} role="alert">
                <Bilingual text={bilingual((m) => m.wizard.nameRequired)} />
              </p>
            )}
          </div>
          <label htmlFor={`${id}-type`}>
            <Bilingual text={bilingual((m) => m.wizard.merchantType)} />
          </label>
          <select
            id={`${id}-type`}
            className="input"
            value={draft.attributes.merchant_type}
            onChange={(event) => setAttributes({ merchant_type: event.target.value as MerchantType })}
            data-testid="wizard-merchant-type"
          >
            {vocabulary.merchant_types.map((term) => (
              <option key={term.key} value={term.key}>
                {term.zh} {term.en}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-date`}>
            <Bilingual text={bilingual((m) => m.wizard.visitDate)} />
          </label>
          <div>
            {/* A text input, not type="date": WebKitGTK shows a date input in the process'
                locale (MM/DD/YYYY under en_US) whatever the page's language; managers read and
                type the date the way Chinese forms write it. */}
            <input
              id={`${id}-date`}
              className="input"
              type="text"
              inputMode="numeric"
              placeholder="YYYY-MM-DD"
              maxLength={10}
              value={draft.visitDate}
              onChange={(event) => setDraft({ ...draft, visitDate: event.target.value.trim() })}
              aria-invalid={dateInvalid}
              aria-describedby={`${id}-date-hint`}
              data-testid="wizard-visit-date"
            />
            <p className={dateInvalid ? 'field-problem' : 'hint'} id={`${id}-date-hint`} role={dateInvalid ? 'alert' : undefined}
              data-testid={dateInvalid ? 'wizard-date-invalid' : undefined}>
              <Bilingual text={bilingual((m) => (dateInvalid ? m.wizard.dateInvalid : m.wizard.dateFormat))} />
            </p>
          </div>
        </div>
      )}

      {step === 'business' && (
        <div className="form-columns" data-testid="wizard-step-business">
          <fieldset className="choice-group">
            <legend>
              <Bilingual text={bilingual((m) => m.wizard.channels)} />
            </legend>
            {vocabulary.channels.map((term) => (
              <label key={term.key} className="check">
                <input
                  type="checkbox"
                  checked={draft.attributes.channels.includes(term.key as Channel)}
                  onChange={(event) =>
                    setAttributes({ channels: toggled(draft.attributes.channels, term.key as Channel, event.target.checked) })
                  }
                  data-testid={`wizard-channel-${term.key}`}
                />
                <Bilingual text={term} />
              </label>
            ))}
          </fieldset>
          <fieldset className="choice-group">
            <legend>
              <Bilingual text={bilingual((m) => m.wizard.edition)} />
            </legend>
            {vocabulary.editions.map((term) => (
              <label key={term.key} className="check">
                <input
                  type="radio"
                  name={`${id}-edition`}
                  checked={draft.attributes.edition === term.key}
                  onChange={() => setAttributes({ edition: term.key as Edition })}
                  data-testid={`wizard-edition-${term.key}`}
                />
                <Bilingual text={term} />
              </label>
            ))}
          </fieldset>
          <fieldset className="choice-group">
            <legend>
              <Bilingual text={bilingual((m) => m.wizard.flags)} />
            </legend>
            {vocabulary.flags.map((term) => (
              <label key={term.key} className="check">
                <input
                  type="checkbox"
                  checked={draft.attributes[term.key as Flag]}
                  onChange={(event) => setAttributes({ [term.key as Flag]: event.target.checked })}
                  data-testid={`wizard-flag-${term.key}`}
                />
                <Bilingual text={term} />
              </label>
            ))}
            {paymentTicked && (
              <p className="hint" role="status" data-testid="wizard-payment-ticked">
                <Bilingual text={bilingual((m) => m.wizard.paymentTicked)} />
              </p>
            )}
          </fieldset>
          <fieldset className="choice-group">
            <legend>
              <Bilingual text={bilingual((m) => m.wizard.nonstandard)} />
            </legend>
            {vocabulary.nonstandard_requests.map((term) => (
              <label key={term.key} className="check">
                <input
                  type="checkbox"
                  checked={draft.attributes.nonstandard.includes(term.key as NonstandardRequest)}
                  onChange={(event) =>
                    setAttributes({
                      nonstandard: toggled(
                        draft.attributes.nonstandard,
                        term.key as NonstandardRequest,
                        event.target.checked,
                      ),
                    })
                  }
                  data-testid={`wizard-nonstandard-${term.key}`}
                />
                <Bilingual text={term} />
              </label>
            ))}
          </fieldset>
          {draft.attributes.nonstandard.includes('fund_consolidation') && (
            <fieldset className="choice-group" data-testid="wizard-parent-child">
              <legend>
                <Bilingual text={vocabulary.parent_child_same_entity} />
              </legend>
              {vocabulary.answers.map((term) => (
                <label key={term.key} className="check">
                  <input
                    type="radio"
                    name={`${id}-parent-child`}
                    checked={answerOf(draft.attributes.parent_child_same_entity) === term.key}
                    onChange={() =>
                      setAttributes({
                        parent_child_same_entity: term.key === 'unanswered' ? null : term.key === 'yes',
                      })
                    }
                    data-testid={`wizard-parent-child-${term.key}`}
                  />
                  <Bilingual text={term} />
                </label>
              ))}
              <p className="hint">
                <Bilingual text={bilingual((m) => m.wizard.answerLater)} />
              </p>
            </fieldset>
          )}
        </div>
      )}

      {step === 'premises' && (
        <div data-testid="wizard-step-premises">
          <label className="check">
            <input
              type="checkbox"
              checked={draft.siteKnown}
              onChange={(event) => setDraft({ ...draft, siteKnown: event.target.checked })}
              data-testid="wizard-site-known"
            />
            <Bilingual text={bilingual((m) => m.wizard.siteKnown)} />
          </label>
          {draft.siteKnown && (
            <div className="form-grid">
              <p className="hint form-grid__wide">
                <Bilingual text={bilingual((m) => m.wizard.siteHint)} />
              </p>
              <label htmlFor={`${id}-lat`}>
                <Bilingual text={bilingual((m) => m.wizard.lat)} />
              </label>
              <input id={`${id}-lat`} className="input" inputMode="decimal" value={draft.lat}
                onChange={(event) => setDraft({ ...draft, lat: event.target.value })} data-testid="wizard-lat" />
              <label htmlFor={`${id}-lon`}>
                <Bilingual text={bilingual((m) => m.wizard.lon)} />
              </label>
              <input id={`${id}-lon`} className="input" inputMode="decimal" value={draft.lon}
                onChange={(event) => setDraft({ ...draft, lon: event.target.value })} data-testid="wizard-lon" />
              <label htmlFor={`${id}-datum`}>
                <Bilingual text={bilingual((m) => m.wizard.datum)} />
              </label>
              <select id={`${id}-datum`} className="input" value={draft.datum}
                onChange={(event) => setDraft({ ...draft, datum: event.target.value as Datum })} data-testid="wizard-datum">
                {vocabulary.datums.map((term) => (
                  <option key={term.key} value={term.key}>
                    {term.zh} {term.en}
                  </option>
                ))}
              </select>
              <label htmlFor={`${id}-radius`}>
                <Bilingual text={bilingual((m) => m.wizard.radius)} />
              </label>
              <input id={`${id}-radius`} className="input" inputMode="numeric" value={draft.radius}
                placeholder={defaultRadius === null ? '' : String(defaultRadius)}
                onChange={(event) => setDraft({ ...draft, radius: event.target.value })} data-testid="wizard-radius" />
            </div>
          )}
        </div>
      )}

      {error !== null && <ErrorBanner error={error} onRetry={() => setError(null)} />}

      <div className="button-row">
        <button type="button" className="button button--quiet" onClick={onCancel}>
          <Bilingual text={bilingual((m) => m.wizard.cancel)} />
        </button>
        {stepIndex > 0 && (
          <button type="button" className="button" onClick={() => setStep(STEPS[stepIndex - 1] ?? 'merchant')}
            data-testid="wizard-previous">
            <Bilingual text={bilingual((m) => m.wizard.previous)} />
          </button>
        )}
        {step !== 'premises' ? (
          <button type="button" className="button button--primary" onClick={next} data-testid="wizard-next">
            <Bilingual text={bilingual((m) => m.wizard.next)} />
          </button>
        ) : (
          <button type="button" className="button button--primary" onClick={() => void create()} disabled={busy}
            data-testid="wizard-create">
            <Bilingual text={bilingual((m) => m.wizard.create)} />
          </button>
        )}
      </div>
    </section>
  );
}
