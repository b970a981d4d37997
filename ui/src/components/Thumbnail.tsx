import { useEffect, useRef, useState } from 'react';

import { call } from '../api';
import type { CheckedFile } from '../bindings/CheckedFile';
import { bilingual, bilingualLine } from '../locales';
import { Bilingual } from './Bilingual';

/**
 * A file's picture (the core's cached thumbnail, shown through a `blob:` URL: the CSP allows
 * images from `'self'` and `blob:` only) with a badge counting its findings. Files that are not
 * pictures (PDF, video) show their kind.
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
  const [url, setUrl] = useState<string | null>(null);
  const [near, setNear] = useState(false);
  const frame = useRef<HTMLDivElement>(null);
  const kind = file.media_type.split('/')[0] ?? '';

  // Asked for only while the thumbnail is within a screen of the view, and let go when it is
  // scrolled far away: a 300-photo case would otherwise ask the core for 300 pictures at once
  // and keep them all decoded in the web view (issue 19: scrolling stays smooth, memory bounded).
  useEffect(() => {
    const element = frame.current;
    if (element === null) return;
    if (typeof IntersectionObserver === 'undefined') {
      setNear(true);
      return;
    }
    const observer = new IntersectionObserver((entries) => setNear(entries.at(-1)?.isIntersecting ?? false), {
      rootMargin: '100% 0px',
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // While its pixel checks are pending the thumbnail is not made yet: asking for it would decode
  // the picture a second time beside the import. It is asked for once they are done.
  const pending = file.pixel_checks_pending ?? false;
  useEffect(() => {
    let objectUrl: string | null = null;
    let current = true;
    if (pending || !near) return;
    void call('thumbnail', { sha256: file.sha256 }).then((outcome) => {
      if (!current || !outcome.ok || outcome.value.byteLength === 0) return;
      objectUrl = URL.createObjectURL(new Blob([outcome.value], { type: 'image/jpeg' }));
      setUrl(objectUrl);
    });
    return () => {
      current = false;
      if (objectUrl !== null) {
        URL.revokeObjectURL(objectUrl);
        setUrl(null);
      }
    };
  }, [file.sha256, pending, near]);

  return (
    <div className="thumbnail" data-testid="thumbnail" ref={frame}>
      {url !== null ? (
        <img src={url} alt={file.name} decoding="async" data-testid="thumbnail-image" />
      ) : (
        <div className="thumbnail__placeholder" aria-hidden="true">
          <span>{kind === 'image' ? '🖼' : kind === 'video' ? '🎞' : '📄'}</span>
          <span className="thumbnail__type">{file.media_type}</span>
        </div>
      )}
      {url === null && <span className="visually-hidden">{bilingualLine((m) => m.caseView.thumbnailPlaceholder)}</span>}
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
