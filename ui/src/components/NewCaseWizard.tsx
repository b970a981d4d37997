import { useEffect, useId, useState } from 'react';

import { call } from '../api';
import type { ErrorReport } from '../errors';
import { bilingual, bilingualLine } from '../locales';
import { ActionForm } from './ActionForm';
import { Bilingual } from './Bilingual';
import {
  BusinessFields,
  type CaseDraft,
  isVisitDate,
  MerchantFields,
  newCaseOf,
  newDraft,
  PremisesFields,
} from './CaseAttributesFields';
import { ErrorBanner } from './ErrorBanner';
import type { PositionDoubt } from '../bindings/PositionDoubt';

const STEPS = ['merchant', 'business', 'premises'] as const;
type Step = (typeof STEPS)[number];

/** What the manager has typed so far: kept by the app, so it survives an auto-lock. */
export interface WizardProgress {
  step: Step;
  draft: CaseDraft;
}

/**
 * Three steps: the merchant, what it opens, where its premises are. Values are checked by the
 * core when the case is created (`create_case`); its error is shown with the step left open.
 */
export function NewCaseWizard({
  onCreated,
  onCancel,
  saved = null,
  onProgress,
}: {
  onCreated: (caseId: string) => void;
  onCancel: () => void;
  /** Typed before (the window was locked meanwhile): taken up where it was left. */
  saved?: WizardProgress | null;
  onProgress?: (progress: WizardProgress) => void;
}) {
  const id = useId();
  const [step, setStep] = useState<Step>(saved?.step ?? 'merchant');
  const [draft, setDraft] = useState<CaseDraft>(saved?.draft ?? newDraft);
  // 取消 with typed input asks first; a questioned position asks before the case is made.
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const [doubt, setDoubt] = useState<PositionDoubt | null>(null);
  useEffect(() => onProgress?.({ step, draft }), [step, draft, onProgress]);
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

  const create = async (positionConfirmed = false) => {
    if (draft.siteKnown && !positionConfirmed) {
      const lat = Number(draft.lat);
      const lon = Number(draft.lon);
      if (draft.lat.trim() !== '' && draft.lon.trim() !== '' && Number.isFinite(lat) && Number.isFinite(lon)) {
        const questioned = await call('question_position', { lat, lon });
        if (questioned.ok && questioned.value !== null) {
          setDoubt(questioned.value);
          return;
        }
      }
    }
    setDoubt(null);
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

  const typedSomething = JSON.stringify(draft) !== JSON.stringify(newDraft());
  const cancel = () => {
    if (typedSomething) setConfirmingCancel(true);
    else onCancel();
  };

  // Enter in a field goes on (下一步), or on the last step creates the case.
  const submit = () => {
    if (step !== 'premises') next();
    else if (!busy) void create();
  };

  const swap = () => {
    setDraft({ ...draft, lat: draft.lon, lon: draft.lat });
    setDoubt(null);
  };

  return (
    <ActionForm
      className="panel wizard"
      aria-labelledby={`${id}-heading`}
      data-testid="wizard"
      onSubmit={submit}
      noValidate
    >
      <h2 id={`${id}-heading`}>
        <Bilingual text={bilingual((m) => m.wizard.heading)} />
      </h2>
      <ol className="wizard__steps" aria-label={bilingualLine((m) => m.wizard.stepOf(stepIndex + 1, STEPS.length))}>
        {STEPS.map((name, index) => (
          <li
            key={name}
            className={index === stepIndex ? 'wizard__step wizard__step--current' : 'wizard__step'}
            aria-current={index === stepIndex ? 'step' : undefined}
          >
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

      {doubt !== null && step === 'premises' && (
        <div className="field-problem wizard__doubt" role="alert" data-testid="position-doubt" data-doubt={doubt}>
          <p>
            <Bilingual text={bilingual((m) => m.wizard.positionDoubt[doubt])} />
          </p>
          <div className="button-row">
            {doubt === 'swapped' && (
              <button type="button" className="button" onClick={swap} data-testid="position-swap">
                <Bilingual text={bilingual((m) => m.wizard.swapPosition)} />
              </button>
            )}
            <button type="button" className="button" onClick={() => void create(true)} data-testid="position-keep">
              <Bilingual text={bilingual((m) => m.wizard.keepPosition)} />
            </button>
          </div>
        </div>
      )}

      {error !== null && <ErrorBanner error={error} onRetry={() => setError(null)} />}

      {confirmingCancel && (
        <div
          className="wizard__confirm"
          role="alertdialog"
          aria-labelledby={`${id}-discard`}
          data-testid="wizard-discard"
        >
          <p id={`${id}-discard`}>
            <Bilingual text={bilingual((m) => m.wizard.discardQuestion)} />
          </p>
          <div className="button-row">
            <button type="button" className="button button--danger" onClick={onCancel} data-testid="wizard-discard-yes">
              <Bilingual text={bilingual((m) => m.wizard.discard)} />
            </button>
            <button
              type="button"
              className="button button--primary"
              onClick={() => setConfirmingCancel(false)}
              data-testid="wizard-discard-no"
              autoFocus
            >
              <Bilingual text={bilingual((m) => m.wizard.keepTyping)} />
            </button>
          </div>
        </div>
      )}

      <div className="button-row">
        <button type="button" className="button button--quiet" onClick={cancel} data-testid="wizard-cancel">
          <Bilingual text={bilingual((m) => m.wizard.cancel)} />
        </button>
        {stepIndex > 0 && (
          <button
            type="button"
            className="button"
            onClick={() => setStep(STEPS[stepIndex - 1] ?? 'merchant')}
            data-testid="wizard-previous"
          >
            <Bilingual text={bilingual((m) => m.wizard.previous)} />
          </button>
        )}
        {step !== 'premises' ? (
          <button type="submit" className="button button--primary" data-testid="wizard-next">
            <Bilingual text={bilingual((m) => m.wizard.next)} />
          </button>
        ) : (
          <button type="submit" className="button button--primary" disabled={busy} data-testid="wizard-create">
            <Bilingual text={bilingual((m) => m.wizard.create)} />
          </button>
        )}
      </div>
    </ActionForm>
  );
}
