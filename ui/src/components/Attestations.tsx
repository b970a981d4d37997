import { useState } from 'react';

import { call } from '../api';
import type { CheckedFile } from '../bindings/CheckedFile';
import type { ErrorReport } from '../errors';
import type { Mark } from '../bindings/Mark';
import { bilingual } from '../locales';
import { termText, useVocabulary } from '../vocabulary';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';

/**
 * The stamps and signatures the material asks for (and the marks it offers, such as both sides
 * of an ID card in one file), as boxes the manager ticks once they see them on the file: on
 * the file card, and in the viewer, beside the file shown full size.
 */
export function Attestations({
  caseId,
  file,
  asked,
  onChanged,
}: {
  caseId: string;
  file: CheckedFile;
  asked: Mark[];
  onChanged: () => Promise<void>;
}) {
  const vocabulary = useVocabulary();
  const [error, setError] = useState<ErrorReport | null>(null);
  // An attestation replaces the file's marks with the set shown; while one is being recorded
  // and the case reloaded, the boxes are locked so a second click cannot start from a stale set.
  const [busy, setBusy] = useState(false);
  if (asked.length === 0) return null;

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
      {error !== null && <ErrorBanner error={error} onRetry={() => setError(null)} />}
    </fieldset>
  );
}
