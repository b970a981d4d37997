// Which language leads. Simplified Chinese by default; the manager may switch to English,
// and the choice is kept in the web view's local storage (per installation, nothing personal).
// Both languages stay on screen: the other one follows, quieter, as the brief asks.

import { createContext, useContext } from 'react';

export type Language = 'zh-CN' | 'en';

const STORAGE_KEY = 'merchant-intake.language';

export function storedLanguage(): Language {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

export function storeLanguage(language: Language): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Storage refused (private mode): the choice lasts until the window closes.
  }
  document.documentElement.lang = language;
}

export const LanguageContext = createContext<Language>('zh-CN');

export function useLanguage(): Language {
  return useContext(LanguageContext);
}
