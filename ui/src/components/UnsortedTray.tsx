import { useEffect, useState } from 'react';

import { call } from '../api';
import type { CaseCheck } from '../bindings/CaseCheck';
import type { CheckedItem } from '../bindings/CheckedItem';
import type { UnsortedFile } from '../bindings/UnsortedFile';
import type { UnsortedTray as Tray } from '../bindings/UnsortedTray';
import type { ErrorReport } from '../errors';
import { TRAY_ANCHOR } from '../itemState';
import { bilingual, bilingualLine } from '../locales';
import { Bilingual } from './Bilingual';
import { DropBanner } from './DropBanner';
import { ErrorBanner } from './ErrorBanner';
import { type ImportState, ImportStatus } from './MaterialSlot';
import { ReasonDialog } from './ReasonDialog';
import { Thumbnail } from './Thumbnail';

/** The tray's key in the core (`tray::UNSORTED_MATERIAL`): imports and drops go there by it. */
export const UNSORTED_MATERIAL = 'unsorted';

/**
 * The 未分类 tray: a whole phone folder (or several files) imported at once, each file shown with
 * its thumbnail, what the core takes it for and the material it suggests, preselected but never
 * applied until 分配 is pressed. One file or a selection is assigned to a material (it then gets
 * that material's checks) or withdrawn with a reason. Everything comes from the core's
 * `unsorted_tray`; files dropped on it land here like on a material's card (`data-material`).
 */
