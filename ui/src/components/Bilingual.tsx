import type { BilingualText } from '../locales';

/** Chinese, then English in a quieter style; `stacked` puts the English on its own line. */
export function Bilingual({ text, stacked = false }: { text: BilingualText; stacked?: boolean }) {
  return (
    <span className={stacked ? 'bilingual bilingual--stacked' : 'bilingual'}>
      <span className="bilingual__zh" lang="zh-CN">
        {text.zh}
      </span>
      <span className="bilingual__en" lang="en">
        {text.en}
      </span>
    </span>
  );
}
