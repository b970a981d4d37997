import { useEffect, useId, useState } from 'react';

import { call } from '../api';
import type { CaseFinding } from '../bindings/CaseFinding';
import type { CheckedItem } from '../bindings/CheckedItem';
import type { ErrorReport } from '../errors';
import type { FileOutcome } from '../bindings/FileOutcome';
import { type ShownStatus, STATUS_ICON, marksToAttest, materialAnchor, shownStatus } from '../itemState';
import { type BilingualText, bilingual, bilingualLine } from '../locales';
import { termText, useVocabulary } from '../vocabulary';
import { Bilingual } from './Bilingual';
import { DropBanner } from './DropBanner';
import { ErrorBanner } from './ErrorBanner';
import { type CardHeights, FileCard } from './FileCard';

/** The last import of a slot: running (with progress) or done (with its outcomes). */
export type ImportState =
  | { kind: 'running'; done: number; total: number }
  | { kind: 'done'; outcomes: FileOutcome[] }
  | { kind: 'failed'; error: ErrorReport };

/** The label of a shown status: the core's term, or 合格(有提示) for an ok item with warnings. */
export function useStatusLabel(): (status: ShownStatus) => BilingualText {
  const vocabulary = useVocabulary();
  return (status) =>
    status === 'ok_with_warnings'
      ? bilingual((m) => m.rail.okWithWarnings)
      : termText(vocabulary.item_statuses, status);
}

/** The status badge of a material: icon and words, the colour following them. */
export function ItemStatusBadge({ status }: { status: ShownStatus }) {
  const label = useStatusLabel();
  return (
    <span className={`badge badge--${status}`} data-testid="slot-status" data-shown-status={status}>
      <span aria-hidden="true">{STATUS_ICON[status]}</span> <Bilingual text={label(status)} />
    </span>
  );
}

/**
 * From this many files on, a slot renders its cards in full only near the view (FileCard): a
 * usual slot holds one to a dozen files, all rendered; a folder of 300 shop photos would keep
 * some 30,000 elements and their React state alive (issue 19).
 */
export const WINDOWED_FROM = 24;

const NO_FINDINGS: CaseFinding[] = [];

/**
 * One material of the checklist: what it is, its status, the ways to add files (dialog,
 * folder, drop on the card), and its files.
 */
