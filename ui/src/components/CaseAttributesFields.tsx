import { type ClipboardEvent, useId, useState } from 'react';

import { call } from '../api';
import type { Case } from '../bindings/Case';
import type { CaseAttributes } from '../bindings/CaseAttributes';
import type { Channel } from '../bindings/Channel';
import type { Datum } from '../bindings/Datum';
import type { Edition } from '../bindings/Edition';
import type { MerchantType } from '../bindings/MerchantType';
import type { NewCase } from '../bindings/NewCase';
import type { NonstandardRequest } from '../bindings/NonstandardRequest';
import { bilingual } from '../locales';
import { useVocabulary } from '../vocabulary';
import { Bilingual } from './Bilingual';

/**
 * The attributes of a case as the manager types them: one set of fields shared by the new-case
 * wizard (one group per step) and 编辑案件信息 (every group on one form), so that the two can
 * never ask different things. `testIdPrefix` keeps each form's test ids (`wizard-…`, `edit-…`).
 */
export interface CaseDraft {
  merchantName: string;
  visitDate: string;
  attributes: CaseAttributes;
  siteKnown: boolean;
  lat: string;
  lon: string;
  datum: Datum;
  radius: string;
}

/** The yes/no attributes, by field name: the keys of the core's `flags` vocabulary. */
type Flag = {
  [Key in keyof CaseAttributes]: CaseAttributes[Key] extends boolean ? Key : never;
}[keyof CaseAttributes];

export const EMPTY_ATTRIBUTES: CaseAttributes = {
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

function today(): string {
  const now = new Date();
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}

/** A new case: visited today, premises to be given. */
export function newDraft(): CaseDraft {
  return {
    merchantName: '',
    visitDate: today(),
    attributes: EMPTY_ATTRIBUTES,
    siteKnown: true,
    lat: '',
    lon: '',
    datum: 'gcj02',
    // Empty: the case follows the installation's check threshold site_radius_m (default 200 m).
    radius: '',
  };
}

/** A case as stored, to be edited. */
export function draftOf(caseRecord: Case): CaseDraft {
  return {
    merchantName: caseRecord.merchant_name,
    visitDate: caseRecord.visit_date ?? '',
    attributes: caseRecord.attributes,
    siteKnown: caseRecord.site !== null,
    lat: caseRecord.site === null ? '' : String(caseRecord.site.lat),
    lon: caseRecord.site === null ? '' : String(caseRecord.site.lon),
    datum: caseRecord.site?.datum ?? 'gcj02',
    radius: caseRecord.site?.radius_m == null ? '' : String(caseRecord.site.radius_m),
  };
}

/** What `create_case` and `update_case` take; the core checks the values. */
export function newCaseOf(draft: CaseDraft): NewCase {
  return {
    merchant_name: draft.merchantName.trim(),
    attributes: draft.attributes,
    visit_date: draft.visitDate.trim() === '' ? null : draft.visitDate.trim(),
    site: draft.siteKnown
      ? {
          lat: Number(draft.lat),
          lon: Number(draft.lon),
          datum: draft.datum,
          radius_m: draft.radius.trim() === '' ? null : Number(draft.radius),
        }
      : null,
  };
}

/**
 * Empty (no visit date) or a real calendar date written YYYY-MM-DD: the form the core's
 * `visit_date` takes. Checked here only because a malformed date could not even be sent.
 */
export function isVisitDate(text: string): boolean {
  if (text === '') return true;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

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

interface GroupProps {
  draft: CaseDraft;
  onChange: (draft: CaseDraft) => void;
  testIdPrefix: 'wizard' | 'edit';
}

/** The merchant: its name, type and the visit date. */
export function MerchantFields({
  draft,
  onChange,
  testIdPrefix,
  nameMissing = false,
  dateInvalid = false,
  autoFocus = false,
}: GroupProps & { nameMissing?: boolean; dateInvalid?: boolean; autoFocus?: boolean }) {
  const vocabulary = useVocabulary();
  const id = useId();
  return (
    <div className="form-grid" data-testid={`${testIdPrefix}-step-merchant`}>
      <label htmlFor={`${id}-name`}>
        <Bilingual text={bilingual((m) => m.wizard.merchantName)} />
      </label>
      <div>
        <input
          id={`${id}-name`}
          className="input"
          value={draft.merchantName}
          onChange={(event) => onChange({ ...draft, merchantName: event.target.value })}
          aria-invalid={nameMissing}
          aria-describedby={nameMissing ? `${id}-name-error` : undefined}
          data-testid={`${testIdPrefix}-merchant-name`}
          autoFocus={autoFocus}
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
        onChange={(event) =>
          onChange({ ...draft, attributes: { ...draft.attributes, merchant_type: event.target.value as MerchantType } })
        }
        data-testid={`${testIdPrefix}-merchant-type`}
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
          onChange={(event) => onChange({ ...draft, visitDate: event.target.value.trim() })}
          aria-invalid={dateInvalid}
          aria-describedby={`${id}-date-hint`}
          data-testid={`${testIdPrefix}-visit-date`}
        />
        <p
          className={dateInvalid ? 'field-problem' : 'hint'}
          id={`${id}-date-hint`}
          role={dateInvalid ? 'alert' : undefined}
          data-testid={dateInvalid ? `${testIdPrefix}-date-invalid` : undefined}
        >
          <Bilingual text={bilingual((m) => (dateInvalid ? m.wizard.dateInvalid : m.wizard.dateFormat))} />
        </p>
      </div>
    </div>
  );
}

/** What the merchant opens: channels, edition, products and flags, non-standard requests. */
export function BusinessFields({ draft, onChange, testIdPrefix }: GroupProps) {
  const vocabulary = useVocabulary();
  const id = useId();
  const [paymentTicked, setPaymentTicked] = useState(false);
  const setAttributes = (change: Partial<CaseAttributes>) => {
    const attributes = { ...draft.attributes, ...change };
    if (needsPayment(attributes) && !attributes.opens_payment) {
      attributes.opens_payment = true;
      setPaymentTicked(true);
    }
    onChange({ ...draft, attributes });
  };
  return (
    <div className="form-columns" data-testid={`${testIdPrefix}-step-business`}>
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
                setAttributes({
                  channels: toggled(draft.attributes.channels, term.key as Channel, event.target.checked),
                })
              }
              data-testid={`${testIdPrefix}-channel-${term.key}`}
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
              data-testid={`${testIdPrefix}-edition-${term.key}`}
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
              data-testid={`${testIdPrefix}-flag-${term.key}`}
            />
            <Bilingual text={term} />
          </label>
        ))}
        {paymentTicked && (
          <p className="hint" role="status" data-testid={`${testIdPrefix}-payment-ticked`}>
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
              data-testid={`${testIdPrefix}-nonstandard-${term.key}`}
            />
            <Bilingual text={term} />
          </label>
        ))}
      </fieldset>
      {draft.attributes.nonstandard.includes('fund_consolidation') && (
        <fieldset className="choice-group" data-testid={`${testIdPrefix}-parent-child`}>
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
                  setAttributes({ parent_child_same_entity: term.key === 'unanswered' ? null : term.key === 'yes' })
                }
                data-testid={`${testIdPrefix}-parent-child-${term.key}`}
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
  );
}

