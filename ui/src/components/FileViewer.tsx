import { type KeyboardEvent, useCallback, useEffect, useId, useRef, useState } from 'react';

import { call } from '../api';
import type { CaseFinding } from '../bindings/CaseFinding';
import type { CheckedItem } from '../bindings/CheckedItem';
import type { ErrorReport } from '../errors';
import { marksToAttest } from '../itemState';
import { bilingual, bilingualLine } from '../locales';
import { Attestations } from './Attestations';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';
import { FindingList } from './FindingList';

type Loaded =
  | { kind: 'loading' }
  | { kind: 'loaded'; url: string; mediaType: string }
  | { kind: 'failed'; error: ErrorReport };

const ZOOM_STEPS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4];

function size(bytes: bigint): string {
  const n = Number(bytes);
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${n} B`;
}

/**
 * A material's files full size, one at a time (←/→), over the case view: the picture or video
 * from the shell's `evidence_file` (the file's decrypted bytes, for a file of this case only),
 * zoom and a rotation of the view (the file is never changed), and beside it the file's facts,
 * its findings and the stamps and signatures to attest, so they are ticked while looking at them.
 */
export function FileViewer({
  caseId,
  item,
  findings,
  index,
  onIndexChange,
  onClose,
  onChanged,
}: {
  caseId: string;
  item: CheckedItem;
  findings: CaseFinding[];
  index: number;
  onIndexChange: (index: number) => void;
  onClose: () => void;
  onChanged: () => Promise<void>;
}) {
  const id = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const total = item.files.length;
  const file = item.files[Math.min(index, total - 1)];
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  // Fit: the picture scaled to the stage; a number: that zoom of the fitted size.
  const [zoom, setZoom] = useState(1);
  const [turns, setTurns] = useState(0);

  const evidenceId = file?.evidence_id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the file's bytes and type depend on its record only; its marks change without a new read
  useEffect(() => {
    if (evidenceId === undefined || file === undefined) return;
    let current = true;
    let url: string | null = null;
    setLoaded({ kind: 'loading' });
    setZoom(1);
    setTurns(0);
    void call('evidence_file', { case_id: caseId, evidence_id: Number(evidenceId) }).then((outcome) => {
      if (!current) return;
      if (!outcome.ok) {
        setLoaded({ kind: 'failed', error: outcome.error });
        return;
      }
      url = URL.createObjectURL(new Blob([outcome.value], { type: file.media_type }));
      setLoaded({ kind: 'loaded', url, mediaType: file.media_type });
    });
    return () => {
      current = false;
      if (url !== null) URL.revokeObjectURL(url);
    };
  }, [caseId, evidenceId]);

  const go = useCallback(
    (step: number) => {
      if (total === 0) return;
      onIndexChange((index + step + total) % total);
    },
    [index, total, onIndexChange],
  );
  const zoomBy = useCallback((step: number) => {
    setZoom((current) => {
      const at = ZOOM_STEPS.findIndex((value) => value >= current);
      const next = Math.min(Math.max((at < 0 ? ZOOM_STEPS.length - 1 : at) + step, 0), ZOOM_STEPS.length - 1);
      return ZOOM_STEPS[next] ?? current;
    });
  }, []);

  // Focus moves into the dialog when it opens and goes back where it was when it closes.
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    dialog.current?.focus();
    return () => before?.focus();
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    // Keys typed into a control (a checkbox takes Space) are the control's.
    const inControl = (event.target as HTMLElement).closest('input, textarea, select, summary') !== null;
    if (event.key === 'Escape') onClose();
    else if (inControl) return;
    else if (event.key === 'ArrowRight') go(1);
    else if (event.key === 'ArrowLeft') go(-1);
    else if (event.key === '+' || event.key === '=') zoomBy(1);
    else if (event.key === '-') zoomBy(-1);
    else if (event.key === 'r' || event.key === 'R') setTurns((value) => (value + 1) % 4);
    else return;
    event.preventDefault();
  };

  if (file === undefined) return null;
  const fileFindings = findings.filter((finding) => finding.sha256 === file.sha256);
  const kind = file.media_type.split('/')[0];
  const transform = `rotate(${turns * 90}deg) scale(${zoom})`;

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click beside the viewer closes it, as Esc and 关闭 do for the keyboard
    // biome-ignore lint/a11y/useKeyWithClickEvents: Esc and the 关闭 button are the keyboard's way
    <div className="viewer-backdrop" onClick={onClose}>
      <div
        ref={dialog}
        className="viewer"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        tabIndex={-1}
        onKeyDown={onKeyDown}
        onClick={(event) => event.stopPropagation()}
        data-testid="viewer"
        data-file-name={file.name}
      >
        <header className="viewer__head">
          <h2 id={`${id}-title`} className="viewer__title">
            <Bilingual text={{ zh: item.title_zh, en: item.title_en }} /> · {file.name}
          </h2>
          <span className="viewer__position" data-testid="viewer-position">
            <Bilingual text={bilingual((m) => m.viewer.position(index + 1, total))} />
          </span>
          <div className="viewer__tools">
            <button
              type="button"
              className="button"
              onClick={() => go(-1)}
              disabled={total < 2}
              aria-label={bilingualLine((m) => m.viewer.previous)}
              data-testid="viewer-previous"
            >
              ←
            </button>
            <button
              type="button"
              className="button"
              onClick={() => go(1)}
              disabled={total < 2}
              aria-label={bilingualLine((m) => m.viewer.next)}
              data-testid="viewer-next"
            >
              →
            </button>
            <button
              type="button"
              className="button"
              onClick={() => zoomBy(-1)}
              aria-label={bilingualLine((m) => m.viewer.zoomOut)}
              data-testid="viewer-zoom-out"
            >
              −
            </button>
            <span className="viewer__zoom" aria-live="polite">
              {Math.round(zoom * 100)}%
            </span>
            <button
              type="button"
              className="button"
              onClick={() => zoomBy(1)}
              aria-label={bilingualLine((m) => m.viewer.zoomIn)}
              data-testid="viewer-zoom-in"
            >
              +
            </button>
            <button type="button" className="button" onClick={() => setZoom(1)}>
              <Bilingual text={bilingual((m) => m.viewer.fit)} />
            </button>
            <button
              type="button"
              className="button"
              onClick={() => setTurns((value) => (value + 1) % 4)}
              title={bilingualLine((m) => m.viewer.rotateHint)}
              data-testid="viewer-rotate"
            >
              ⟳ <Bilingual text={bilingual((m) => m.viewer.rotate)} />
            </button>
            <button type="button" className="button button--primary" onClick={onClose} data-testid="viewer-close">
              <Bilingual text={bilingual((m) => m.viewer.close)} />
            </button>
          </div>
        </header>
        <div className="viewer__body">
          <div className="viewer__stage" data-testid="viewer-stage">
            {loaded.kind === 'loading' && (
              <p className="loading">
                <Bilingual text={bilingual((m) => m.viewer.loading)} />
              </p>
            )}
            {loaded.kind === 'failed' && <ErrorBanner error={loaded.error} onRetry={() => onIndexChange(index)} />}
            {loaded.kind === 'loaded' && kind === 'image' && (
              <img
                className="viewer__media"
                src={loaded.url}
                alt={file.name}
                style={{ transform }}
                data-testid="viewer-image"
                data-turns={turns}
              />
            )}
            {loaded.kind === 'loaded' && kind === 'video' && (
              // biome-ignore lint/a11y/useMediaCaption: a merchant's evidence video has no captions to show
              <video
                className="viewer__media"
                src={loaded.url}
                controls
                style={{ transform }}
                data-testid="viewer-video"
              />
            )}
            {loaded.kind === 'loaded' && kind !== 'image' && kind !== 'video' && (
              <p className="viewer__no-preview" data-testid="viewer-no-preview">
                <Bilingual text={bilingual((m) => m.viewer.noPreview)} /> ({file.media_type})
              </p>
            )}
          </div>
          <aside className="viewer__side">
            <Attestations caseId={caseId} file={file} asked={marksToAttest(item)} onChanged={onChanged} />
            <h3>
              <Bilingual text={bilingual((m) => m.caseView.findings)} />
            </h3>
            {fileFindings.length === 0 ? (
              <p className="muted">
                <Bilingual text={bilingual((m) => m.viewer.noFindings)} />
              </p>
            ) : (
              <FindingList findings={fileFindings} file={file} />
            )}
            <h3>
              <Bilingual text={bilingual((m) => m.viewer.facts)} />
            </h3>
            <dl className="viewer__facts">
              <dt>
                <Bilingual text={bilingual((m) => m.viewer.name)} />
              </dt>
              <dd>{file.name}</dd>
              <dt>
                <Bilingual text={bilingual((m) => m.viewer.type)} />
              </dt>
              <dd>{file.media_type}</dd>
              <dt>
                <Bilingual text={bilingual((m) => m.viewer.size)} />
              </dt>
              <dd>{size(file.bytes)}</dd>
              <dt>
                <Bilingual text={bilingual((m) => m.viewer.imported)} />
              </dt>
              <dd>{file.imported_at.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</dd>
              <dt>
                <Bilingual text={bilingual((m) => m.viewer.sha256)} />
              </dt>
              <dd>
                <code className="viewer__hash">{file.sha256}</code>
              </dd>
            </dl>
            <p className="hint">
              <Bilingual text={bilingual((m) => m.viewer.keys)} />
            </p>
          </aside>
        </div>
      </div>
    </div>
  );
}
