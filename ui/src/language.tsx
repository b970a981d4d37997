// The UI speaks Simplified Chinese. A manager (or a trainer) who wants the English beside it
// turns on 设置 › 显示英文对照; the choice is kept in the web view's local storage (per
// installation, nothing personal). The package's report stays bilingual for head office
// whatever is chosen here: it is written by the core.

import { createContext, useContext } from 'react';

/** The language of text shown once (units, dates, labels inside drawings): always Chinese. */
export type Language = 'zh-CN' | 'en';

const STORAGE_KEY = 'merchant-intake.show-english';

export function storedShowEnglish(): boolean {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === 'true';
  } catch {
    return false;
  }
}

// Plain-text labels (placeholders, aria-labels, titles) are built outside React's render tree
// by `bilingualLine`; they read the choice from here. The App sets it before each render.
let showEnglishNow = storedShowEnglish();

export function showEnglishInPlainText(): boolean {
  return showEnglishNow;
}

export function storeShowEnglish(on: boolean): void {
  showEnglishNow = on;
  try {
    window.localStorage.setItem(STORAGE_KEY, on ? 'true' : 'false');
  } catch {
    // Storage refused (private mode): the choice lasts until the window closes.
  }
}

export interface EnglishChoice {
  showEnglish: boolean;
  setShowEnglish: (on: boolean) => void;
}

export const ShowEnglishContext = createContext<EnglishChoice>({ showEnglish: false, setShowEnglish: () => {} });

/** Whether the English goes beside the Chinese, and the switch (设置). */
export function useEnglishChoice(): EnglishChoice {
  return useContext(ShowEnglishContext);
}

/** The language of single-language text. */
export function useLanguage(): Language {
  return 'zh-CN';
}
