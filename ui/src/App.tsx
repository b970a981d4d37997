import { useCallback, useEffect, useMemo, useState } from 'react';

import { type AdviceByCode, adviceByCode, FindingAdviceContext } from './advice';
import { call, onEvent } from './api';
import type { CaseOverview } from './bindings/CaseOverview';
import type { ErrorReport } from './errors';
import type { LockStatus } from './bindings/LockStatus';
import type { Vocabulary } from './bindings/Vocabulary';
import { Bilingual } from './components/Bilingual';
import { CaseList } from './components/CaseList';
import { CaseView } from './components/CaseView';
import { ErrorBanner } from './components/ErrorBanner';
import { LockScreen, SetPassphrase } from './components/LockScreen';
import { Logo } from './components/Logo';
import { NewCaseWizard } from './components/NewCaseWizard';
import { OutboxView } from './components/OutboxView';
import { SettingsView } from './components/SettingsView';
import { ShowEnglishContext, storeShowEnglish, storedShowEnglish } from './language';
import { bilingual, bilingualLine } from './locales';
import { VocabularyContext } from './vocabulary';

type CasesState =
  | { kind: 'loading' }
  | { kind: 'loaded'; cases: CaseOverview[] }
  | { kind: 'failed'; error: ErrorReport };

/** Which screen is shown. */
type Screen =
  | { kind: 'list' }
  | { kind: 'new' }
  | { kind: 'case'; caseId: string }
  | { kind: 'outbox' }
  | { kind: 'settings' };

