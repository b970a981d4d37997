import { useCallback, useEffect, useState } from 'react';

import { call } from './api';
import type { CaseSummary } from './bindings/CaseSummary';
import type { ErrorReport } from './bindings/ErrorReport';
import { Bilingual } from './components/Bilingual';
import { CaseList } from './components/CaseList';
import { ErrorBanner } from './components/ErrorBanner';
import { Logo } from './components/Logo';
import { bilingual } from './locales';

type CasesState =
  | { kind: 'loading' }
  | { kind: 'loaded'; cases: CaseSummary[] }
  | { kind: 'failed'; error: ErrorReport };

export function App() {
  const [state, setState] = useState<CasesState>({ kind: 'loading' });

  const loadCases = useCallback(async () => {
    const outcome = await call('list_cases', {});
    setState(outcome.ok ? { kind: 'loaded', cases: outcome.value } : { kind: 'failed', error: outcome.error });
  }, []);

  useEffect(() => {
    void loadCases();
    // Cases may be opened with the `intake` CLI while the window is open: look again
    // whenever the manager comes back to the window.
    const onFocus = () => void loadCases();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [loadCases]);

  return (
    <div className="app">
      <header className="app-header">
        <Logo />
        <h1 className="app-header__title">
          <Bilingual text={bilingual((m) => m.app.title)} stacked />
        </h1>
        <button type="button" className="button button--on-dark" onClick={() => void loadCases()}>
          <Bilingual text={bilingual((m) => m.caseList.refresh)} />
        </button>
      </header>
      <main className="app-main">
        {state.kind === 'loading' && (
          <p className="loading" data-testid="loading">
            <Bilingual text={bilingual((m) => m.caseList.loading)} />
          </p>
        )}
        {state.kind === 'failed' && <ErrorBanner error={state.error} onRetry={() => void loadCases()} />}
        {state.kind === 'loaded' && <CaseList cases={state.cases} />}
      </main>
    </div>
  );
}
