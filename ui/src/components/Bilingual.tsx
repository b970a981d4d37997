import { useLanguage } from '../language';
import type { BilingualText } from '../locales';

/**
 * Both languages: the chosen one first (Chinese by default), the other after it in a quieter
 * style; `stacked` puts the second on its own line.
 */
export function Bilingual({ text, stacked = false }: { text: BilingualText; stacked?: boolean }) {
  const language = useLanguage();
  const [first, second] =
    language === 'en'
      ? ([{ lang: 'en', text: text.en }, { lang: 'zh-CN', text: text.zh }] as const)
      : ([{ lang: 'zh-CN', text: text.zh }, { lang: 'en', text: text.en }] as const);
  return (
    <span className={stacked ? 'bilingual bilingual--stacked' : 'bilingual'}>
      <span className="bilingual__primary" lang={first.lang}>
        {first.text}
      </span>
      <span className="bilingual__secondary" lang={second.lang}>
        {second.text}
      </span>
    </span>
  );
}
