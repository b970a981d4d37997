import { useCallback, useEffect, useRef, useState } from 'react';

import { call, onEvent } from '../api';
import type { Case } from '../bindings/Case';
import type { CaseCheck } from '../bindings/CaseCheck';
import type { ErrorReport } from '../errors';
import type { FieldOffer } from '../bindings/FieldOffer';
import type { ImportProgress } from '../bindings/ImportProgress';
import type { NoteRecord } from '../bindings/NoteRecord';
import {
  CHECKLIST_ANCHOR,
  FIELDS_ANCHOR,
  findingsOf,
  itemNeedsWork,
  listedItems,
  SUBMIT_CHECK_ANCHOR,
  jumpTo,
} from '../itemState';
import { bilingual, bilingualLine } from '../locales';
import { termText, useVocabulary } from '../vocabulary';
import { Bilingual } from './Bilingual';
import { StatusBadge } from './CaseList';
import { EditCaseButton } from './EditCaseDialog';
import { ErrorBanner } from './ErrorBanner';
import { ExportPanel } from './ExportPanel';
import { CaseCorrectionContext, WithdrawnFiles } from './FileActions';
import { FieldsSection } from './FieldsSection';
import { FileViewer } from './FileViewer';
import { type ImportState, MaterialSlot } from './MaterialSlot';
import { CaseNotes } from './Notes';
import { OverviewRail } from './OverviewRail';
import { SiteOffer } from './SiteOffer';
import { SkipLink } from './SkipLink';
import { UNSORTED_MATERIAL, UnsortedTray } from './UnsortedTray';
import { PlotNumbersContext, VisitPlotView, plotNumbersOf } from './VisitPlotView';

type Loaded =
  | { kind: 'loading' }
  | { kind: 'loaded'; caseRecord: Case; check: CaseCheck; notes: NoteRecord[]; offers: FieldOffer[] }
  | { kind: 'failed'; error: ErrorReport };

/**
 * One case: the overview rail beside the checklist by stage, each material a card to add files
 * to (dialog, folder or drop), the files with their findings and attestations (a click on a
 * picture opens the viewer), the recorded data, where and when, and 提交前检查 with export.
 * Everything shown comes from the core's `check_case`; after every change it is asked again.
 */
