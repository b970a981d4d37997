import { useId, useState } from 'react';

import { call } from '../api';
import type { Case } from '../bindings/Case';
import type { CaseAttributes } from '../bindings/CaseAttributes';
import type { Channel } from '../bindings/Channel';
import type { Datum } from '../bindings/Datum';
import type { Edition } from '../bindings/Edition';
import type { ErrorReport } from '../errors';
import type { MerchantType } from '../bindings/MerchantType';
import type { NewCase } from '../bindings/NewCase';
import type { NonstandardRequest } from '../bindings/NonstandardRequest';
import { bilingual } from '../locales';
import { useVocabulary } from '../vocabulary';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';
import { Modal } from './ReasonDialog';

type Flag = {
  [Key in keyof CaseAttributes]: CaseAttributes[Key] extends boolean ? Key : never;
}[keyof CaseAttributes];

function toggled<T>(list: T[], value: T, on: boolean): T[] {
  return on ? [...list.filter((item) => item !== value), value] : list.filter((item) => item !== value);
}

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

function draftOf(caseRecord: Case): Draft {
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

/**
 * 编辑案件信息: every attribute of the new-case wizard on one form (the wizard's labels), sent
 * whole to `update_case`; the core validates it, keeps every file and derives the checklist and
 * the findings again, which the case view then shows.
 */
export function EditCaseButton({ caseRecord, onSaved }: { caseRecord: Case; onSaved: () => Promise<void> }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button" onClick={() => setOpen(true)} data-testid="edit-case">
        <Bilingual text={bilingual((m) => m.correction.editCase)} />
      </button>
      {open && (
        <EditCaseDialog
          caseRecord={caseRecord}
          onClose={() => setOpen(false)}
          onSaved={async () => {
            setOpen(false);
            await onSaved();
          }}
        />
      )}
    </>
  );
}

