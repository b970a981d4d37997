// Every UI text exists in Simplified Chinese and English; the Chinese is shown, the English
// beside it only with 设置 › 显示英文对照 (language.tsx). Components pick a string with a
// function over `Messages`, so the same typed path serves both languages.

import { en } from './en';
import { type Language, showEnglishInPlainText } from '../language';
import { type Messages, zhCN } from './zh-CN';

export type { Messages };

export interface BilingualText {
  zh: string;
  en: string;
}

export function bilingual(pick: (messages: Messages) => string): BilingualText {
  return { zh: pick(zhCN), en: pick(en) };
}

/**
 * Chinese, and the English after it with 显示英文对照, on one line: for places that take plain
 * text (placeholders, titles, accessible names).
 */
export function bilingualLine(pick: (messages: Messages) => string): string {
  return showEnglishInPlainText() ? `${pick(zhCN)} ${pick(en)}` : pick(zhCN);
}

/**
 * One language's messages, for text that is shown once rather than in both languages: units
 * after a number, dates, the example command, labels inside a drawing.
 */
export function messagesOf(language: Language): Messages {
  return language === 'en' ? en : zhCN;
}