export function MaterialSlot({
  caseId,
  item,
  findings,
  importState,
  onAdd,
  onOpenFile,
  onChanged,
  dropTarget = false,
}: {
  caseId: string;
  item: CheckedItem;
  findings: CaseFinding[];
  importState: ImportState | undefined;
  /** Files are being dragged over this card: a drop now adds them here. */
  dropTarget?: boolean;
  onAdd: (paths: string[]) => void;
  onOpenFile: (index: number) => void;
  onChanged: () => Promise<void>;
}) {
  const vocabulary = useVocabulary();
  const headingId = useId();
  const [pickError, setPickError] = useState<ErrorReport | null>(null);
  const [heights] = useState<CardHeights>(() => new Map());
  const windowed = item.files.length >= WINDOWED_FROM;
  // Each file's findings, grouped once rather than searched for by each of 300 cards.
  const findingsByFile = new Map<string, CaseFinding[]>();
  for (const finding of findings) {
    const list = findingsByFile.get(finding.sha256);
    if (list === undefined) findingsByFile.set(finding.sha256, [finding]);
    else list.push(finding);
  }
  const running = importState?.kind === 'running';
  const status = shownStatus(item, findings);

  const pick = async (command: 'pick_files' | 'pick_folder') => {
    setPickError(null);
    const outcome = await call(command, {});
    if (outcome.ok) onAdd(outcome.value);
    else setPickError(outcome.error);
  };

  return (
    <article
      id={materialAnchor(item.key)}
      tabIndex={-1}
      className={`slot slot--${item.due_at_golive ? 'due_at_golive' : status}${dropTarget ? ' slot--drop-target' : ''}`}
      aria-labelledby={headingId}
      data-material={item.key}
      data-drop-target={dropTarget || undefined}
      data-testid={`slot-${item.key}`}
      data-status={item.status}
    >
      {dropTarget && <DropBanner title={() => item.title_zh} />}
      <header className="slot__head">
        <h4 id={headingId} className="slot__title">
          <Bilingual text={{ zh: item.title_zh, en: item.title_en }} />
        </h4>
        <span className="slot__count" title={bilingualLine((m) => m.caseView.minFiles(item.min_files))}>
          {item.files_counted}/{item.min_files}
        </span>
        {/* Owed at go-live, not now: said in place of 缺失, in the calm colour of information. */}
        {!item.due_at_golive && <ItemStatusBadge status={status} />}
        {item.to_follow && (
          <span
            className={`badge badge--${item.due_at_golive ? 'due_at_golive' : 'present'}`}
            data-testid="slot-to-follow"
            data-due-at-golive={item.due_at_golive}
          >
            <Bilingual text={item.due_at_golive ? vocabulary.due_at_golive : vocabulary.to_follow} />
          </span>
        )}
      </header>
      <p className="slot__meta">
        <Bilingual text={bilingual((m) => (item.required ? m.caseView.required : m.caseView.optional))} /> ·{' '}
        <Bilingual text={termText(vocabulary.providers, item.provided_by)} /> ·{' '}
        <Bilingual text={bilingual((m) => m.caseView.minFiles(item.min_files))} />
        {item.files_short > 0 && item.files.length > 0 && (
          <>
            {' '}
            · <Bilingual text={bilingual((m) => m.caseView.filesShort(item.files_short))} />
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

      {item.files.length > 0 && (
        <ul className="files">
          {item.files.map((file, index) => (
            <FileCard
              key={file.evidence_id.toString()}
              caseId={caseId}
              file={file}
              material={item.key}
              asked={marksToAttest(item)}
              findings={findingsByFile.get(file.sha256) ?? NO_FINDINGS}
              onOpen={() => onOpenFile(index)}
              onChanged={onChanged}
              heights={windowed ? heights : undefined}
            />
          ))}
        </ul>
      )}

      <div className="slot__actions">
        <button
          type="button"
          className="button"
          onClick={() => void pick('pick_files')}
          disabled={running}
          data-testid="add-files"
        >
          <Bilingual text={bilingual((m) => m.caseView.addFiles)} />
        </button>
        <button
          type="button"
          className="button"
          onClick={() => void pick('pick_folder')}
          disabled={running}
          data-testid="add-folder"
        >
          <Bilingual text={bilingual((m) => m.caseView.addFolder)} />
        </button>
        <span className="hint">
          <Bilingual text={bilingual((m) => (item.files.length === 0 ? m.caseView.noFiles : m.caseView.dropHint))} />
          {item.files.length === 0 && (
            <>
              {' '}
              · <Bilingual text={bilingual((m) => m.caseView.dropHint)} />
            </>
          )}
        </span>
      </div>
      {pickError !== null && <ErrorBanner error={pickError} onRetry={() => setPickError(null)} />}
      <ImportStatus state={importState} caseId={caseId} onChanged={onChanged} />
    </article>
  );
}

/** How long a finished import can be undone (撤销). */
const UNDO_SECONDS = 10;
/**
 * The reason recorded when an import is undone. Undoing is the core's withdraw correction, not
 * a deletion: evidence is never removed silently, so the files stay in the vault, listed as
 * withdrawn with this reason in the case, its audit trail and its package.
 */
const UNDO_REASON = '导入后随即撤销(误操作) undone right after import';

export function ImportStatus({
  state,
  caseId,
  onChanged,
}: {
  state: ImportState | undefined;
  caseId: string;
  onChanged: () => Promise<void>;
}) {
  const [undo, setUndo] = useState<
    { kind: 'offered'; left: number } | { kind: 'undoing' } | { kind: 'undone'; files: number } | { kind: 'gone' }
  >({ kind: 'gone' });
  const [undoError, setUndoError] = useState<ErrorReport | null>(null);
  const added =
    state?.kind === 'done'
      ? state.outcomes.filter((outcome) => outcome.status === 'added' && outcome.evidence !== null)
      : [];

  // A new finished import offers 撤销 for a few seconds.
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the import's state object: each finished import is a new one
  useEffect(() => {
    setUndoError(null);
    if (added.length === 0) {
      setUndo({ kind: 'gone' });
      return;
    }
    setUndo({ kind: 'offered', left: UNDO_SECONDS });
    const timer = window.setInterval(() => {
      setUndo((current) => {
        if (current.kind !== 'offered') return current;
        return current.left <= 1 ? { kind: 'gone' } : { kind: 'offered', left: current.left - 1 };
      });
    }, 1000);
    return () => window.clearInterval(timer);
  }, [state]);

  const undoImport = async () => {
    setUndo({ kind: 'undoing' });
    let undone = 0;
    for (const outcome of added) {
      const evidence = outcome.evidence;
      if (evidence === null) continue;
      const result = await call('withdraw_file', {
        case_id: caseId,
        evidence_id: Number(evidence.id),
        reason: UNDO_REASON,
      });
      if (result.ok) undone += 1;
      else setUndoError(result.error);
    }
    setUndo({ kind: 'undone', files: undone });
    await onChanged();
  };

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
      <Bilingual
        text={bilingual((m) => m.caseView.imported(count('added'), count('already_present'), failed.length))}
      />
      {undo.kind === 'offered' && (
        <>
          {' '}
          <button
            type="button"
            className="button button--small"
            onClick={() => void undoImport()}
            data-testid="undo-import"
          >
            <Bilingual text={bilingual((m) => m.caseView.undoImport(undo.left))} />
          </button>
        </>
      )}
      {undo.kind === 'undone' && (
        <span data-testid="import-undone">
          {' '}
          <Bilingual text={bilingual((m) => m.caseView.importUndone(undo.files))} />
        </span>
      )}
      {undoError !== null && (
        <span className="field-problem" data-error-code={undoError.code}>
          {' '}
          {undoError.code} {undoError.message}
        </span>
      )}
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
