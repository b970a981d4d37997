import { jumpTo } from '../itemState';
import { bilingual, type Messages } from '../locales';
import { Bilingual } from './Bilingual';

/**
 * A skip link: out of sight until it has the keyboard focus, then shown at the top; Enter
 * scrolls to `anchor` and puts the focus there, so the next Tab goes on from it (a laptop's
 * keyboard user reaches the fields without tabbing through every card's buttons).
 */
export function SkipLink({ anchor, text, testId }: { anchor: string; text: (m: Messages) => string; testId: string }) {
  return (
    <a
      className="skip-link"
      href={`#${anchor}`}
      onClick={(event) => {
        // The element's focus, not the URL's fragment: the app is one page whose scrolling
        // box is the main area.
        event.preventDefault();
        jumpTo(anchor);
      }}
      data-testid={testId}
    >
      <Bilingual text={bilingual(text)} />
    </a>
  );
}
