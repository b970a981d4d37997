import type { CheckedFile } from '../bindings/CheckedFile';
import { bilingual, bilingualLine } from '../locales';
import { Bilingual } from './Bilingual';

/**
 * A file's picture with a badge counting its findings. Until the core serves thumbnails this
 * is a placeholder showing the file's kind.
 */
export function Thumbnail({
  file,
  findingCount,
  worst,
}: {
  file: CheckedFile;
  findingCount: number;
  worst: 'error' | 'warning' | 'none';
}) {
  const kind = file.media_type.split('/')[0] ?? '';
  return (
    <div className="thumbnail" data-testid="thumbnail">
      <div className="thumbnail__placeholder" aria-hidden="true">
        <span>{kind === 'image' ? '🖼' : kind === 'video' ? '🎞' : '📄'}</span>
        <span className="thumbnail__type">{file.media_type}</span>
      </div>
      <span className="visually-hidden">{bilingualLine((m) => m.caseView.thumbnailPlaceholder)}</span>
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
