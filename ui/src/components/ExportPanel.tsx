import { type ReactNode, useEffect, useId, useRef, useState } from 'react';

import { call, onEvent } from '../api';
import type { CaseCheck } from '../bindings/CaseCheck';
import type { ErrorReport } from '../errors';
import type { ExportProgress } from '../bindings/ExportProgress';
import type { ExportSummary } from '../bindings/ExportSummary';
import {
  SUBMIT_CHECK_ANCHOR,
  TRAY_ANCHOR,
  fieldAnchor,
  fieldNeedsWork,
  itemNeedsWork,
  jumpTo,
  listedFields,
  listedItems,
  materialAnchor,
} from '../itemState';
import { type BilingualText, bilingual, bilingualLine, type Messages, messagesOf } from '../locales';
import { termText, useVocabulary } from '../vocabulary';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';

type ExportState =
  | { kind: 'idle' }
  | { kind: 'running'; progress: ExportProgress | null }
  | { kind: 'done'; summary: ExportSummary; problems: BlockingProblem[] }
  | { kind: 'failed'; error: ErrorReport };

/** One thing that keeps the case from export, in the manager's words, and its card. */
export interface BlockingProblem {
  key: string;
  anchor: string;
  text: BilingualText;
}

/** What blocks the export, from the core's check: materials first, then fields. */
export function useBlockingProblems(check: CaseCheck): BlockingProblem[] {
  const vocabulary = useVocabulary();
  const problems: BlockingProblem[] = [];
  // Files left in the 未分类 tray first: not even an incomplete package leaves with them
  // undecided (the core refuses it: unsorted_files_remain).
  const unsorted = check.summary.unsorted_files;
  if (unsorted > 0) {
    problems.push({ key: 'unsorted', anchor: TRAY_ANCHOR, text: bilingual((m) => m.submit.unsortedFiles(unsorted)) });
  }
  for (const item of listedItems(check).filter(itemNeedsWork)) {
    // Each language's sentence with the material's title in that language.
    const both = (pick: (m: Messages, title: string) => string): BilingualText => ({
      zh: pick(messagesOf('zh-CN'), item.title_zh),
      en: pick(messagesOf('en'), item.title_en),
    });
    const anchor = materialAnchor(item.key);
    if (item.files.length === 0) {
      problems.push({ key: `${item.key}:files`, anchor, text: both((m, t) => m.submit.itemMissing(t)) });
      continue;
    }
    if (item.files_short > 0) {
      problems.push({
        key: `${item.key}:short`,
        anchor,
        text: both((m, t) => m.submit.itemShort(t, item.files_short)),
      });
    }
    if (item.missing_attestations.length > 0) {
      const zh = item.missing_attestations.map((mark) => termText(vocabulary.marks, mark).zh).join('、');
      const en = item.missing_attestations.map((mark) => termText(vocabulary.marks, mark).en).join(', ');
      problems.push({
        key: `${item.key}:marks`,
        anchor,
        text: {
          zh: messagesOf('zh-CN').submit.itemMarks(item.title_zh, zh),
          en: messagesOf('en').submit.itemMarks(item.title_en, en),
        },
      });
    }
    if (item.error_findings > 0) {
      problems.push({
        key: `${item.key}:errors`,
        anchor,
        text: both((m, t) => m.submit.itemErrors(t, item.error_findings)),
      });
    }
    if (item.unchecked_files > 0) {
      problems.push({ key: `${item.key}:unchecked`, anchor, text: both((m, t) => m.submit.itemUnchecked(t)) });
    }
  }
  for (const field of listedFields(check).filter(fieldNeedsWork)) {
    const pick = (m: Messages, t: string) =>
      field.status === 'invalid' ? m.submit.fieldInvalid(t) : m.submit.fieldMissing(t);
    problems.push({
      key: `field:${field.key}`,
      anchor: fieldAnchor(field.key),
      text: { zh: pick(messagesOf('zh-CN'), field.title_zh), en: pick(messagesOf('en'), field.title_en) },
    });
  }
  return problems;
}

/**
 * 提交前检查 and export. The blocking problems are listed in Chinese, each a link to its card;
 * while there are any, 导出提交包 is disabled and an incomplete package is a deliberate second
 * step (仍要导出不完整的提交包… then a confirmation). The shell's `export-progress` events move
 * the bar. After export: the path, 打开所在文件夹 and 去发件箱上传.
 */
