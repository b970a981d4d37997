import { useId, useState } from 'react';

import { call } from '../api';
import type { CheckedFile } from '../bindings/CheckedFile';
import type { ErrorReport } from '../errors';
import type { NoteRecord } from '../bindings/NoteRecord';
import { bilingual } from '../locales';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';
import { useCaseCorrection } from './FileActions';
import { ReasonDialog } from './ReasonDialog';

/** The core's limit on a note (`MAX_NOTE_CHARS`). */
const MAX_NOTE_CHARS = 2000;

/** Who wrote a note and when (UTC, as recorded, to the minute). */
function writtenBy(note: NoteRecord) {
  const when = note.written_at.slice(0, 16).replace('T', ' ');
  return <Bilingual text={bilingual((m) => m.notes.writtenBy(note.written_by, when))} />;
}

function NoteList({ notes, testId }: { notes: NoteRecord[]; testId: string }) {
  return (
    <ul className="notes__list" data-testid={testId}>
      {notes.map((note) => (
        <li key={note.id} className="note" data-testid="note">
          <p className="note__text">{note.text}</p>
          <p className="muted note__by">{writtenBy(note)}</p>
        </li>
      ))}
    </ul>
  );
}

/**
 * 备注 on the case (法人不在场，以视频代替): the notes written so far and a box to add one
 * (`add_note`). They go into the package and the report; a note is never changed afterwards.
 */
export function CaseNotes() {
  const { caseId, notes, onChanged } = useCaseCorrection();
  const id = useId();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorReport | null>(null);
  const caseNotes = notes.filter((note) => note.evidence_id === null);
  const empty = text.trim() === '';

  const add = async () => {
    if (empty) return;
    setBusy(true);
    const outcome = await call('add_note', { case_id: caseId, evidence_id: null, text: text.trim() });
    setBusy(false);
    if (!outcome.ok) {
      setError(outcome.error);
      return;
    }
    setText('');
    setError(null);
    await onChanged();
  };

  return (
    <section className="panel notes" aria-labelledby={`${id}-heading`} data-testid="case-notes">
      <h2 id={`${id}-heading`} className="section-heading">
        <Bilingual text={bilingual((m) => m.notes.heading)} />
      </h2>
      <p className="hint">
        <Bilingual text={bilingual((m) => m.notes.intro)} />
      </p>
      {caseNotes.length === 0 ? (
        <p className="muted">
          <Bilingual text={bilingual((m) => m.notes.none)} />
        </p>
      ) : (
        <NoteList notes={caseNotes} testId="case-note-list" />
      )}
      <label htmlFor={`${id}-text`}>
        <Bilingual text={bilingual((m) => m.notes.caseLabel)} />
      </label>
      <textarea
        id={`${id}-text`}
        className="input"
        rows={2}
        maxLength={MAX_NOTE_CHARS}
        value={text}
        onChange={(event) => setText(event.target.value)}
        data-testid="case-note-input"
      />
      {error !== null && <ErrorBanner error={error} onRetry={() => setError(null)} />}
      <div className="button-row">
        <button
          type="button"
          className="button"
          onClick={() => void add()}
          disabled={empty || busy}
          data-testid="case-note-add"
        >
          <Bilingual text={bilingual((m) => m.notes.add)} />
        </button>
      </div>
    </section>
  );
}

/** The notes on one file, under its card, and 备注… to add one. */
export function FileNotes({ file }: { file: CheckedFile }) {
  const { caseId, notes, onChanged } = useCaseCorrection();
  const [open, setOpen] = useState(false);
  const fileNotes = notes.filter(
    (note) => note.evidence_id !== null && String(note.evidence_id) === String(file.evidence_id),
  );

  const add = async (text: string): Promise<ErrorReport | null> => {
    const outcome = await call('add_note', { case_id: caseId, evidence_id: Number(file.evidence_id), text });
    if (!outcome.ok) return outcome.error;
    setOpen(false);
    await onChanged();
    return null;
  };

  return (
    <div className="file-notes">
      {fileNotes.length > 0 && <NoteList notes={fileNotes} testId="file-note-list" />}
      <button type="button" className="button button--small" onClick={() => setOpen(true)} data-testid="file-note">
        <Bilingual text={bilingual((m) => m.notes.fileAdd)} />
      </button>
      {open && (
        <ReasonDialog
          heading={bilingual((m) => m.notes.fileHeading)}
          explanation={bilingual((m) => m.notes.fileExplain)}
          label={bilingual((m) => m.notes.label)}
          confirmLabel={bilingual((m) => m.notes.add)}
          requiredHint={bilingual((m) => m.notes.required)}
          maxLength={MAX_NOTE_CHARS}
          onConfirm={add}
          onCancel={() => setOpen(false)}
        />
      )}
    </div>
  );
}
