import type { ErrorReport } from '../errors';
import { isKnownErrorCode } from '../errors';
import { bilingual } from '../locales';
import { Bilingual } from './Bilingual';

/** An error from a command: what it means, by its code, with the core's message as detail. */
export function ErrorBanner({ error, onRetry }: { error: ErrorReport; onRetry: () => void }) {
  const { code } = error;
  const explanation = isKnownErrorCode(code)
    ? bilingual((m) => m.errors.byCode[code])
    : bilingual((m) => m.errors.unknown);
  return (
    <div className="error-banner" role="alert" data-error-code={code}>
      <div className="error-banner__text">
        <Bilingual text={explanation} stacked />
        <p className="error-banner__detail">
          <span className="error-banner__code">{code}</span> {error.message}
        </p>
      </div>
      <button type="button" className="button" onClick={onRetry}>
        <Bilingual text={bilingual((m) => m.errors.retry)} />
      </button>
    </div>
  );
}
