// Chinese first, English second: every piece of text is shown in both languages, the Chinese
// leading (DEVELOPERS.md). Components pick a string with a function over `Messages`, so the
// same typed path serves both languages.

import { en } from './en';
import type { Language } from '../language';
import { type Messages, zhCN } from './zh-CN';

export type { Messages };

export interface BilingualText {
  zh: string;
  en: string;
}

export function bilingual(pick: (messages: Messages) => string): BilingualText {
  return { zh: pick(zhCN), en: pick(en) };
}

/** Both languages on one line, for places that take plain text (placeholders, titles). */
export function bilingualLine(pick: (messages: Messages) => string): string {
  return `${pick(zhCN)} ${pick(en)}`;
}

/**
 * One language's messages, for text that is shown once rather than in both languages: units
 * after a number, dates, the example command, labels inside a drawing.
 */
export function messagesOf(language: Language): Messages {
  return language === 'en' ? en : zhCN;
}
