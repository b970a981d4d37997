import type { CaseFinding } from '../bindings/CaseFinding';
import type { CheckedFile } from '../bindings/CheckedFile';
import type { Mark } from '../bindings/Mark';
import { bilingual, bilingualLine } from '../locales';
import { Attestations } from './Attestations';
import { Bilingual } from './Bilingual';
import { FileActions } from './FileActions';
import { FindingList } from './FindingList';
import { FileNotes } from './Notes';
import { Thumbnail } from './Thumbnail';
import { PlotNumber } from './VisitPlotView';

/**
 * One file of a material: its picture (a click opens the viewer), its name, its findings and
 * the marks to attest on it.
 */
export function FileCard({
  caseId,
  file,
  material,
  asked,
  findings,
  onOpen,
  onChanged,
}: {
  caseId: string;
  file: CheckedFile;
  material: string;
  asked: Mark[];
  findings: CaseFinding[];
  onOpen: () => void;
  onChanged: () => Promise<void>;
}) {
  // An accepted finding is shown, but the card is coloured by those that stand.
  const standing = findings.filter((finding) => finding.accepted === undefined);
  const worst = standing.some((finding) => finding.severity === 'error')
    ? 'error'
    : standing.length > 0
      ? 'warning'
      : 'none';

  return (
    <li className={`file file--${worst}`} data-testid="file" data-file-name={file.name}>
      <button
        type="button"
        className="file__open"
        onClick={onOpen}
        aria-label={bilingualLine((m) => m.viewer.open(file.name))}
        title={bilingualLine((m) => m.viewer.open(file.name))}
        data-testid="open-viewer"
      >
        <Thumbnail file={file} findingCount={findings.length} worst={worst} />
      </button>
      <div className="file__body">
        <p className="file__name" title={file.sha256}>
          {file.name}
          <PlotNumber material={material} sha256={file.sha256} />
        </p>
        {file.pixel_checks_pending ? (
          <p className="muted file__pending" data-testid="pixel-checks-pending" role="status">
            <Bilingual text={bilingual((m) => m.caseView.pixelChecksPending)} />
          </p>
        ) : (
          !file.checked && (
            <p className="muted">
              <Bilingual text={bilingual((m) => m.caseView.unchecked)} />
            </p>
          )
        )}
        <FindingList findings={findings} file={file} />
        <Attestations caseId={caseId} file={file} asked={asked} onChanged={onChanged} />
        <FileActions file={file} material={material} onView={onOpen} />
        <FileNotes file={file} />
      </div>
    </li>
  );
}