export function UnsortedTray({
  caseId,
  check,
  importState,
  dropTarget,
  onAdd,
  onAssigned,
  onChanged,
}: {
  caseId: string;
  /** The case's check: the materials to offer, and a new one whenever the case changed. */
  check: CaseCheck;
  importState: ImportState | undefined;
  dropTarget: boolean;
  onAdd: (paths: string[]) => void;
  /** Files were assigned: the case is checked again and documents read. */
  onAssigned: () => Promise<void>;
  onChanged: () => Promise<void>;
}) {
  const [tray, setTray] = useState<Tray | null>(null);
  const [error, setError] = useState<ErrorReport | null>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  // The material chosen for each file: the suggestion until the manager picks another.
  const [choice, setChoice] = useState<Record<number, string>>({});
  const [bulkChoice, setBulkChoice] = useState('');
  const [withdrawing, setWithdrawing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const running = importState?.kind === 'running';

  // biome-ignore lint/correctness/useExhaustiveDependencies: check (the case's last check) triggers a fresh read
  useEffect(() => {
    let current = true;
    void call('unsorted_tray', { case_id: caseId }).then((outcome) => {
      if (!current) return;
      if (outcome.ok) {
        setTray(outcome.value);
        const waiting = new Set(outcome.value.files.map((file) => Number(file.evidence.id)));
        setSelected((old) => new Set([...old].filter((id) => waiting.has(id))));
      } else setError(outcome.error);
    });
    return () => {
      current = false;
    };
  }, [caseId, check]);

  const items = check.items.filter((item) => item.applicable || item.files.length > 0);
  const title = (key: string) => items.find((item) => item.key === key)?.title_zh ?? key;
  const files = tray?.files ?? [];

  const pick = async (command: 'pick_files' | 'pick_folder') => {
    setError(null);
    const outcome = await call(command, {});
    if (outcome.ok) onAdd(outcome.value);
    else setError(outcome.error);
  };

  const assign = async (ids: number[], material: string) => {
    if (ids.length === 0 || material === '') return;
    setBusy(true);
    setError(null);
    const outcome = await call('assign_unsorted_files', { case_id: caseId, evidence_ids: ids, material });
    setBusy(false);
    if (!outcome.ok) {
      setError(outcome.error);
      return;
    }
    const failed = outcome.value.find((assigned) => assigned.error !== null);
    if (failed?.error) setError(failed.error);
    const done = outcome.value.filter((assigned) => assigned.evidence !== null).length;
    setResult(bilingualLine((m) => m.tray.assigned(done, title(material))));
    setSelected(new Set());
    await onAssigned();
  };

  const withdraw = async (reason: string): Promise<ErrorReport | null> => {
    const outcome = await call('withdraw_unsorted_files', { case_id: caseId, evidence_ids: [...selected], reason });
    if (!outcome.ok) return outcome.error;
    setWithdrawing(false);
    setSelected(new Set());
    await onChanged();
    return null;
  };

  const toggle = (id: number) =>
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <section
      id={TRAY_ANCHOR}
      tabIndex={-1}
      className={`panel tray${dropTarget ? ' slot--drop-target' : ''}${files.length > 0 ? ' tray--waiting' : ''}`}
      aria-labelledby="tray-heading"
      data-material={UNSORTED_MATERIAL}
      data-testid="unsorted-tray"
      data-count={files.length}
    >
      {dropTarget && <DropBanner title={(m) => m.tray.heading} />}
      <header className="tray__head">
        <h3 id="tray-heading" className="tray__title">
          <Bilingual text={bilingual((m) => m.tray.heading)} />
          {files.length > 0 && (
            <span className="badge badge--present" data-testid="tray-count">
              <Bilingual text={bilingual((m) => m.tray.count(files.length))} />
            </span>
          )}
        </h3>
        <div className="tray__import">
          <button
            type="button"
            className="button"
            onClick={() => void pick('pick_folder')}
            disabled={running}
            data-testid="tray-import-folder"
          >
            <Bilingual text={bilingual((m) => m.tray.importFolder)} />
          </button>
          <button
            type="button"
            className="button"
            onClick={() => void pick('pick_files')}
            disabled={running}
            data-testid="tray-import-files"
          >
            <Bilingual text={bilingual((m) => m.tray.importFiles)} />
          </button>
        </div>
      </header>
      <p className="hint">
        <Bilingual text={bilingual((m) => (files.length === 0 ? m.tray.empty : m.tray.intro))} />
      </p>
      <ImportStatus state={importState} caseId={caseId} onChanged={onChanged} />
      {error !== null && <ErrorBanner error={error} onRetry={() => setError(null)} />}
      {result !== null && (
        <p className="muted" role="status" data-testid="tray-result">
          {result}
        </p>
      )}

      {files.length > 0 && (
        <>
          <div className="tray__bulk" data-testid="tray-bulk">
            <button
              type="button"
              className="button button--small button--quiet"
              onClick={() =>
                setSelected(
                  selected.size === files.length ? new Set() : new Set(files.map((file) => Number(file.evidence.id))),
                )
              }
              data-testid="tray-select-all"
            >
              <Bilingual
                text={bilingual((m) => (selected.size === files.length ? m.tray.selectNone : m.tray.selectAll))}
              />
            </button>
            {selected.size > 0 && (
              <>
                <label htmlFor="tray-bulk-select">
                  <Bilingual text={bilingual((m) => m.tray.assignSelected(selected.size))} />
                </label>
                <MaterialSelect
                  id="tray-bulk-select"
                  items={items}
                  candidates={[]}
                  value={bulkChoice}
                  onChange={setBulkChoice}
                  testId="tray-bulk-select"
                />
                <button
                  type="button"
                  className="button button--small button--primary"
                  disabled={busy || bulkChoice === ''}
                  onClick={() => void assign([...selected], bulkChoice)}
                  data-testid="tray-bulk-assign"
                >
                  <Bilingual text={bilingual((m) => m.tray.assign)} />
                </button>
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => setWithdrawing(true)}
                  data-testid="tray-withdraw"
                >
                  <Bilingual text={bilingual((m) => m.tray.withdrawSelected(selected.size))} />
                </button>
              </>
            )}
          </div>
          <ul className="tray__files">
            {files.map((file) => (
              <TrayFile
                key={file.evidence.id.toString()}
                file={file}
                items={items}
                title={title}
                selected={selected.has(Number(file.evidence.id))}
                onToggle={() => toggle(Number(file.evidence.id))}
                chosen={choice[Number(file.evidence.id)] ?? file.suggested_material ?? ''}
                onChoose={(material) => setChoice((old) => ({ ...old, [Number(file.evidence.id)]: material }))}
                busy={busy}
                onAssign={(material) => void assign([Number(file.evidence.id)], material)}
              />
            ))}
          </ul>
        </>
      )}
      {withdrawing && (
        <ReasonDialog
          heading={bilingual((m) => m.tray.withdrawHeading)}
          explanation={bilingual((m) => m.tray.withdrawExplain)}
          label={bilingual((m) => m.tray.withdrawLabel)}
          confirmLabel={bilingual((m) => m.tray.withdrawConfirm)}
          onConfirm={withdraw}
          onCancel={() => setWithdrawing(false)}
        />
      )}
    </section>
  );
}

