import { useCallback, useEffect, useId, useRef, useState } from 'react';

import { call, onEvent } from '../api';
import type { Case } from '../bindings/Case';
import type { CaseCheck } from '../bindings/CaseCheck';
import type { CaseFinding } from '../bindings/CaseFinding';
import type { CheckedFile } from '../bindings/CheckedFile';
import type { CheckedItem } from '../bindings/CheckedItem';
import type { ErrorReport } from '../bindings/ErrorReport';
import type { FileOutcome } from '../bindings/FileOutcome';
import type { ImportProgress } from '../bindings/ImportProgress';
import type { Mark } from '../bindings/Mark';
import { bilingual, bilingualLine } from '../locales';
import { termText, useVocabulary } from '../vocabulary';
import { Bilingual } from './Bilingual';
import { StatusBadge } from './CaseList';
import { EditCaseButton } from './EditCaseDialog';
import { ErrorBanner } from './ErrorBanner';
import { ExportPanel } from './ExportPanel';
import { CaseCorrectionContext, FileActions, FindingAcceptance, WithdrawnFiles } from './FileActions';
import { FieldsSection } from './FieldsSection';
import { VisitPlotView } from './VisitPlotView';
import { Thumbnail } from './Thumbnail';

type Loaded = { kind: 'loading' } | { kind: 'loaded'; caseRecord: Case; check: CaseCheck } | { kind: 'failed'; error: ErrorReport };

/** The last import of a slot: running (with progress) or done (with its outcomes). */
type ImportState =
  | { kind: 'running'; done: number; total: number }
  | { kind: 'done'; outcomes: FileOutcome[] }
  | { kind: 'failed'; error: ErrorReport };

/**
 * One case: its checklist by stage, each material a slot to add files to (dialog, folder or
 * drop), the files with their findings and attestations, the recorded data, and export.
 * Everything shown comes from the core's `check_case`; after every change it is asked again.
 */
