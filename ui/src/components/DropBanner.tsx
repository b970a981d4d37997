import { bilingual, type Messages } from '../locales';
import { Bilingual } from './Bilingual';

/**
 * 松开添加到: … at the top of the card that files dragged over the window would land on (a
 * material's slot or the 未分类 tray), while they are over it (issue 18, item 6).
 */
export function DropBanner({ title }: { title: (messages: Messages) => string }) {
  return (
    <p className="slot__drop-banner" data-testid="drop-banner">
      <Bilingual text={bilingual((m) => m.caseView.dropInto(title(m)))} />
    </p>
  );
}