/** The materials to choose from: the file's candidates first (its kind), then every other. */
function MaterialSelect({
  id,
  items,
  candidates,
  value,
  onChange,
  testId,
}: {
  id: string;
  items: CheckedItem[];
  candidates: string[];
  value: string;
  onChange: (material: string) => void;
  testId: string;
}) {
  const first = candidates.map((key) => items.find((item) => item.key === key)).filter((item) => item !== undefined);
  const rest = items.filter((item) => !candidates.includes(item.key));
  return (
    <select
      id={id}
      className="input tray__select"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      data-testid={testId}
    >
      <option value="">{bilingualLine((m) => m.tray.choose)}</option>
      {first.length > 0 && (
        <optgroup label={bilingualLine((m) => m.tray.suggested)}>
          {first.map((item) => (
            <option key={item.key} value={item.key}>
              {item.title_zh}
            </option>
          ))}
        </optgroup>
      )}
      {rest.map((item) => (
        <option key={item.key} value={item.key}>
          {item.title_zh}
        </option>
      ))}
    </select>
  );
}

function TrayFile({
  file,
  items,
  title,
  selected,
  onToggle,
  chosen,
  onChoose,
  busy,
  onAssign,
}: {
  file: UnsortedFile;
  items: CheckedItem[];
  title: (key: string) => string;
  selected: boolean;
  onToggle: () => void;
  chosen: string;
  onChoose: (material: string) => void;
  busy: boolean;
  onAssign: (material: string) => void;
}) {
  const id = `tray-file-${file.evidence.id}`;
  const name = file.evidence.original_name;
  const facts = [
    file.captured_at?.replace('T', ' ').slice(0, 16),
    file.camera,
    file.width !== null && file.height !== null ? `${file.width}×${file.height}` : undefined,
  ].filter((fact) => fact !== undefined && fact !== null);
  return (
    <li
      className={`tray-file${selected ? ' tray-file--selected' : ''}`}
      data-testid="tray-file"
      data-name={name}
      data-suggested={file.suggested_material ?? ''}
      data-kind={file.kind ?? ''}
    >
      <input
        type="checkbox"
        className="tray-file__check"
        checked={selected}
        onChange={onToggle}
        aria-label={bilingualLine((m) => m.tray.select(name))}
        data-testid="tray-select"
      />
      <Thumbnail
        file={{ sha256: file.evidence.sha256, media_type: file.evidence.media_type, name }}
        findingCount={0}
        worst="none"
      />
      <div className="tray-file__body">
        <p className="tray-file__name" title={name}>
          {name}
        </p>
        <p className="tray-file__kind">
          <Bilingual text={bilingual((m) => (file.kind === null ? m.tray.unknownKind : m.tray.kind[file.kind]))} />
          {file.signs.length > 0 && (
            <span className="muted">
              {' '}
              (
              {file.signs.map((sign, index) => (
                <span key={sign}>
                  {index > 0 && '、'}
                  <Bilingual text={bilingual((m) => m.tray.sign[sign])} />
                </span>
              ))}
              )
            </span>
          )}
        </p>
        {facts.length > 0 && <p className="tray-file__facts">{facts.join(' · ')}</p>}
        {file.already_in.length > 0 && (
          <p className="field-problem field-problem--warning" data-testid="tray-already-in">
            <Bilingual text={bilingual((m) => m.tray.alreadyIn(file.already_in.map(title).join('、')))} />
          </p>
        )}
        <p className="tray-file__suggestion" data-testid="tray-suggestion">
          {file.suggested_material !== null ? (
            <>
              <Bilingual text={bilingual((m) => m.tray.suggested)} />: <strong>{title(file.suggested_material)}</strong>
            </>
          ) : (
            <Bilingual text={bilingual((m) => m.tray.noSuggestion)} />
          )}
        </p>
        <div className="tray-file__assign">
          <label className="visually-hidden" htmlFor={`${id}-select`}>
            <Bilingual text={bilingual((m) => m.tray.assignTo)} />
          </label>
          <MaterialSelect
            id={`${id}-select`}
            items={items}
            candidates={file.candidates}
            value={chosen}
            onChange={onChoose}
            testId="tray-assign-select"
          />
          <button
            type="button"
            className="button button--small button--primary"
            disabled={busy || chosen === ''}
            onClick={() => onAssign(chosen)}
            data-testid="tray-assign"
          >
            <Bilingual text={bilingual((m) => m.tray.assign)} />
          </button>
        </div>
      </div>
    </li>
  );
}