/** Where the premises are: position, its datum, and the radius photos must fall within. */
export function PremisesFields({
  draft,
  onChange,
  testIdPrefix,
  defaultRadius = null,
}: GroupProps & { defaultRadius?: number | null }) {
  const vocabulary = useVocabulary();
  const id = useId();
  // A position copied from a map app as one text (`31.2304,121.4737`) pasted into either
  // field: the core splits it into the two fields, in the order given. Anything else pastes
  // as usual.
  const onPaste = (event: ClipboardEvent<HTMLInputElement>) => {
    const field = event.currentTarget.name === 'lon' ? 'lon' : 'lat';
    const text = event.clipboardData.getData('text/plain').trim();
    if (!/[,，;；\s]/.test(text)) return;
    event.preventDefault();
    void call('split_pasted_position', { text }).then((outcome) => {
      if (outcome.ok && outcome.value !== null) {
        onChange({ ...draft, lat: String(outcome.value.lat), lon: String(outcome.value.lon) });
      } else {
        onChange({ ...draft, [field]: text });
      }
    });
  };
  return (
    <div data-testid={`${testIdPrefix}-step-premises`}>
      <label className="check">
        <input
          type="checkbox"
          checked={draft.siteKnown}
          onChange={(event) => onChange({ ...draft, siteKnown: event.target.checked })}
          data-testid={`${testIdPrefix}-site-known`}
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
          <input
            id={`${id}-lat`}
            className="input"
            inputMode="decimal"
            name="lat"
            value={draft.lat}
            onPaste={onPaste}
            onChange={(event) => onChange({ ...draft, lat: event.target.value })}
            data-testid={`${testIdPrefix}-lat`}
          />
          <label htmlFor={`${id}-lon`}>
            <Bilingual text={bilingual((m) => m.wizard.lon)} />
          </label>
          <input
            id={`${id}-lon`}
            className="input"
            inputMode="decimal"
            name="lon"
            value={draft.lon}
            onPaste={onPaste}
            onChange={(event) => onChange({ ...draft, lon: event.target.value })}
            data-testid={`${testIdPrefix}-lon`}
          />
          <label htmlFor={`${id}-datum`}>
            <Bilingual text={bilingual((m) => m.wizard.datum)} />
          </label>
          <select
            id={`${id}-datum`}
            className="input"
            value={draft.datum}
            onChange={(event) => onChange({ ...draft, datum: event.target.value as Datum })}
            data-testid={`${testIdPrefix}-datum`}
          >
            {vocabulary.datums.map((term) => (
              <option key={term.key} value={term.key}>
                {term.zh} {term.en}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-radius`}>
            <Bilingual text={bilingual((m) => m.wizard.radius)} />
          </label>
          <input
            id={`${id}-radius`}
            className="input"
            inputMode="numeric"
            value={draft.radius}
            placeholder={defaultRadius === null ? '' : String(defaultRadius)}
            onChange={(event) => onChange({ ...draft, radius: event.target.value })}
            data-testid={`${testIdPrefix}-radius`}
          />
        </div>
      )}
    </div>
  );
}
