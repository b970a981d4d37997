import { useEffect, useRef, useState } from 'react';

/** Rows rendered at first, and added each time the end comes near. */
const FIRST_ROWS = 60;
const MORE_ROWS = 200;

/**
 * How many of `total` rows to render: the first screenful at once, then more each time a
 * sentinel after the last rendered row comes within a screen of the view. A list of 1,000 cases
 * thus shows in the time of 60 rows (issue 19: the list in <= 200 ms), and the rest follow as
 * the manager scrolls; the core's search and filter still see every case. The count only grows,
 * so a list asked again (on focus, after a change) keeps the rows already shown.
 */
export function useGrowingRows<T extends Element>(total: number) {
  const [shown, setShown] = useState(FIRST_ROWS);
  const sentinel = useRef<T>(null);
  useEffect(() => {
    const element = sentinel.current;
    if (element === null || shown >= total) return;
    if (typeof IntersectionObserver === 'undefined') {
      setShown(total);
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) setShown((count) => count + MORE_ROWS);
      },
      { rootMargin: '100% 0px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [shown, total]);
  return { shown: Math.min(shown, total), sentinel, more: shown < total };
}
