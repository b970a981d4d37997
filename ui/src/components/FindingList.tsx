import type { CaseFinding } from '../bindings/CaseFinding';
import type { CheckedFile } from '../bindings/CheckedFile';
import { useFindingAdvice } from '../advice';
import { bilingual, bilingualLine } from '../locales';
import { Bilingual } from './Bilingual';
import { FindingAcceptance } from './FileActions';

/**
 * A file's findings, each said as the manager needs it at the counter: a short label, what it
 * costs the case, what to do; the code and the measured values (the core's message) behind 详情.
 */
export function FindingList({ findings, file }: { findings: CaseFinding[]; file: CheckedFile }) {
  if (findings.length === 0) return null;
  return (
    <ul className="findings" aria-label={bilingualLine((m) => m.caseView.findings)}>
      {findings.map((finding) => (
        <FindingItem key={finding.code} finding={finding} file={file} />
      ))}
    </ul>
  );
}

/** One finding; 接受… (or who accepted it and why) under its label. */
export function FindingItem({ finding, file }: { finding: CaseFinding; file: CheckedFile }) {
  const advice = useFindingAdvice()[finding.code];
  return (
    <li className={`finding finding--${finding.severity}`} data-testid="finding" data-code={finding.code}>
      <p className="finding__label">
        <span className={`finding__icon badge--${finding.severity}`} aria-hidden="true">
          {finding.severity === 'error' ? '✕' : '!'}
        </span>
        <strong data-testid="finding-label">
          {advice !== undefined ? <Bilingual text={{ zh: advice.label_zh, en: advice.label_en }} /> : finding.code}
        </strong>
      </p>
      <FindingAcceptance finding={finding} file={file} />
      {advice !== undefined && (
        <>
          <p className="finding__consequence" data-testid="finding-consequence">
            <Bilingual text={{ zh: advice.consequence_zh, en: advice.consequence_en }} />
          </p>
          <p className="finding__action" data-testid="finding-action">
            <Bilingual text={{ zh: advice.action_zh, en: advice.action_en }} />
          </p>
        </>
      )}
      <details className="finding__details">
        <summary>
          <Bilingual text={bilingual((m) => m.finding.details)} />
        </summary>
        <p>
          <Bilingual text={bilingual((m) => m.finding.code)} /> <code>{finding.code}</code>
        </p>
        <p className="finding__message">{finding.message}</p>
      </details>
    </li>
  );
}
