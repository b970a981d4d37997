import { createContext, useContext, useEffect, useId, useState } from 'react';

import { call } from '../api';
import type { CaseFinding } from '../bindings/CaseFinding';
import type { CheckedFile } from '../bindings/CheckedFile';
import type { CheckedItem } from '../bindings/CheckedItem';
import type { ErrorReport } from '../errors';
import type { NoteRecord } from '../bindings/NoteRecord';
import type { WithdrawnFile } from '../bindings/WithdrawnFile';
import { bilingual, messagesOf } from '../locales';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';
import { Modal, ModalActions, ReasonDialog } from './ReasonDialog';

/**
 * What a file card needs to know about its case to correct it: the case's id, its checklist
 * items (the targets of 移到…) and how to ask the core again after a change. Given once by the
 * case view, so the cards need no extra props.
 */
export interface CaseCorrection {
  caseId: string;
  items: CheckedItem[];
  /** The notes of the case and of its files (备注), oldest first. */
  notes: NoteRecord[];
  onChanged: () => Promise<void>;
}

export const CaseCorrectionContext = createContext<CaseCorrection | null>(null);

export function useCaseCorrection(): CaseCorrection {
  const context = useContext(CaseCorrectionContext);
  if (context === null) throw new Error('FileActions used outside a CaseCorrectionContext');
  return context;
}

type Open = 'none' | 'move' | 'withdraw';

/** 查看 (the viewer, `onView`), 移到… and 撤回 on a file card. */
export function FileActions({ file, material, onView }: { file: CheckedFile; material: string; onView: () => void }) {
  const { caseId, onChanged } = useCaseCorrection();
  const [open, setOpen] = useState<Open>('none');
  const close = () => setOpen('none');

  const withdraw = async (reason: string): Promise<ErrorReport | null> => {
    const outcome = await call('withdraw_file', { case_id: caseId, evidence_id: Number(file.evidence_id), reason });
    if (!outcome.ok) return outcome.error;
    close();
    await onChanged();
    return null;
  };

  return (
    <div className="file-actions">
      <button type="button" className="button button--small" onClick={onView} data-testid="file-view">
        <Bilingual text={bilingual((m) => m.correction.view)} />
      </button>
      <button type="button" className="button button--small" onClick={() => setOpen('move')} data-testid="file-move">
        <Bilingual text={bilingual((m) => m.correction.moveTo)} />
      </button>
      <button
        type="button"
        className="button button--small"
        onClick={() => setOpen('withdraw')}
        data-testid="file-withdraw"
      >
        <Bilingual text={bilingual((m) => m.correction.withdraw)} />
      </button>
      {open === 'move' && <MoveDialog file={file} material={material} onClose={close} />}
      {open === 'withdraw' && (
        <ReasonDialog
          heading={bilingual((m) => m.correction.withdrawHeading)}
          explanation={bilingual((m) => m.correction.withdrawExplain)}
          label={bilingual((m) => m.correction.withdrawReason)}
          confirmLabel={bilingual((m) => m.correction.withdrawConfirm)}
          onConfirm={withdraw}
          onCancel={close}
        />
      )}
    </div>
  );
}

