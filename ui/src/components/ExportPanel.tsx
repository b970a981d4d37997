import { useEffect, useId, useState } from 'react';

import { call, onEvent } from '../api';
import type { ErrorReport } from '../bindings/ErrorReport';
import type { ExportProgress } from '../bindings/ExportProgress';
import type { ExportSummary } from '../bindings/ExportSummary';
import { bilingual, bilingualLine, type Messages } from '../locales';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';

type ExportState =
  | { kind: 'idle' }
  | { kind: 'running'; progress: ExportProgress | null }
  | { kind: 'done'; summary: ExportSummary }
  | { kind: 'failed'; error: ErrorReport };

/**
 * Packs the case (`export_case`, off the UI thread in the shell). The shell's `export-progress`
 * events move the bar: files written into the package out of all of them, and the step (checking,
 * signing, writing, saving). The package's path is shown when it is written.
 */
export function ExportPanel({ caseId, blocking }: { caseId: string; blocking: boolean }) {
  const id = useId();
  const [allowIncomplete, setAllowIncomplete] = useState(false);
  // An incomplete export says why (the core refuses it without): asked for with the box.
  const [incompleteReason, setIncompleteReason] = useState('');
  const reasonMissing = blocking && allowIncomplete && incompleteReason.trim() === '';
  // Starts from the setting `watermark_id_copies`; the box decides for this export. Null until
  // the setting has arrived: the box is disabled meanwhile (a click before would be undone by
  // the setting), and an export started then follows the setting (`watermark: null`).
  const [watermark, setWatermark] = useState<boolean | null>(null);
  const [state, setState] = useState<ExportState>({ kind: 'idle' });

  useEffect(() => {
    void call('get_settings', {}).then((outcome) => {
      if (outcome.ok) setWatermark((chosen) => chosen ?? outcome.value.watermark_id_copies);
    });
  }, []);

  useEffect(() => {
    const stop = onEvent('export-progress', (progress) => {
      if (progress.case_id !== caseId) return;
      // An event that arrives after the command answered must not bring the bar back.
      setState((current) => (current.kind === 'running' ? { kind: 'running', progress } : current));
    });
    return () => void stop.then((unlisten) => unlisten());
  }, [caseId]);

  const run = async () => {
    setState({ kind: 'running', progress: null });
    const outcome = await call('export_case', {
      case_id: caseId,
      options: {
        // Only while something blocks: a box ticked before the last correction made the case
        // complete does not mark the package.
        allow_incomplete: blocking && allowIncomplete,
        ...(blocking && allowIncomplete ? { incomplete_reason: incompleteReason.trim() } : {}),
        ...(watermark === null ? {} : { watermark }),
      },
    });
    setState(outcome.ok ? { kind: 'done', summary: outcome.value } : { kind: 'failed', error: outcome.error });
  };

  return (
    <section className="panel export" aria-labelledby={`${id}-heading`} data-testid="export-panel">
      <h2 id={`${id}-heading`} className="visually-hidden">
        {bilingualLine((m) => m.caseView.export)}
      </h2>
      <div className="button-row">
        {blocking && (
          <label className="check">
            <input
              type="checkbox"
              checked={allowIncomplete}
              onChange={(event) => setAllowIncomplete(event.target.checked)}
              data-testid="allow-incomplete"
            />
            <Bilingual text={bilingual((m) => m.caseView.allowIncomplete)} />
          </label>
        )}
        {blocking && allowIncomplete && (
          <label className="export__reason">
            <Bilingual text={bilingual((m) => m.correction.incompleteReason)} />
            <input className="input" value={incompleteReason} maxLength={500}
              onChange={(event) => setIncompleteReason(event.target.value)} aria-invalid={reasonMissing}
              data-testid="incomplete-reason" />
          </label>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={watermark ?? false}
            disabled={watermark === null}
            onChange={(event) => setWatermark(event.target.checked)}
            data-testid="watermark-id-copies"
          />
          <Bilingual text={bilingual((m) => m.caseView.watermarkIdCopies)} />
        </label>
        <button
          type="button"
          className="button button--primary"
          onClick={() => void run()}
          disabled={state.kind === 'running' || reasonMissing}
          data-testid="export"
        >
          <Bilingual text={bilingual((m) => m.caseView.export)} />
        </button>
      </div>
      {state.kind === 'running' && <ExportStatus progress={state.progress} />}
      {state.kind === 'done' && (
        <div className="export__result" role="status" data-testid="export-result">
          <Bilingual text={bilingual((m) => m.caseView.exported)} />{' '}
          <code data-testid="export-path">{state.summary.path}</code>
          {state.summary.watermarked_files > 0 && (
            <p data-testid="export-watermarked" data-files={state.summary.watermarked_files}>
              <Bilingual text={bilingual((m) => m.caseView.exportWatermarked(state.summary.watermarked_files))} />
            </p>
          )}
          {!state.summary.complete && (
            <div className="field-problem">
              <Bilingual text={bilingual((m) => m.caseView.exportIncomplete)} />
              <ul className="export__reasons">
                {state.summary.incomplete_reasons.map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
      {state.kind === 'failed' && <ErrorBanner error={state.error} onRetry={() => void run()} />}
    </section>
  );
}

/** The bar: indeterminate until the first event, then files written out of all of them. */
function ExportStatus({ progress }: { progress: ExportProgress | null }) {
  if (progress === null) {
    return (
      <div className="import-progress" data-testid="export-progress">
        <progress aria-label={bilingualLine((m) => m.caseView.exporting)} />
        <Bilingual text={bilingual((m) => m.caseView.exporting)} />
      </div>
    );
  }
  const written = (m: Messages) => m.caseView.exportWritten(progress.files_done, progress.files_total);
  return (
    <div
      className="import-progress"
      data-testid="export-progress"
      data-phase={progress.phase}
      data-files-done={progress.files_done}
      data-files-total={progress.files_total}
    >
      <progress max={progress.files_total} value={progress.files_done} aria-label={bilingualLine(written)} />
      <span>
        <Bilingual text={bilingual((m) => m.caseView.exportPhase[progress.phase])} />{' '}
        <Bilingual text={bilingual(written)} />
      </span>
    </div>
  );
}
