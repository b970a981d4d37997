import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { type AdviceByCode, adviceByCode, FindingAdviceContext } from './advice';
import { call, onEvent } from './api';
import type { OutboxOverview } from './bindings/OutboxOverview';
import type { ErrorReport } from './errors';
import type { LockStatus } from './bindings/LockStatus';
import type { Vocabulary } from './bindings/Vocabulary';
import { Bilingual } from './components/Bilingual';
import { CaseList } from './components/CaseList';
import { CaseView } from './components/CaseView';
import { ErrorBanner } from './components/ErrorBanner';
import { LockScreen, SetPassphrase } from './components/LockScreen';
import { Logo } from './components/Logo';
import { NewCaseWizard, type WizardProgress } from './components/NewCaseWizard';
import { OutboxView } from './components/OutboxView';
import { SettingsView } from './components/SettingsView';
import { SkipLink } from './components/SkipLink';
import { MAIN_ANCHOR } from './itemState';
import { ShowEnglishContext, storeShowEnglish, storedShowEnglish } from './language';
import { bilingual, bilingualLine } from './locales';
import { VocabularyContext } from './vocabulary';

/** The automatic retry waits at least this long after a run of its own, even when the core
 * still reports a package due (settings missing, the folder locked meanwhile). */
const AUTO_RETRY_MIN_GAP_MS = 30_000;
/** The outbox's count is read again this often (an export or the CLI may change it). */
const OUTBOX_POLL_MS = 30_000;

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
  const [loadError, setLoadError] = useState<ErrorReport | null>(null);
  const [outbox, setOutbox] = useState<OutboxOverview | null>(null);
  const lastAutoRetry = useRef(0);
  // What the new-case wizard holds, kept here so that typed but unsaved input survives the
  // auto-lock (which unmounts every screen until the passphrase is typed again). Memory only.
  const wizardProgress = useRef<WizardProgress | null>(null);
  const keepWizardProgress = useCallback((progress: WizardProgress) => {
    wizardProgress.current = progress;
  }, []);
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
  const open = lock?.unlocked === true;

  // Locked: forget the outbox shown (the merchants' names) along with the shell's key.
  useEffect(() => {
    if (!open) setOutbox(null);
  }, [open]);

  const loadOutbox = useCallback(async () => {
    const outcome = await call('outbox_overview', {});
    if (outcome.ok) setOutbox(outcome.value);
  }, []);

  // The count on the 发件箱 button: read on opening, on each screen, after each package's
  // upload ends (the 上传 button, a row's 重试, the automatic retry), and every 30 s.
  // biome-ignore lint/correctness/useExhaustiveDependencies: screen.kind only triggers a fresh read on each screen
  useEffect(() => {
    if (!open) return;
    void loadOutbox();
    const timer = window.setInterval(() => void loadOutbox(), OUTBOX_POLL_MS);
    const stop = onEvent('upload-progress', (progress) => {
      if (progress.phase === 'done' || progress.phase === 'failed') void loadOutbox();
    });
    return () => {
      window.clearInterval(timer);
      void stop.then((unlisten) => unlisten());
    };
  }, [open, loadOutbox, screen.kind]);

  // The automatic retry: when the earliest failed package's next retry time comes while the
  // app is open, ask the core to send what is due (it decides which), without a click.
  const nextRetryAt = outbox?.next_retry_at ?? null;
  useEffect(() => {
    if (!open || nextRetryAt === null) return;
    const due = new Date(nextRetryAt).getTime();
    const wait = Math.max(due - Date.now() + 500, lastAutoRetry.current + AUTO_RETRY_MIN_GAP_MS - Date.now(), 0);
    const timer = window.setTimeout(
      () => {
        lastAutoRetry.current = Date.now();
        void call('retry_due_packages', {}).then(() => loadOutbox());
      },
      Math.min(wait, 2 ** 31 - 1),
    );
    return () => window.clearTimeout(timer);
  }, [open, nextRetryAt, loadOutbox]);

  const loadWords = useCallback(() => {
    setLoadError(null);
    void call('vocabulary', {}).then((outcome) => {
      if (outcome.ok) setVocabulary(outcome.value);
      else setLoadError(outcome.error);
    });
    void call('finding_advice', {}).then((outcome) => {
      if (outcome.ok) setAdvice(adviceByCode(outcome.value));
      else setLoadError(outcome.error);
    });
  }, []);

  useEffect(() => loadWords(), [loadWords]);

  const nav = (target: Screen, label: Parameters<typeof bilingual>[0], testId: string, count?: number) => (
    <button
      type="button"
      className="button button--on-dark"
      aria-current={screen.kind === target.kind ? 'page' : undefined}
      onClick={() => setScreen(target)}
      data-testid={testId}
    >
      <Bilingual text={bilingual(label)} />
      {count !== undefined && count > 0 && (
        <>
          <span className="nav-count" data-testid={`${testId}-count`} aria-hidden="true">
            {count}
          </span>
          {/* The sentence for a screen reader: an aria-label on a plain span is not read. */}
          <span className="visually-hidden">{bilingualLine((m) => m.nav.notUploaded(count))}</span>
        </>
      )}
    </button>
  );

  return (
    <ShowEnglishContext.Provider value={englishChoice}>
      <div className="app">
        <SkipLink anchor={MAIN_ANCHOR} text={(m) => m.skip.toMain} testId="skip-to-main" />
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
                {nav({ kind: 'outbox' }, (m) => m.nav.outbox, 'nav-outbox', outbox?.not_done)}
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
        <main id={MAIN_ANCHOR} tabIndex={-1} className="app-main">
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
              {loadError !== null && <ErrorBanner error={loadError} onRetry={loadWords} />}
              {vocabulary === null ? (
                loadError === null && (
                  <p className="loading" data-testid="loading">
                    <Bilingual text={bilingual((m) => m.caseList.loading)} />
                  </p>
                )
              ) : (
                <VocabularyContext.Provider value={vocabulary}>
                  <FindingAdviceContext.Provider value={advice}>
                    {screen.kind === 'list' && <CaseList onOpen={(caseId) => setScreen({ kind: 'case', caseId })} />}
                    {screen.kind === 'new' && (
                      <NewCaseWizard
                        saved={wizardProgress.current}
                        onProgress={keepWizardProgress}
                        onCreated={(caseId) => {
                          wizardProgress.current = null;
                          setScreen({ kind: 'case', caseId });
                        }}
                        onCancel={() => {
                          wizardProgress.current = null;
                          setScreen({ kind: 'list' });
                        }}
                      />
                    )}
                    {screen.kind === 'case' && (
                      <CaseView
                        caseId={screen.caseId}
                        onBack={() => setScreen({ kind: 'list' })}
                        onOpenOutbox={() => setScreen({ kind: 'outbox' })}
                      />
                    )}
                    {screen.kind === 'outbox' && <OutboxView onChanged={() => void loadOutbox()} />}
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
