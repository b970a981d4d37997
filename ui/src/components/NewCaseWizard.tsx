import { useEffect, useId, useState } from 'react';

import { call } from '../api';
import type { ErrorReport } from '../errors';
import { bilingual, bilingualLine } from '../locales';
import { Bilingual } from './Bilingual';
import { BusinessFields, type CaseDraft, isVisitDate, MerchantFields, newCaseOf, newDraft, PremisesFields } from './CaseAttributesFields';
import { ErrorBanner } from './ErrorBanner';

const STEPS = ['merchant', 'business', 'premises'] as const;
type Step = (typeof STEPS)[number];

/**
 * Three steps: the merchant, what it opens, where its premises are. Values are checked by the
 * core when the case is created (`create_case`); its error is shown with the step left open.
 */
export function NewCaseWizard({ onCreated, onCancel }: { onCreated: (caseId: string) => void; onCancel: () => void }) {
  const id = useId();
  const [step, setStep] = useState<Step>('merchant');
  const [draft, setDraft] = useState<CaseDraft>(newDraft);
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
    const newCase = newCaseOf(draft);
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
        <MerchantFields
          draft={draft}
          onChange={(changed) => {
            setDraft(changed);
            // The complaint goes as soon as it no longer holds, not at the next click.
            if (changed.merchantName.trim() !== '') setNameMissing(false);
          }}
          testIdPrefix="wizard"
          nameMissing={nameMissing}
          dateInvalid={dateInvalid}
          autoFocus
        />
      )}
      {step === 'business' && <BusinessFields draft={draft} onChange={setDraft} testIdPrefix="wizard" />}
      {step === 'premises' && (
        <PremisesFields draft={draft} onChange={setDraft} testIdPrefix="wizard" defaultRadius={defaultRadius} />
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