export function App() {
  const [vocabulary, setVocabulary] = useState<Vocabulary | null>(null);
  const [advice, setAdvice] = useState<AdviceByCode>({});
  const [showEnglish, setShowEnglishState] = useState<boolean>(storedShowEnglish);
  const englishChoice = useMemo(
    () => ({
      showEnglish,
      setShowEnglish: (on: boolean) => {
        storeShowEnglish(on);
        setShowEnglishState(on);
      },
    }),
    [showEnglish],
  );
  const [screen, setScreen] = useState<Screen>({ kind: 'list' });
  const [state, setState] = useState<CasesState>({ kind: 'loading' });
  const [lock, setLock] = useState<LockStatus | null>(null);
  const [lockError, setLockError] = useState<ErrorReport | null>(null);

  const loadLock = useCallback(async () => {
    const outcome = await call('lock_status', {});
    if (outcome.ok) {
      setLock(outcome.value);
      setLockError(null);
    } else {
      setLockError(outcome.error);
    }
  }, []);

  useEffect(() => {
    void loadLock();
    // The shell locks the folder after the idle time (and drops its key): show the unlock screen.
    const stop = onEvent('locked', () => void loadLock());
    // Input in the window postpones the idle lock; told to the shell at most every 5 s.
    let last = 0;
    const onInput = () => {
      const now = Date.now();
      if (now - last < 5000) return;
      last = now;
      void call('note_activity', {});
    };
    const kinds = ['keydown', 'pointerdown', 'pointermove', 'wheel'] as const;
    for (const kind of kinds) window.addEventListener(kind, onInput, { passive: true });
    return () => {
      void stop.then((unlisten) => unlisten());
      for (const kind of kinds) window.removeEventListener(kind, onInput);
    };
  }, [loadLock]);

  // The shell opens no folder in clear: until it is encrypted and unlocked, only the 设置密码 or
  // unlock screen is shown (and the shell refuses every case command anyway).
  const open = lock !== null && lock.unlocked;

  // Locked: forget the cases shown (the merchants' names) along with the shell's key.
  useEffect(() => {
    if (!open) setState({ kind: 'loading' });
  }, [open]);

  const loadCases = useCallback(async () => {
    const outcome = await call('list_cases', {});
    setState(outcome.ok ? { kind: 'loaded', cases: outcome.value } : { kind: 'failed', error: outcome.error });
  }, []);

  useEffect(() => {
    void call('vocabulary', {}).then((outcome) => {
      if (outcome.ok) setVocabulary(outcome.value);
      else setState({ kind: 'failed', error: outcome.error });
    });
    void call('finding_advice', {}).then((outcome) => {
      if (outcome.ok) setAdvice(adviceByCode(outcome.value));
      else setState({ kind: 'failed', error: outcome.error });
    });
  }, []);

  useEffect(() => {
    if (screen.kind !== 'list' || !open) return;
    void loadCases();
    // Cases may be opened with the `intake` CLI while the window is open: look again
    // whenever the manager comes back to the window.
    const onFocus = () => void loadCases();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [loadCases, screen.kind, open]);

  const nav = (target: Screen, label: Parameters<typeof bilingual>[0], testId: string) => (
    <button
      type="button"
      className="button button--on-dark"
      aria-current={screen.kind === target.kind ? 'page' : undefined}
      onClick={() => setScreen(target)}
      data-testid={testId}
    >
      <Bilingual text={bilingual(label)} />
    </button>
  );

  return (
    <ShowEnglishContext.Provider value={englishChoice}>
      <div className="app">
        <header className="app-header">
          <Logo />
          <h1 className="app-header__title">
            <Bilingual text={bilingual((m) => m.app.title)} stacked />
          </h1>
          <nav className="app-header__nav" aria-label={bilingualLine((m) => m.nav.label)}>
            {open && (
              <>
                {nav({ kind: 'list' }, (m) => m.nav.cases, 'nav-cases')}
                {nav({ kind: 'new' }, (m) => m.nav.newCase, 'nav-new-case')}
                {nav({ kind: 'outbox' }, (m) => m.nav.outbox, 'nav-outbox')}
                {nav({ kind: 'settings' }, (m) => m.nav.settings, 'nav-settings')}
                <button
                  type="button"
                  className="button button--on-dark"
                  onClick={() => void call('lock', {}).then(() => loadLock())}
                  data-testid="lock-now"
                >
                  <Bilingual text={bilingual((m) => m.lock.lockNow)} />
                </button>
              </>
            )}
          </nav>
        </header>
        <main className="app-main">
          {lockError !== null ? (
            <ErrorBanner error={lockError} onRetry={() => void loadLock()} />
          ) : lock === null ? (
            <p className="loading" data-testid="loading">
              <Bilingual text={bilingual((m) => m.caseList.loading)} />
            </p>
          ) : lock.state === 'unencrypted' ? (
            <SetPassphrase status={lock} onDone={() => void loadLock()} />
          ) : !lock.unlocked ? (
            <LockScreen status={lock} onUnlocked={() => void loadLock()} />
          ) : (
          <>
          {state.kind === 'failed' && <ErrorBanner error={state.error} onRetry={() => void loadCases()} />}
          {vocabulary === null || (screen.kind === 'list' && state.kind === 'loading') ? (
            state.kind !== 'failed' && (
              <p className="loading" data-testid="loading">
                <Bilingual text={bilingual((m) => m.caseList.loading)} />
              </p>
            )
          ) : (
            <VocabularyContext.Provider value={vocabulary}>
            <FindingAdviceContext.Provider value={advice}>
              {screen.kind === 'list' && state.kind === 'loaded' && (
                <CaseList cases={state.cases} onOpen={(caseId) => setScreen({ kind: 'case', caseId })} />
              )}
              {screen.kind === 'new' && (
                <NewCaseWizard
                  onCreated={(caseId) => setScreen({ kind: 'case', caseId })}
                  onCancel={() => setScreen({ kind: 'list' })}
                />
              )}
              {screen.kind === 'case' && (
                <CaseView
                  caseId={screen.caseId}
                  onBack={() => setScreen({ kind: 'list' })}
                  onOpenOutbox={() => setScreen({ kind: 'outbox' })}
                />
              )}
              {screen.kind === 'outbox' && <OutboxView />}
              {screen.kind === 'settings' && <SettingsView />}
            </FindingAdviceContext.Provider>
            </VocabularyContext.Provider>
          )}
          </>
          )}
        </main>
      </div>
    </ShowEnglishContext.Provider>
  );
}
