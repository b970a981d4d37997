// The domain's terms (merchant types, channels, stages, marks, statuses…) come from the core
// (`vocabulary` command), the one place they are written, and are shared here by context.

import { createContext, useContext } from 'react';

import type { Term } from './bindings/Term';
import type { Vocabulary } from './bindings/Vocabulary';
import type { BilingualText } from './locales';

export const VocabularyContext = createContext<Vocabulary | null>(null);

/** The vocabulary; only used below the provider, which renders once it is loaded. */
export function useVocabulary(): Vocabulary {
  const vocabulary = useContext(VocabularyContext);
  if (vocabulary === null) {
    throw new Error('useVocabulary outside VocabularyContext');
  }
  return vocabulary;
}

/** The labels of `key` in `terms`; the key itself when the core has no such term. */
export function termText(terms: Term[], key: string): BilingualText {
  const term = terms.find((candidate) => candidate.key === key);
  return term === undefined ? { zh: key, en: key } : { zh: term.zh, en: term.en };
}
