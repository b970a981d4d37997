import { useEffect, useLayoutEffect, useRef, useState } from 'react';

import { call } from '../api';
import type { CheckedFile } from '../bindings/CheckedFile';
import { bilingual, bilingualLine } from '../locales';
import { useNearView } from '../nearView';
import { Bilingual } from './Bilingual';

/**
 * A file's picture (the core's cached thumbnail) with a badge counting its findings. Files that
 * are not pictures (PDF, video) show their kind.
 *
 * The picture is decoded once (`createImageBitmap`) and drawn into a canvas of the frame's size,
 * and the decoded bitmap closed at once: an <img> from a `blob:` URL kept each 400×300 picture
 * decoded (480 KB) in WebKit's memory cache after the image and its URL were gone, some 150 MB
 * once a 300-photo case was scrolled through (issue 19; bench/RESULTS.md). The canvas holds
 * only the frame's pixels and is emptied as soon as the thumbnail goes.
 */
export function Thumbnail({
  file,
  findingCount,
  worst,
}: {
  /** A checked file, or any stored file named by its bytes (the 未分类 tray's, which says
   * nothing of pending checks: its thumbnail is made when asked for). */
  file: Pick<CheckedFile, 'sha256' | 'media_type' | 'name'> & Partial<Pick<CheckedFile, 'pixel_checks_pending'>>;
  findingCount: number;
  worst: 'error' | 'warning' | 'none';
}) {
  const [picture, setPicture] = useState<ImageBitmap | null>(null);
  const frame = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  // Asked for only while the thumbnail is within a screen of its scrolling box's view, and let go
  // when it is scrolled far away: a 300-photo case would otherwise ask the core for 300 pictures
  // at once and keep them all in the web view (issue 19).
  const near = useNearView(frame);
  const kind = file.media_type.split('/')[0] ?? '';

  // While its pixel checks are pending the thumbnail is not made yet: asking for it would decode
  // the picture a second time beside the import. It is asked for once they are done.
  const pending = file.pixel_checks_pending ?? false;
  useEffect(() => {
    let current = true;
    if (pending || !near) return;
    void call('thumbnail', { sha256: file.sha256 }).then(async (outcome) => {
      if (!current || !outcome.ok || outcome.value.byteLength === 0) return;
      let decoded: ImageBitmap;
      try {
        decoded = await createImageBitmap(new Blob([outcome.value], { type: 'image/jpeg' }));
      } catch {
        return; // Not decodable here: the placeholder stays.
      }
      if (current) setPicture(decoded);
      else decoded.close();
    });
    return () => {
      current = false;
      setPicture(null);
    };
  }, [file.sha256, pending, near]);

  // Drawn at the frame's size in device pixels, cropped to fill it (as `object-fit: cover`),
  // then the bitmap closed; the canvas is emptied when the picture goes.
  useLayoutEffect(() => {
    const target = canvas.current;
    if (picture === null || target === null) return;
    const scale = window.devicePixelRatio || 1;
    target.width = Math.max(1, Math.round(target.clientWidth * scale));
    target.height = Math.max(1, Math.round(target.clientHeight * scale));
    const fill = Math.max(target.width / picture.width, target.height / picture.height);
    const [width, height] = [target.width / fill, target.height / fill];
    target
      .getContext('2d')
      ?.drawImage(
        picture,
        (picture.width - width) / 2,
        (picture.height - height) / 2,
        width,
        height,
        0,
        0,
        target.width,
        target.height,
      );
    picture.close();
    return () => {
      target.width = 0;
      target.height = 0;
    };
  }, [picture]);

  return (
    <div className="thumbnail" data-testid="thumbnail" ref={frame}>
      {picture !== null ? (
        <canvas
          ref={canvas}
          className="thumbnail__picture"
          role="img"
          aria-label={file.name}
          data-testid="thumbnail-image"
        />
      ) : (
        <div className="thumbnail__placeholder" aria-hidden="true">
          <KindIcon kind={kind === 'image' || kind === 'video' ? kind : 'document'} />
          <span className="thumbnail__type">{file.media_type}</span>
        </div>
      )}
      {picture === null && (
        <span className="visually-hidden">{bilingualLine((m) => m.caseView.thumbnailPlaceholder)}</span>
      )}
      {findingCount > 0 && (
        <span className={`thumbnail__badge badge--${worst}`} data-testid="finding-badge">
          {findingCount}
          <span className="visually-hidden">
            <Bilingual text={bilingual((m) => m.caseView.findings)} />
          </span>
        </span>
      )}
    </div>
  );
}

/**
 * The kind of a file without a picture, drawn as a line icon. Not an emoji: a Linux desktop
 * without an emoji font showed 📄 as an empty box, and the icon takes the text colour.
 */
function KindIcon({ kind }: { kind: 'image' | 'video' | 'document' }) {
  const shapes = {
    image: (
      <>
        <rect x="3" y="5" width="18" height="14" rx="1.5" />
        <circle cx="8.5" cy="10" r="1.5" />
        <path d="M4 17l5-5 4 4 3-3 4 4" />
      </>
    ),
    video: (
      <>
        <rect x="3" y="6" width="13" height="12" rx="1.5" />
        <path d="M16 10l5-3v10l-5-3z" />
      </>
    ),
    document: (
      <>
        <path d="M6 3h8l4 4v14H6z" />
        <path d="M14 3v4h4M9 12h6M9 15h6M9 18h4" />
      </>
    ),
  };
  return (
    <svg
      className="thumbnail__icon"
      aria-hidden="true"
      data-testid={`kind-icon-${kind}`}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinejoin="round"
      strokeLinecap="round"
    >
      {shapes[kind]}
    </svg>
  );
}
