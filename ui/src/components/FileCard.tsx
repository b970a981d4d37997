import { useLayoutEffect, useRef } from 'react';

import type { CaseFinding } from '../bindings/CaseFinding';
import type { CheckedFile } from '../bindings/CheckedFile';
import type { Mark } from '../bindings/Mark';
import { bilingual, bilingualLine } from '../locales';
import { useNearView } from '../nearView';
import { Attestations } from './Attestations';
import { Bilingual } from './Bilingual';
import { FileActions } from './FileActions';
import { FindingList } from './FindingList';
import { FileNotes } from './Notes';
import { Thumbnail } from './Thumbnail';
import { PlotNumber } from './VisitPlotView';

/**
 * The heights the cards of one slot last had with their contents, by evidence id: a card far
 * from the view keeps its height, so the page does not jump. One never shown takes their mean,
 * through a CSS variable on the list (`--far-card-height`), which follows every measurement
 * without rendering the far cards again.
 */
export type CardHeights = Map<string, number>;

/** Before any card of the slot was measured: about a card with one finding. */
const FAR_CARD_HEIGHT = 'var(--far-card-height, 160px)';

function remember(heights: CardHeights, id: string, element: HTMLElement) {
  const height = element.offsetHeight;
  if (heights.get(id) === height) return;
  heights.set(id, height);
  let sum = 0;
  for (const each of heights.values()) sum += each;
  element.parentElement?.style.setProperty('--far-card-height', `${Math.round(sum / heights.size)}px`);
}

/**
 * One file of a material: its picture (a click opens the viewer), its name, its findings and
 * the marks to attest on it.
 *
 * In a slot holding many files (`heights` given) the card is rendered in full only while it is
 * within about a screen of the view (nearView.ts); far from it, only its place in the list is
 * kept: the <li> with its height and name, and the button that opens the viewer (the same
 * element as the full card's, so Tab reaches it in order; once focused it is in view and the
 * rest of the card comes).
 */
export function FileCard({
  caseId,
  file,
  material,
  asked,
  findings,
  onOpen,
  onChanged,
  heights,
}: {
  caseId: string;
  file: CheckedFile;
  material: string;
  asked: Mark[];
  findings: CaseFinding[];
  onOpen: () => void;
  onChanged: () => Promise<void>;
  /** Given in a slot whose cards are rendered only near the view: their last heights. */
  heights?: CardHeights | undefined;
}) {
  const card = useRef<HTMLLIElement>(null);
  const id = file.evidence_id.toString();
  const near = useNearView(card, heights !== undefined);
  // Measured while shown, so that the card keeps its height when it goes far.
  useLayoutEffect(() => {
    if (near && heights !== undefined && card.current !== null) remember(heights, id, card.current);
  });

  // An accepted finding is shown, but the card is coloured by those that stand.
  const standing = findings.filter((finding) => finding.accepted === undefined);
  const worst = standing.some((finding) => finding.severity === 'error')
    ? 'error'
    : standing.length > 0
      ? 'warning'
      : 'none';

  return (
    <li
      ref={card}
      className={`file file--${worst}`}
      data-testid="file"
      data-file-name={file.name}
      data-far={near ? undefined : true}
      style={near || heights === undefined ? undefined : { minHeight: heights.get(id) ?? FAR_CARD_HEIGHT }}
    >
      <button
        type="button"
        className="file__open"
        onClick={onOpen}
        aria-label={bilingualLine((m) => m.viewer.open(file.name))}
        title={bilingualLine((m) => m.viewer.open(file.name))}
        data-testid="open-viewer"
      >
        {near ? (
          <Thumbnail file={file} findingCount={findings.length} worst={worst} />
        ) : (
          <span className="thumbnail thumbnail--far" aria-hidden="true" />
        )}
      </button>
      {near && (
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
      )}
    </li>
  );
}