export function CaseView({ caseId, onBack }: { caseId: string; onBack: () => void }) {
  const vocabulary = useVocabulary();
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [imports, setImports] = useState<Record<string, ImportState>>({});
  const [showNotApplicable, setShowNotApplicable] = useState(false);

  const reload = useCallback(async () => {
    const [caseOutcome, checkOutcome] = await Promise.all([
      call('get_case', { case_id: caseId }),
      call('check_case', { case_id: caseId }),
    ]);
    if (!caseOutcome.ok) setLoaded({ kind: 'failed', error: caseOutcome.error });
    else if (!checkOutcome.ok) setLoaded({ kind: 'failed', error: checkOutcome.error });
    else setLoaded({ kind: 'loaded', caseRecord: caseOutcome.value, check: checkOutcome.value });
  }, [caseId]);

  const addFiles = useCallback(
    async (material: string, paths: string[]) => {
      if (paths.length === 0) return;
      setImports((current) => ({ ...current, [material]: { kind: 'running', done: 0, total: paths.length } }));
      const outcome = await call('add_files', { case_id: caseId, material, paths });
      setImports((current) => ({
        ...current,
        [material]: outcome.ok ? { kind: 'done', outcomes: outcome.value } : { kind: 'failed', error: outcome.error },
      }));
      await reload();
    },
    [caseId, reload],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  // Progress of imports (sent by the shell after each file) and files dropped on the window.
  // A drop lands on the slot under the pointer: the element with `data-material`.
  const addFilesRef = useRef(addFiles);
  addFilesRef.current = addFiles;
  useEffect(() => {
    const stops = [
      onEvent('import-progress', (progress: ImportProgress) => {
        if (progress.case_id !== caseId) return;
        setImports((current) => ({
          ...current,
          [progress.material]: { kind: 'running', done: progress.done, total: progress.total },
        }));
      }),
      onEvent('paths-dropped', (dropped) => {
        const target = document.elementFromPoint(dropped.x, dropped.y)?.closest<HTMLElement>('[data-material]');
        const material = target?.dataset.material;
        if (material !== undefined) void addFilesRef.current(material, dropped.paths);
      }),
    ];
    return () => {
      for (const stop of stops) void stop.then((unlisten) => unlisten());
    };
  }, [caseId]);

  if (loaded.kind === 'loading') {
    return (
      <p className="loading">
        <Bilingual text={bilingual((m) => m.caseList.loading)} />
      </p>
    );
  }
  if (loaded.kind === 'failed') {
    return <ErrorBanner error={loaded.error} onRetry={() => void reload()} />;
  }
  const { caseRecord, check } = loaded;
  const applicable = check.items.filter((item) => item.applicable || item.files.length > 0);
  const notApplicable = check.items.filter((item) => !item.applicable && item.files.length === 0);

  return (
    <CaseCorrectionContext.Provider value={{ caseId: caseRecord.id, items: check.items, onChanged: reload }}>
    <div className="case-view" data-testid="case-view" data-case-id={caseRecord.id}>
      <div className="case-view__head">
        <button type="button" className="button button--quiet" onClick={onBack} data-testid="back">
          ← <Bilingual text={bilingual((m) => m.nav.back)} />
        </button>
        <div className="case-view__title">
          <h2 data-testid="case-title">{caseRecord.merchant_name}</h2>
          <p className="muted">
            <code>{caseRecord.id}</code> · <Bilingual text={termText(vocabulary.merchant_types, caseRecord.attributes.merchant_type)} />{' '}
            · <Bilingual text={termText(vocabulary.editions, caseRecord.attributes.edition)} />
            {caseRecord.visit_date !== null && (
              <>
                {' '}· <Bilingual text={bilingual((m) => m.caseView.visit)} /> {caseRecord.visit_date}
              </>
            )}
          </p>
        </div>
        <div className="case-view__status">
          <StatusBadge overview={check} />
          <p className="muted">
            <Bilingual text={bilingual((m) => m.caseView.summary(check.summary.ok, check.summary.required))} />
            <br />
            <Bilingual
              text={bilingual((m) => m.caseView.findingCounts(check.summary.error_findings, check.summary.warning_findings))}
            />
          </p>
          <button type="button" className="button" onClick={() => void reload()}>
            <Bilingual text={bilingual((m) => m.caseView.refresh)} />
          </button>
          <EditCaseButton caseRecord={caseRecord} onSaved={reload} />
        </div>
      </div>

      <ExportPanel caseId={caseRecord.id} blocking={check.blocking} />

      <section aria-labelledby="checklist-heading">
        <h2 id="checklist-heading" className="section-heading">
          <Bilingual text={bilingual((m) => m.caseView.checklist)} />
        </h2>
        {vocabulary.stages.map((stage) => {
          const items = applicable.filter((item) => item.stage === stage.key);
          if (items.length === 0) return null;
          return (
            <section key={stage.key} className="stage" aria-labelledby={`stage-${stage.key}`} data-stage={stage.key}>
              <h3 id={`stage-${stage.key}`} className="stage__heading">
                <Bilingual text={stage} />
              </h3>
              <div className="slots">
                {items.map((item) => (
                  <MaterialSlot
                    key={item.key}
                    caseId={caseRecord.id}
                    item={item}
                    findings={check.findings.filter((finding) => finding.material === item.key)}
                    importState={imports[item.key]}
                    onAdd={(paths) => void addFiles(item.key, paths)}
                    onChanged={reload}
                  />
                ))}
              </div>
            </section>
          );
        })}
        {notApplicable.length > 0 && (
          <div className="not-applicable">
            <button
              type="button"
              className="button button--quiet"
              aria-expanded={showNotApplicable}
              onClick={() => setShowNotApplicable(!showNotApplicable)}
            >
              <Bilingual text={bilingual((m) => m.caseView.notApplicable)} /> ({notApplicable.length})
            </button>
            {showNotApplicable && (
              <ul className="not-applicable__list">
                {notApplicable.map((item) => (
                  <li key={item.key}>
                    <Bilingual text={{ zh: item.title_zh, en: item.title_en }} />
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <WithdrawnFiles version={check} />
      </section>

      <FieldsSection caseId={caseRecord.id} fields={check.fields} onChanged={() => void reload()} />

      <VisitPlotView caseId={caseRecord.id} items={check.items} version={check} />
    </div>
    </CaseCorrectionContext.Provider>
  );
}

function MaterialSlot({
  caseId,
  item,
  findings,
  importState,
  onAdd,
  onChanged,
}: {
  caseId: string;
  item: CheckedItem;
  findings: CaseFinding[];
  importState: ImportState | undefined;
  onAdd: (paths: string[]) => void;
  onChanged: () => Promise<void>;
}) {
  const vocabulary = useVocabulary();
  const headingId = useId();
  const [pickError, setPickError] = useState<ErrorReport | null>(null);
  const running = importState?.kind === 'running';

  const pick = async (command: 'pick_files' | 'pick_folder') => {
    setPickError(null);
    const outcome = await call(command, {});
    if (outcome.ok) onAdd(outcome.value);
    else setPickError(outcome.error);
  };

  return (
    <article
      className={`slot slot--${item.status}`}
      aria-labelledby={headingId}
      data-material={item.key}
      data-testid={`slot-${item.key}`}
      data-status={item.status}
    >
      <header className="slot__head">
        <h4 id={headingId} className="slot__title">
          <Bilingual text={{ zh: item.title_zh, en: item.title_en }} stacked />
        </h4>
        <span className={`badge badge--${item.status}`} data-testid="slot-status">
          <Bilingual text={termText(vocabulary.item_statuses, item.status)} />
        </span>
      </header>
      <p className="slot__meta muted">
        <Bilingual text={bilingual((m) => (item.required ? m.caseView.required : m.caseView.optional))} /> ·{' '}
        <Bilingual text={termText(vocabulary.providers, item.provided_by)} /> ·{' '}
        <Bilingual text={bilingual((m) => m.caseView.minFiles(item.min_files))} />
        {item.files_short > 0 && item.files.length > 0 && (
          <>
            {' '}· <Bilingual text={bilingual((m) => m.caseView.filesShort(item.files_short))} />
          </>
        )}
      </p>
      {(item.instructions_zh !== '' || item.instructions_en !== '') && (
        <p className="slot__instructions">
          <Bilingual text={{ zh: item.instructions_zh, en: item.instructions_en }} stacked />
        </p>
      )}
      {item.missing_attestations.length > 0 && item.files.length > 0 && (
        <p className="slot__missing-marks">
          <Bilingual text={bilingual((m) => m.caseView.missingMarks)} />{' '}
          {item.missing_attestations.map((mark) => termText(vocabulary.marks, mark).zh).join('、')}
        </p>
      )}

      <div className="slot__actions">
        <button type="button" className="button" onClick={() => void pick('pick_files')} disabled={running}
          data-testid="add-files">
          <Bilingual text={bilingual((m) => m.caseView.addFiles)} />
        </button>
        <button type="button" className="button" onClick={() => void pick('pick_folder')} disabled={running}
          data-testid="add-folder">
          <Bilingual text={bilingual((m) => m.caseView.addFolder)} />
        </button>
        <span className="hint">
          <Bilingual text={bilingual((m) => m.caseView.dropHint)} />
        </span>
      </div>
      {pickError !== null && <ErrorBanner error={pickError} onRetry={() => setPickError(null)} />}
      <ImportStatus state={importState} />

      {item.files.length === 0 ? (
        <p className="muted">
          <Bilingual text={bilingual((m) => m.caseView.noFiles)} />
        </p>
      ) : (
        <ul className="files">
          {item.files.map((file) => (
            <FileCard
              key={file.evidence_id.toString()}
              caseId={caseId}
              file={file}
              material={item.key}
              asked={item.attestations}
              findings={findings.filter((finding) => finding.sha256 === file.sha256)}
              onChanged={onChanged}
            />
          ))}
        </ul>
      )}
    </article>
  );
}

function ImportStatus({ state }: { state: ImportState | undefined }) {
  if (state === undefined) return null;
  if (state.kind === 'running') {
    return (
      <div className="import-progress" data-testid="import-progress">
        <progress
          max={state.total}
          value={state.done}
          aria-label={bilingualLine((m) => m.caseView.importing(state.done, state.total))}
        />
        <span>
          <Bilingual text={bilingual((m) => m.caseView.importing(state.done, state.total))} />
        </span>
      </div>
    );
  }
  if (state.kind === 'failed') {
    return (
      <p className="field-problem" role="alert" data-testid="import-error" data-error-code={state.error.code}>
        <span className="error-banner__code">{state.error.code}</span> {state.error.message}
      </p>
    );
  }
  const count = (status: FileOutcome['status']) => state.outcomes.filter((outcome) => outcome.status === status).length;
  const failed = state.outcomes.filter((outcome) => outcome.status === 'failed');
  return (
    <div className="import-result" role="status" data-testid="import-result">
      <Bilingual text={bilingual((m) => m.caseView.imported(count('added'), count('already_present'), failed.length))} />
      {failed.length > 0 && (
        <ul className="import-result__failures">
          {failed.map((outcome) => (
            <li key={outcome.path}>
              <code>{outcome.error?.code}</code> {outcome.error?.message ?? outcome.path}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function FileCard({
  caseId,
  file,
  material,
  asked,
  findings,
  onChanged,
}: {
  caseId: string;
  file: CheckedFile;
  material: string;
  asked: Mark[];
  findings: CaseFinding[];
  onChanged: () => Promise<void>;
}) {
  const vocabulary = useVocabulary();
  const [error, setError] = useState<ErrorReport | null>(null);
  // An attestation replaces the file's marks with the set shown; while one is being recorded
  // and the case reloaded, the boxes are locked so a second click cannot start from a stale set.
  const [busy, setBusy] = useState(false);
  // An accepted finding is shown, but the card is coloured by those that stand.
  const standing = findings.filter((finding) => finding.accepted === undefined);
  const worst = standing.some((finding) => finding.severity === 'error')
    ? 'error'
    : standing.length > 0
      ? 'warning'
      : 'none';

  const attest = async (mark: Mark, on: boolean) => {
    setBusy(true);
    const marks = on ? [...file.marks.filter((m) => m !== mark), mark] : file.marks.filter((m) => m !== mark);
    const outcome = await call('attest_file', { case_id: caseId, evidence_id: Number(file.evidence_id), marks });
    if (outcome.ok) {
      setError(null);
      await onChanged();
    } else {
      setError(outcome.error);
    }
    setBusy(false);
  };

  return (
    <li className={`file file--${worst}`} data-testid="file" data-file-name={file.name}>
      <Thumbnail file={file} findingCount={findings.length} worst={worst} />
      <div className="file__body">
        <p className="file__name" title={file.sha256}>
          {file.name}
        </p>
        {!file.checked && (
          <p className="muted">
            <Bilingual text={bilingual((m) => m.caseView.unchecked)} />
          </p>
        )}
        {findings.length > 0 && (
          <ul className="findings" aria-label={bilingualLine((m) => m.caseView.findings)}>
            {findings.map((finding) => (
              <li key={finding.code} className={`finding finding--${finding.severity}`} data-testid="finding"
                data-code={finding.code}>
                <span className={`badge badge--${finding.severity}`}>{finding.code}</span> {finding.message}{' '}
                <FindingAcceptance finding={finding} file={file} />
              </li>
            ))}
          </ul>
        )}
        {asked.length > 0 && (
          <fieldset className="marks">
            <legend>
              <Bilingual text={bilingual((m) => m.caseView.attest)} />
            </legend>
            {asked.map((mark) => (
              <label key={mark} className="check">
                <input
                  type="checkbox"
                  checked={file.marks.includes(mark)}
                  disabled={busy}
                  onChange={(event) => void attest(mark, event.target.checked)}
                  data-testid={`mark-${mark}`}
                />
                <Bilingual text={termText(vocabulary.marks, mark)} />
              </label>
            ))}
          </fieldset>
        )}
        <FileActions file={file} material={material} />
        {error !== null && <ErrorBanner error={error} onRetry={() => setError(null)} />}
      </div>
    </li>
  );
}