/** 移到…: the case's applicable materials first, then the others, the current one left out. */
function MoveDialog({ file, material, onClose }: { file: CheckedFile; material: string; onClose: () => void }) {
  const { caseId, items, onChanged } = useCaseCorrection();
  const id = useId();
  const targets = [...items.filter((item) => item.applicable), ...items.filter((item) => !item.applicable)].filter(
    (item) => item.key !== material,
  );
  const [to, setTo] = useState(targets[0]?.key ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorReport | null>(null);

  const move = async () => {
    setBusy(true);
    const outcome = await call('move_file', { case_id: caseId, evidence_id: Number(file.evidence_id), to });
    setBusy(false);
    if (!outcome.ok) {
      setError(outcome.error);
      return;
    }
    onClose();
    await onChanged();
  };

  return (
    <Modal heading={bilingual((m) => m.correction.moveHeading)} onClose={onClose} testId="move-dialog">
      <p className="hint">{file.name}</p>
      <label htmlFor={`${id}-to`}>
        <Bilingual text={bilingual((m) => m.correction.moveTarget)} />
      </label>
      <select
        id={`${id}-to`}
        className="input"
        value={to}
        onChange={(event) => setTo(event.target.value)}
        data-testid="move-target"
      >
        {targets.map((item) => (
          <option key={item.key} value={item.key}>
            {item.title_zh} {item.title_en}
          </option>
        ))}
      </select>
      <ModalActions
        error={error}
        onDismissError={() => setError(null)}
        onCancel={onClose}
        onConfirm={move}
        confirmDisabled={busy || to === ''}
        confirmLabel={bilingual((m) => m.correction.moveConfirm)}
        confirmTestId="move-confirm"
      />
    </Modal>
  );
}

/**
 * 接受… on a finding, or who accepted it and why. `unreadable` has no button: the file must be
 * replaced (the core refuses it too).
 */
export function FindingAcceptance({ finding, file }: { finding: CaseFinding; file: CheckedFile }) {
  const { caseId, onChanged } = useCaseCorrection();
  const [open, setOpen] = useState(false);
  if (finding.accepted !== undefined) {
    return (
      <span className="finding__accepted" data-testid="finding-accepted">
        <span className="badge badge--accepted">
          <Bilingual text={bilingual((m) => m.correction.accepted)} />
        </span>{' '}
        {finding.accepted.accepted_by}：{finding.accepted.reason}
      </span>
    );
  }
  if (finding.code === 'unreadable') return null;

  const accept = async (reason: string): Promise<ErrorReport | null> => {
    const outcome = await call('accept_finding', {
      case_id: caseId,
      evidence_id: Number(file.evidence_id),
      code: finding.code,
      reason,
    });
    if (!outcome.ok) return outcome.error;
    setOpen(false);
    await onChanged();
    return null;
  };

  return (
    <>
      <button type="button" className="button button--small" onClick={() => setOpen(true)} data-testid="finding-accept">
        <Bilingual text={bilingual((m) => m.correction.accept)} />
      </button>
      {open && (
        <ReasonDialog
          heading={bilingual((m) => m.correction.acceptHeading(finding.code))}
          explanation={bilingual((m) => m.correction.acceptExplain)}
          label={bilingual((m) => m.correction.acceptReason)}
          confirmLabel={bilingual((m) => m.correction.acceptConfirm)}
          onConfirm={accept}
          onCancel={() => setOpen(false)}
        />
      )}
    </>
  );
}

/**
 * 已撤回: the case's withdrawn files, collapsed until opened, each struck through with why and
 * who, and 恢复. Asked again whenever `version` (the case's check) changes.
 */
export function WithdrawnFiles({ version }: { version: unknown }) {
  const { caseId, items, onChanged } = useCaseCorrection();
  const [files, setFiles] = useState<WithdrawnFile[]>([]);
  const [expanded, setExpanded] = useState(false);
  const [error, setError] = useState<ErrorReport | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: version (the case's last check) triggers a fresh read
  useEffect(() => {
    let current = true;
    void call('withdrawn_files', { case_id: caseId }).then((outcome) => {
      if (!current) return;
      if (outcome.ok) setFiles(outcome.value);
      else setError(outcome.error);
    });
    return () => {
      current = false;
    };
  }, [caseId, version]);
  // Collapsed again once nothing is withdrawn: the next withdrawal starts collapsed too.
  useEffect(() => {
    if (files.length === 0) setExpanded(false);
  }, [files.length]);

  if (files.length === 0 && error === null) return null;
  const title = (key: string) => {
    const item = items.find((candidate) => candidate.key === key);
    // A file withdrawn from the 未分类 tray (its key is the core's tray::UNSORTED_MATERIAL).
    if (item === undefined && key === 'unsorted') return messagesOf('zh-CN').tray.heading;
    return item === undefined ? key : item.title_zh;
  };

  const restore = async (file: WithdrawnFile) => {
    const outcome = await call('restore_file', { case_id: caseId, evidence_id: Number(file.evidence.id) });
    if (!outcome.ok) {
      setError(outcome.error);
      return;
    }
    setError(null);
    await onChanged();
  };

  return (
    <section className="withdrawn" data-testid="withdrawn-files">
      <button
        type="button"
        className="button button--quiet"
        aria-expanded={expanded}
        onClick={() => setExpanded(!expanded)}
        data-testid="withdrawn-toggle"
      >
        <Bilingual text={bilingual((m) => m.correction.withdrawn(files.length))} />
      </button>
      {expanded && (
        <ul className="withdrawn__list">
          {files.map((file) => (
            <li
              key={file.evidence.id.toString()}
              className="withdrawn__file"
              data-testid="withdrawn-file"
              data-file-name={file.evidence.original_name}
            >
              <s>{file.evidence.original_name}</s> <span className="muted">{title(file.evidence.material_key)}</span>
              <br />
              <span className="withdrawn__reason">{file.reason}</span>{' '}
              <span className="muted">
                <Bilingual
                  text={bilingual((m) =>
                    m.correction.withdrawnBy(file.withdrawn_by, file.withdrawn_at.slice(0, 16).replace('T', ' ')),
                  )}
                />
              </span>{' '}
              <button
                type="button"
                className="button button--small"
                onClick={() => void restore(file)}
                data-testid="withdrawn-restore"
              >
                <Bilingual text={bilingual((m) => m.correction.restore)} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {error !== null && <ErrorBanner error={error} onRetry={() => setError(null)} />}
    </section>
  );
}