export function CaseView({
  caseId,
  onBack,
  onOpenOutbox,
}: {
  caseId: string;
  onBack: () => void;
  onOpenOutbox: () => void;
}) {
  const vocabulary = useVocabulary();
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [imports, setImports] = useState<Record<string, ImportState>>({});
  const [showNotApplicable, setShowNotApplicable] = useState(false);
  const [onlyPending, setOnlyPending] = useState(false);
  const [viewing, setViewing] = useState<{ material: string; index: number } | null>(null);
  // The material slot under files being dragged over the window: lit up, 松开添加到: ….
  const [dropTarget, setDropTarget] = useState<string | null>(null);
  // Each file's number in the drawings of where and when (shown on its card).
  const [plotNumbers, setPlotNumbers] = useState<Map<string, number>>(new Map());

  // Reading the documents after an import: how many are read so far, or why none could be.
  const [reading, setReading] = useState<
    { kind: 'idle' } | { kind: 'running'; done: number } | { kind: 'failed'; error: ErrorReport }
  >({ kind: 'idle' });

  const reload = useCallback(async () => {
    const [caseOutcome, checkOutcome, notesOutcome, offersOutcome] = await Promise.all([
      call('get_case', { case_id: caseId }),
      call('check_case', { case_id: caseId }),
      call('case_notes', { case_id: caseId }),
      call('document_offers', { case_id: caseId }),
    ]);
    if (!caseOutcome.ok) setLoaded({ kind: 'failed', error: caseOutcome.error });
    else if (!checkOutcome.ok) setLoaded({ kind: 'failed', error: checkOutcome.error });
    else if (!notesOutcome.ok) setLoaded({ kind: 'failed', error: notesOutcome.error });
    else
      setLoaded({
        kind: 'loaded',
        caseRecord: caseOutcome.value,
        check: checkOutcome.value,
        notes: notesOutcome.value,
        // Offers are a help: without them the fields are typed as before.
        offers: offersOutcome.ok ? offersOutcome.value : [],
      });
  }, [caseId]);

  // The core reads what is not read yet in the document slots (it alone knows which slots are
  // documents), on a thread of its own; the window stays usable meanwhile.
  const readDocuments = useCallback(async () => {
    setReading({ kind: 'running', done: 0 });
    const outcome = await call('read_case_documents', { case_id: caseId });
    setReading(outcome.ok ? { kind: 'idle' } : { kind: 'failed', error: outcome.error });
    await reload();
  }, [caseId, reload]);

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
      if (outcome.ok) await readDocuments();
    },
    [caseId, reload, readDocuments],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  // An import shows each file as soon as it is recorded, and its thumbnail and pixel findings
  // when its pixel checks are done (events of the shell, one per file): the case is asked
  // again at most every 300 ms while they come, not once per file of a 200-photo import.
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  const reloadTimer = useRef<number | null>(null);
  const reloadSoon = useCallback(() => {
    if (reloadTimer.current !== null) return;
    reloadTimer.current = window.setTimeout(() => {
      reloadTimer.current = null;
      void reloadRef.current();
    }, 300);
  }, []);
  useEffect(
    () => () => {
      if (reloadTimer.current !== null) window.clearTimeout(reloadTimer.current);
    },
    [],
  );

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
        if (progress.outcome.evidence !== null) reloadSoon();
      }),
      onEvent('pixel-checks-progress', (progress) => {
        if (progress.case_ids.includes(caseId)) reloadSoon();
      }),
      onEvent('document-read', () => {
        setReading((current) => (current.kind === 'running' ? { kind: 'running', done: current.done + 1 } : current));
      }),
      onEvent('drag-over', (at) => {
        const target = document.elementFromPoint(at.x, at.y)?.closest<HTMLElement>('[data-material]');
        setDropTarget(target?.dataset.material ?? null);
      }),
      onEvent('drag-left', () => setDropTarget(null)),
      onEvent('paths-dropped', (dropped) => {
        const target = document.elementFromPoint(dropped.x, dropped.y)?.closest<HTMLElement>('[data-material]');
        const material = target?.dataset.material;
        if (material !== undefined) void addFilesRef.current(material, dropped.paths);
      }),
    ];
    return () => {
      for (const stop of stops) void stop.then((unlisten) => unlisten());
    };
  }, [caseId, reloadSoon]);

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
  const { caseRecord, check, notes, offers } = loaded;
  const siteOffer = offers.find((offer) => offer.field === 'site');
  const applicable = listedItems(check);
  const notApplicable = check.items.filter((item) => !item.applicable && item.files.length === 0);
  const viewedItem = viewing === null ? undefined : check.items.find((item) => item.key === viewing.material);

  return (
    <CaseCorrectionContext.Provider value={{ caseId: caseRecord.id, items: check.items, notes, onChanged: reload }}>
      <PlotNumbersContext.Provider value={plotNumbers}>
        <div className="case-view" data-testid="case-view" data-case-id={caseRecord.id}>
          {/* First in the case view's Tab order: past the head and the rail's entries (one stop
          each) straight to the cards or to the fields, without tabbing through every control. */}
          <nav className="skip-links" aria-label={bilingualLine((m) => m.skip.label)}>
            <SkipLink anchor={CHECKLIST_ANCHOR} text={(m) => m.skip.toMaterials} testId="skip-to-materials" />
            <SkipLink anchor={FIELDS_ANCHOR} text={(m) => m.skip.toFields} testId="skip-to-fields" />
          </nav>
          <div className="case-view__head">
            <button type="button" className="button button--quiet" onClick={onBack} data-testid="back">
              ← <Bilingual text={bilingual((m) => m.nav.back)} />
            </button>
            <div className="case-view__title">
              <h2 data-testid="case-title">{caseRecord.merchant_name}</h2>
              <p className="muted">
                <code>{caseRecord.id}</code> ·{' '}
                <Bilingual text={termText(vocabulary.merchant_types, caseRecord.attributes.merchant_type)} /> ·{' '}
                <Bilingual text={termText(vocabulary.editions, caseRecord.attributes.edition)} />
                {caseRecord.visit_date !== null && (
                  <>
                    {' '}
                    · <Bilingual text={bilingual((m) => m.caseView.visit)} /> {caseRecord.visit_date}
                  </>
                )}{' '}
                ·{' '}
                <Bilingual
                  text={bilingual((m) =>
                    m.caseView.findingCounts(check.summary.error_findings, check.summary.warning_findings),
                  )}
                />
              </p>
            </div>
            <div className="case-view__status">
              <StatusBadge overview={check} />
              <button type="button" className="button" onClick={() => void reload()}>
                <Bilingual text={bilingual((m) => m.caseView.refresh)} />
              </button>
              <button
                type="button"
                className="button"
                onClick={() => jumpTo(SUBMIT_CHECK_ANCHOR)}
                data-testid="to-submit-check"
              >
                <Bilingual text={bilingual((m) => m.rail.submitCheck)} />
              </button>
              <EditCaseButton caseRecord={caseRecord} onSaved={reload} />
            </div>
          </div>

          <div className="case-layout">
            <OverviewRail check={check} onlyPending={onlyPending} onOnlyPendingChange={setOnlyPending} />
            <div className="case-layout__main">
              <UnsortedTray
                caseId={caseRecord.id}
                check={check}
                importState={imports[UNSORTED_MATERIAL]}
                dropTarget={dropTarget === UNSORTED_MATERIAL}
                onAdd={(paths) => void addFiles(UNSORTED_MATERIAL, paths)}
                onAssigned={readDocuments}
                onChanged={reload}
              />
              <section id={CHECKLIST_ANCHOR} tabIndex={-1} aria-labelledby="checklist-heading">
                <h2 id="checklist-heading" className="visually-hidden">
                  <Bilingual text={bilingual((m) => m.caseView.checklist)} />
                </h2>
                {vocabulary.stages.map((stage) => {
                  const items = applicable
                    .filter((item) => item.stage === stage.key)
                    .filter((item) => !onlyPending || itemNeedsWork(item));
                  if (items.length === 0) return null;
                  return (
                    <section
                      key={stage.key}
                      className="stage"
                      aria-labelledby={`stage-${stage.key}`}
                      data-stage={stage.key}
                    >
                      <h3 id={`stage-${stage.key}`} className="stage__heading">
                        <Bilingual text={stage} />
                      </h3>
                      <div className="slots">
                        {items.map((item) => (
                          <MaterialSlot
                            key={item.key}
                            caseId={caseRecord.id}
                            item={item}
                            findings={findingsOf(check, item)}
                            importState={imports[item.key]}
                            onAdd={(paths) => void addFiles(item.key, paths)}
                            onOpenFile={(index) => setViewing({ material: item.key, index })}
                            onChanged={reload}
                            dropTarget={dropTarget === item.key}
                          />
                        ))}
                      </div>
                    </section>
                  );
                })}
                {notApplicable.length > 0 && !onlyPending && (
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

              {reading.kind === 'running' && (
                <p className="muted" role="status" data-testid="document-reading">
                  <Bilingual text={bilingual((m) => m.caseView.readingDocuments(reading.done))} />
                </p>
              )}
              {reading.kind === 'failed' && (
                <p className="field-problem field-problem--warning" role="status" data-testid="document-reading-failed">
                  <Bilingual text={bilingual((m) => m.caseView.readingFailed)} /> {reading.error.message}
                </p>
              )}
              <FieldsSection
                caseId={caseRecord.id}
                fields={check.fields}
                offers={offers}
                onlyPending={onlyPending}
                // A field recorded may make files readable that were not (the legal
                // representative's ID type back to 居民身份证): what is not read yet is read, and
                // the view reloads. With nothing to read this is one quick call.
                onChanged={() => void readDocuments()}
              />

              {siteOffer !== undefined && caseRecord.site === null && (
                <SiteOffer caseRecord={caseRecord} offer={siteOffer} onTaken={() => void reload()} />
              )}
              <VisitPlotView
                caseId={caseRecord.id}
                items={check.items}
                version={check}
                onLoaded={(plot) => setPlotNumbers(plotNumbersOf(plot))}
              />

              <CaseNotes />

              <ExportPanel caseId={caseRecord.id} check={check} onOpenOutbox={onOpenOutbox} />
            </div>
          </div>

          {viewing !== null && viewedItem !== undefined && viewedItem.files.length > 0 && (
            <FileViewer
              caseId={caseRecord.id}
              item={viewedItem}
              findings={findingsOf(check, viewedItem)}
              index={Math.min(viewing.index, viewedItem.files.length - 1)}
              onIndexChange={(index) => setViewing({ material: viewedItem.key, index })}
              onClose={() => setViewing(null)}
              onChanged={reload}
            />
          )}
        </div>
      </PlotNumbersContext.Provider>
    </CaseCorrectionContext.Provider>
  );
}
