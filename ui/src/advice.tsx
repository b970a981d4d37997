// What each finding code means and what to do about it, from the core (`finding_advice`
// command, `evidence::finding_advice`), the one place it is written; shared by context.

import { createContext, useContext } from 'react';

import type { FindingAdvice } from './bindings/FindingAdvice';

export type AdviceByCode = Record<string, FindingAdvice>;

export const FindingAdviceContext = createContext<AdviceByCode>({});

export function useFindingAdvice(): AdviceByCode {
  return useContext(FindingAdviceContext);
}

export function adviceByCode(all: FindingAdvice[]): AdviceByCode {
  return Object.fromEntries(all.map((advice) => [advice.code, advice]));
}
