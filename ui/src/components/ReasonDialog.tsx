import { type ReactNode, useEffect, useId, useRef, useState } from 'react';

import type { ErrorReport } from '../errors';
import { bilingual, type BilingualText } from '../locales';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';

/**
 * A modal box over the page: a heading, its content, and Escape to close. Used by the reason
 * dialogs, 移到… and 编辑案件信息.
 */
export function Modal({
  heading,
  onClose,
  testId,
  children,
}: {
  heading: BilingualText;
  onClose: () => void;
  testId: string;
  children: ReactNode;
}) {
  const id = useId();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop">
      <div
        className="modal panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-heading`}
        data-testid={testId}
      >
        <h2 id={`${id}-heading`} className="modal__heading">
          <Bilingual text={heading} />
        </h2>
        {children}
      </div>
    </div>
  );
}

/**
 * The foot of a modal box: the last error (dismissable), 取消 and the confirming button. One
 * place, so the three dialogs keep the same order, look and keyboard behaviour.
 */
export function ModalActions({
  error,
  onDismissError,
  onCancel,
  cancelTestId,
  onConfirm,
  confirmDisabled,
  confirmLabel,
  confirmTestId,
}: {
  error: ErrorReport | null;
  onDismissError: () => void;
  onCancel: () => void;
  cancelTestId?: string;
  onConfirm: () => Promise<void>;
  confirmDisabled: boolean;
  confirmLabel: BilingualText;
  confirmTestId: string;
}) {
  return (
    <>
      {error !== null && <ErrorBanner error={error} onRetry={onDismissError} />}
      <div className="button-row">
        <button type="button" className="button button--quiet" onClick={onCancel} data-testid={cancelTestId}>
          <Bilingual text={bilingual((m) => m.correction.cancel)} />
        </button>
        <button
          type="button"
          className="button button--primary"
          onClick={() => void onConfirm()}
          disabled={confirmDisabled}
          data-testid={confirmTestId}
        >
          <Bilingual text={confirmLabel} />
        </button>
      </div>
    </>
  );
}

/**
 * Asks for the manager's reason (撤回, 接受…): the confirm button stays disabled while the
 * reason is empty or only spaces, so an empty one can never be sent (the core refuses it too).
 * `onConfirm` answers with the core's error, shown in the dialog, or null when done.
 */
export function ReasonDialog({
  heading,
  explanation,
  label,
  confirmLabel,
  onConfirm,
  onCancel,
  requiredHint = bilingual((m) => m.correction.reasonRequired),
  maxLength = 500,
}: {
  heading: BilingualText;
  explanation: BilingualText;
  label: BilingualText;
  confirmLabel: BilingualText;
  onConfirm: (reason: string) => Promise<ErrorReport | null>;
  onCancel: () => void;
  /** What the hint says while the text is empty (a note is no reason). */
  requiredHint?: BilingualText;
  /** The core's limit for this text (`MAX_REASON_CHARS`, `MAX_NOTE_CHARS`). */
  maxLength?: number;
}) {
  const id = useId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorReport | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  useEffect(() => input.current?.focus(), []);
  const empty = reason.trim() === '';

  const confirm = async () => {
    if (empty) return;
    setBusy(true);
    const failure = await onConfirm(reason.trim());
    setBusy(false);
    setError(failure);
  };

  return (
    <Modal heading={heading} onClose={onCancel} testId="reason-dialog">
      <p className="hint">
        <Bilingual text={explanation} />
      </p>
      <label htmlFor={`${id}-reason`}>
        <Bilingual text={label} />
      </label>
      <textarea
        id={`${id}-reason`}
        ref={input}
        className="input"
        rows={3}
        maxLength={maxLength}
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        aria-invalid={empty}
        aria-describedby={`${id}-required`}
        data-testid="reason-input"
      />
      {empty && (
        <p className="hint" id={`${id}-required`}>
          <Bilingual text={requiredHint} />
        </p>
      )}
      <ModalActions
        error={error}
        onDismissError={() => setError(null)}
        onCancel={onCancel}
        cancelTestId="reason-cancel"
        onConfirm={confirm}
        confirmDisabled={empty || busy}
        confirmLabel={confirmLabel}
        confirmTestId="reason-confirm"
      />
    </Modal>
  );
}