function EditCaseDialog({
  caseRecord,
  onClose,
  onSaved,
}: {
  caseRecord: Case;
  onClose: () => void;
  onSaved: () => Promise<void>;
}) {
  const vocabulary = useVocabulary();
  const id = useId();
  const [draft, setDraft] = useState<Draft>(() => draftOf(caseRecord));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorReport | null>(null);
  const setAttributes = (change: Partial<CaseAttributes>) =>
    setDraft((current) => ({ ...current, attributes: { ...current.attributes, ...change } }));

  const save = async () => {
    setBusy(true);
    const change: NewCase = {
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
    const outcome = await call('update_case', { case_id: caseRecord.id, change });
    setBusy(false);
    if (!outcome.ok) {
      setError(outcome.error);
      return;
    }
    await onSaved();
  };

  return (
    <Modal heading={bilingual((m) => m.correction.editHeading)} onClose={onClose} testId="edit-case-dialog">
      <div className="form-grid">
        <label htmlFor={`${id}-name`}>
          <Bilingual text={bilingual((m) => m.wizard.merchantName)} />
        </label>
        <input id={`${id}-name`} className="input" value={draft.merchantName}
          onChange={(event) => setDraft({ ...draft, merchantName: event.target.value })} data-testid="edit-merchant-name" />
        <label htmlFor={`${id}-type`}>
          <Bilingual text={bilingual((m) => m.wizard.merchantType)} />
        </label>
        <select id={`${id}-type`} className="input" value={draft.attributes.merchant_type}
          onChange={(event) => setAttributes({ merchant_type: event.target.value as MerchantType })}
          data-testid="edit-merchant-type">
          {vocabulary.merchant_types.map((term) => (
            <option key={term.key} value={term.key}>
              {term.zh} {term.en}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-date`}>
          <Bilingual text={bilingual((m) => m.wizard.visitDate)} />
        </label>
        <input id={`${id}-date`} className="input" type="text" inputMode="numeric" placeholder="YYYY-MM-DD" maxLength={10}
          value={draft.visitDate} onChange={(event) => setDraft({ ...draft, visitDate: event.target.value })}
          data-testid="edit-visit-date" />
        <label htmlFor={`${id}-edition`}>
          <Bilingual text={bilingual((m) => m.wizard.edition)} />
        </label>
        <select id={`${id}-edition`} className="input" value={draft.attributes.edition}
          onChange={(event) => setAttributes({ edition: event.target.value as Edition })} data-testid="edit-edition">
          {vocabulary.editions.map((term) => (
            <option key={term.key} value={term.key}>
              {term.zh} {term.en}
            </option>
          ))}
        </select>
      </div>
      <div className="form-columns">
        <fieldset className="choice-group">
          <legend>
            <Bilingual text={bilingual((m) => m.wizard.channels)} />
          </legend>
          {vocabulary.channels.map((term) => (
            <label key={term.key} className="check">
              <input type="checkbox" checked={draft.attributes.channels.includes(term.key as Channel)}
                onChange={(event) =>
                  setAttributes({ channels: toggled(draft.attributes.channels, term.key as Channel, event.target.checked) })
                }
                data-testid={`edit-channel-${term.key}`} />
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
              <input type="checkbox" checked={draft.attributes[term.key as Flag]}
                onChange={(event) => setAttributes({ [term.key as Flag]: event.target.checked })}
                data-testid={`edit-flag-${term.key}`} />
              <Bilingual text={term} />
            </label>
          ))}
        </fieldset>
        <fieldset className="choice-group">
          <legend>
            <Bilingual text={bilingual((m) => m.wizard.nonstandard)} />
          </legend>
          {vocabulary.nonstandard_requests.map((term) => (
            <label key={term.key} className="check">
              <input type="checkbox" checked={draft.attributes.nonstandard.includes(term.key as NonstandardRequest)}
                onChange={(event) =>
                  setAttributes({
                    nonstandard: toggled(draft.attributes.nonstandard, term.key as NonstandardRequest, event.target.checked),
                  })
                }
                data-testid={`edit-nonstandard-${term.key}`} />
              <Bilingual text={term} />
            </label>
          ))}
        </fieldset>
      </div>
      <label className="check">
        <input type="checkbox" checked={draft.siteKnown} onChange={(event) => setDraft({ ...draft, siteKnown: event.target.checked })}
          data-testid="edit-site-known" />
        <Bilingual text={bilingual((m) => m.wizard.siteKnown)} />
      </label>
      {draft.siteKnown && (
        <div className="form-grid">
          <label htmlFor={`${id}-lat`}>
            <Bilingual text={bilingual((m) => m.wizard.lat)} />
          </label>
          <input id={`${id}-lat`} className="input" inputMode="decimal" value={draft.lat}
            onChange={(event) => setDraft({ ...draft, lat: event.target.value })} data-testid="edit-lat" />
          <label htmlFor={`${id}-lon`}>
            <Bilingual text={bilingual((m) => m.wizard.lon)} />
          </label>
          <input id={`${id}-lon`} className="input" inputMode="decimal" value={draft.lon}
            onChange={(event) => setDraft({ ...draft, lon: event.target.value })} data-testid="edit-lon" />
          <label htmlFor={`${id}-datum`}>
            <Bilingual text={bilingual((m) => m.wizard.datum)} />
          </label>
          <select id={`${id}-datum`} className="input" value={draft.datum}
            onChange={(event) => setDraft({ ...draft, datum: event.target.value as Datum })} data-testid="edit-datum">
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
            onChange={(event) => setDraft({ ...draft, radius: event.target.value })} data-testid="edit-radius" />
        </div>
      )}
      {error !== null && <ErrorBanner error={error} onRetry={() => setError(null)} />}
      <div className="button-row">
        <button type="button" className="button button--quiet" onClick={onClose}>
          <Bilingual text={bilingual((m) => m.correction.cancel)} />
        </button>
        <button type="button" className="button button--primary" onClick={() => void save()} disabled={busy}
          data-testid="edit-save">
          <Bilingual text={bilingual((m) => m.correction.editSave)} />
        </button>
      </div>
    </Modal>
  );
}
