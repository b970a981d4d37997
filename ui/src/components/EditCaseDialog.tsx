import { useState } from 'react';

import { call } from '../api';
import type { Case } from '../bindings/Case';
import type { ErrorReport } from '../errors';
import { bilingual } from '../locales';
import { Bilingual } from './Bilingual';
import {
  BusinessFields,
  type CaseDraft,
  draftOf,
  isVisitDate,
  MerchantFields,
  newCaseOf,
  PremisesFields,
} from './CaseAttributesFields';
import { Modal, ModalActions } from './ReasonDialog';

/**
 * 编辑案件信息: every attribute of the new-case wizard on one form (the wizard's own fields, `CaseAttributesFields`), sent
 * whole to `update_case`; the core validates it, keeps every file and derives the checklist and
 * the findings again, which the case view then shows.
 */
export function EditCaseButton({ caseRecord, onSaved }: { caseRecord: Case; onSaved: () => Promise<void> }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button" onClick={() => setOpen(true)} data-testid="edit-case">
        <Bilingual text={bilingual((m) => m.correction.editCase)} />
      </button>
      {open && (
        <EditCaseDialog
          caseRecord={caseRecord}
          onClose={() => setOpen(false)}
          onSaved={async () => {
            setOpen(false);
            await onSaved();
          }}
        />
      )}
    </>
  );
}

function EditCaseDialog({
  caseRecord,
  onClose,
  onSaved,
}: {
  caseRecord: Case;
  onClose: () => void;
  onSaved: () => Promise<void>;
}) {
  const [draft, setDraft] = useState<CaseDraft>(() => draftOf(caseRecord));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorReport | null>(null);
  const [nameMissing, setNameMissing] = useState(false);
  const [dateInvalid, setDateInvalid] = useState(false);

  const save = async () => {
    const nameMissingNow = draft.merchantName.trim() === '';
    const dateInvalidNow = !isVisitDate(draft.visitDate);
    setNameMissing(nameMissingNow);
    setDateInvalid(dateInvalidNow);
    if (nameMissingNow || dateInvalidNow) return;
    setBusy(true);
    const outcome = await call('update_case', { case_id: caseRecord.id, change: newCaseOf(draft) });
    setBusy(false);
    if (!outcome.ok) {
      setError(outcome.error);
      return;
    }
    await onSaved();
  };

  return (
    <Modal heading={bilingual((m) => m.correction.editHeading)} onClose={onClose} testId="edit-case-dialog">
      <MerchantFields
        draft={draft}
        onChange={setDraft}
        testIdPrefix="edit"
        nameMissing={nameMissing}
        dateInvalid={dateInvalid}
      />
      <BusinessFields draft={draft} onChange={setDraft} testIdPrefix="edit" />
      <PremisesFields draft={draft} onChange={setDraft} testIdPrefix="edit" />
      <ModalActions
        error={error}
        onDismissError={() => setError(null)}
        onCancel={onClose}
        onConfirm={save}
        confirmDisabled={busy}
        confirmLabel={bilingual((m) => m.correction.editSave)}
        confirmTestId="edit-save"
      />
    </Modal>
  );
}