export function ExportPanel({
  caseId,
  check,
  onOpenOutbox,
  incompleteStepExtra,
}: {
  caseId: string;
  check: CaseCheck;
  onOpenOutbox: () => void;
  /**
   * Hook for the incomplete export's reason (the correction work, issue 16): rendered inside
   * the second step, above its confirmation. Whatever it needs to be valid is its own.
   */
  incompleteStepExtra?: ReactNode;
}) {
  const id = useId();
  const problems = useBlockingProblems(check);
  const blocking = check.blocking;
  const [incompleteStep, setIncompleteStep] = useState(false);
  // An incomplete export says why (the core refuses it without): asked for in the second step.
  const [incompleteReason, setIncompleteReason] = useState('');
  const reasonMissing = incompleteReason.trim() === '';
  // Starts from the setting `watermark_id_copies`; the box decides for this export. Null until
  // the setting has arrived: the box is disabled meanwhile (a click before would be undone by
  // the setting), and an export started then follows the setting (`watermark: null`).
  const [watermark, setWatermark] = useState<boolean | null>(null);
  const [state, setState] = useState<ExportState>({ kind: 'idle' });
  // 另存为…: where the plain copy went, or why it could not be written.
  const [copyPath, setCopyPath] = useState<string | null>(null);
  const [copyError, setCopyError] = useState<ErrorReport | null>(null);
  // The second step takes the focus when it opens, so Tab goes on to what it asks for.
  const step = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (incompleteStep) step.current?.focus();
  }, [incompleteStep]);

  useEffect(() => {
    void call('get_settings', {}).then((outcome) => {
      if (outcome.ok) setWatermark((chosen) => chosen ?? outcome.value.watermark_id_copies);
    });
  }, []);

  useEffect(() => {
    if (!blocking) setIncompleteStep(false);
  }, [blocking]);

  useEffect(() => {
    const stop = onEvent('export-progress', (progress) => {
      if (progress.case_id !== caseId) return;
      // An event that arrives after the command answered must not bring the bar back.
      setState((current) => (current.kind === 'running' ? { kind: 'running', progress } : current));
    });
    return () => void stop.then((unlisten) => unlisten());
  }, [caseId]);

  const run = async (allowIncomplete: boolean) => {
    const problemsAtExport = problems;
    setState({ kind: 'running', progress: null });
    setCopyPath(null);
    setCopyError(null);
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
    setIncompleteStep(false);
    setState(
      outcome.ok
        ? { kind: 'done', summary: outcome.value, problems: problemsAtExport }
        : { kind: 'failed', error: outcome.error },
    );
  };

  const saveCopy = async (sha256: string) => {
    const outcome = await call('save_package_copy', { case_id: caseId, sha256 });
    setCopyError(outcome.ok ? null : outcome.error);
    if (outcome.ok && outcome.value !== null) setCopyPath(outcome.value);
  };

  return (
    <section
      id={SUBMIT_CHECK_ANCHOR}
      tabIndex={-1}
      className={`panel submit-check ${blocking ? 'submit-check--blocking' : 'submit-check--ready'}`}
      aria-labelledby={`${id}-heading`}
      data-testid="export-panel"
    >
      <h2 id={`${id}-heading`} className="section-heading">
        <Bilingual text={bilingual((m) => m.submit.heading)} />
      </h2>
      {blocking ? (
        <>
          <p className="submit-check__intro">
            <Bilingual text={bilingual((m) => m.submit.blockingIntro(problems.length))} />
          </p>
          <ul className="submit-check__problems" data-testid="blocking-problems">
            {problems.map((problem) => (
              <li key={problem.key}>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => jumpTo(problem.anchor)}
                  data-testid="blocking-problem"
                  data-anchor={problem.anchor}
                >
                  <Bilingual text={problem.text} />
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="submit-check__ready" data-testid="submit-ready">
          ✓ <Bilingual text={bilingual((m) => m.submit.ready)} />
        </p>
      )}
      <div className="button-row">
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
      </div>
      <div className="button-row">
        <button
          type="button"
          className="button button--primary"
          onClick={() => void run(false)}
          disabled={state.kind === 'running' || blocking}
          data-testid="export"
        >
          <Bilingual text={bilingual((m) => m.caseView.export)} />
        </button>
        {blocking && !incompleteStep && (
          <button
            type="button"
            className="button"
            onClick={() => setIncompleteStep(true)}
            disabled={state.kind === 'running' || check.summary.unsorted_files > 0}
            data-testid="export-incomplete-step"
          >
            <Bilingual text={bilingual((m) => m.submit.exportIncompleteStep)} />
          </button>
        )}
        {blocking && check.summary.unsorted_files > 0 && (
          <p className="hint" data-testid="unsorted-blocks-export">
            <Bilingual text={bilingual((m) => m.submit.unsortedBlocksIncomplete)} />
          </p>
        )}
      </div>
      {blocking && incompleteStep && (
        <div
          ref={step}
          tabIndex={-1}
          className="submit-check__incomplete"
          role="group"
          aria-labelledby={`${id}-incomplete`}
          data-testid="incomplete-step"
        >
          <p id={`${id}-incomplete`}>
            <Bilingual text={bilingual((m) => m.submit.exportIncompleteExplain)} />
          </p>
          <label className="export__reason">
            <Bilingual text={bilingual((m) => m.correction.incompleteReason)} />
            <input
              className="input"
              value={incompleteReason}
              maxLength={500}
              onChange={(event) => setIncompleteReason(event.target.value)}
              aria-invalid={reasonMissing}
              data-testid="incomplete-reason"
            />
          </label>
          {incompleteStepExtra}
          <div className="button-row">
            <button
              type="button"
              className="button button--danger"
              onClick={() => void run(true)}
              disabled={state.kind === 'running' || reasonMissing}
              data-testid="export-incomplete-confirm"
            >
              <Bilingual text={bilingual((m) => m.submit.exportIncompleteConfirm)} />
            </button>
            <button type="button" className="button button--quiet" onClick={() => setIncompleteStep(false)}>
              <Bilingual text={bilingual((m) => m.submit.cancel)} />
            </button>
          </div>
        </div>
      )}
      {state.kind === 'running' && <ExportStatus progress={state.progress} />}
      {state.kind === 'done' && (
        <div className="export__result" role="status" data-testid="export-result">
          <p
            data-testid="export-queued"
            data-encrypted={state.summary.sealed_encrypted}
            data-sha256={state.summary.sha256}
          >
            <Bilingual
              text={bilingual((m) => (state.summary.sealed_encrypted ? m.submit.queuedSealed : m.submit.queuedPlain))}
            />
          </p>
          {state.summary.watermarked_files > 0 && (
            <p data-testid="export-watermarked" data-files={state.summary.watermarked_files}>
              <Bilingual text={bilingual((m) => m.caseView.exportWatermarked(state.summary.watermarked_files))} />
            </p>
          )}
          {!state.summary.complete && (
            <div className="field-problem" data-testid="export-incomplete">
              <Bilingual text={bilingual((m) => m.submit.missingAfterExport)} />
              <ul className="export__reasons">
                {state.problems.map((problem) => (
                  <li key={problem.key}>
                    <Bilingual text={problem.text} />
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div className="button-row">
            <button
              type="button"
              className="button"
              onClick={() => void saveCopy(state.summary.sha256)}
              data-testid="save-export-copy"
            >
              <Bilingual text={bilingual((m) => m.submit.saveCopy)} />
            </button>
            <button type="button" className="button button--primary" onClick={onOpenOutbox} data-testid="go-to-outbox">
              <Bilingual text={bilingual((m) => m.submit.toOutbox)} />
            </button>
          </div>
          {copyPath !== null && (
            <div className="field-problem" data-testid="export-copy">
              <p>
                <Bilingual text={bilingual((m) => m.submit.savedCopy)} />{' '}
                <code data-testid="export-copy-path">{copyPath}</code>
              </p>
              <p data-testid="export-copy-unencrypted">
                <Bilingual text={bilingual((m) => m.submit.copyUnencrypted)} />
              </p>
            </div>
          )}
          {copyError !== null && <ErrorBanner error={copyError} onRetry={() => void saveCopy(state.summary.sha256)} />}
        </div>
      )}
      {state.kind === 'failed' && <ErrorBanner error={state.error} onRetry={() => setState({ kind: 'idle' })} />}
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
