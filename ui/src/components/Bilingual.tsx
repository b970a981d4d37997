import { useEnglishChoice } from '../language';
import type { BilingualText } from '../locales';

/**
 * A text in Chinese; with 显示英文对照 (设置) the English follows in a quieter style, and
 * `stacked` puts it on its own line.
 */
export function Bilingual({ text, stacked = false }: { text: BilingualText; stacked?: boolean }) {
  const { showEnglish } = useEnglishChoice();
  return (
    <span className={stacked && showEnglish ? 'bilingual bilingual--stacked' : 'bilingual'}>
      <span className="bilingual__primary" lang="zh-CN">
        {text.zh}
      </span>
      {showEnglish && text.en !== '' && (
        <span className="bilingual__secondary" lang="en" data-testid="english">
          {text.en}
        </span>
      )}
    </span>
  );
}
