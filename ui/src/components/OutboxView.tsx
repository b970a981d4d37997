import { useCallback, useEffect, useId, useState } from 'react';

import { call, type CommandOutcome, onEvent } from '../api';
import type { ErrorReport } from '../errors';
import type { OutboxEntry } from '../bindings/OutboxEntry';
import type { OutboxOverview } from '../bindings/OutboxOverview';
import type { UploadOutcome } from '../bindings/UploadOutcome';
import type { UploadProgress } from '../bindings/UploadProgress';
import { type Language, useLanguage } from '../language';
import { bilingual, type BilingualText, bilingualLine, messagesOf } from '../locales';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';

/**
 * Bytes as people read them (1 MiB = 1024 KiB), with one decimal. It goes into a message shown in
 * both languages, and the two locales write these units alike.
 */
function size(bytes: number): string {
  const units = messagesOf('zh-CN').units;
  if (bytes < 1024) return units.bytes(String(bytes));
  if (bytes < 1024 * 1024) return units.kib((bytes / 1024).toFixed(1));
  return units.mib((bytes / 1024 / 1024).toFixed(1));
}

/** A time as the leading language writes it, 24-hour, in this computer's time zone. */
function time(text: string | null, language: Language): string {
  return text === null ? '—' : new Date(text).toLocaleString(language, { hour12: false });
}

/**
 * What the manager should do about an upload error, by its code (never by the message,
 * which only names the server and the bucket). `invalid_input` from the upload is the
 * settings that are missing or unusable.
 */
function advice(error: ErrorReport): BilingualText | null {
  switch (error.code) {
    case 'upload_refused':
      return bilingual((m) => m.outbox.fixCredentials);
    case 'upload_bucket_missing':
      return bilingual((m) => m.outbox.fixBucket);
    case 'upload_unreachable':
      return bilingual((m) => m.outbox.fixNetwork);
    case 'invalid_input':
      return bilingual((m) => m.outbox.notConfigured);
    default:
      return null;
  }
}

type RunState =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'finished'; outcomes: UploadOutcome[] }
  | { kind: 'failed'; error: ErrorReport };

/**
 * 发件箱 Outbox: every exported package with its upload state, and the 上传 button. The upload
 * runs in the shell off the UI thread; `upload-progress` events move the bar of the package
 * being sent, and the list is read again from the core when the run ends.
 */
export function OutboxView({ onChanged }: { onChanged?: () => void }) {
  const id = useId();
  const language = useLanguage();
  const [overview, setOverview] = useState<OutboxOverview | null>(null);
  const entries = overview?.entries ?? null;
  const [loadError, setLoadError] = useState<ErrorReport | null>(null);
  const [run, setRun] = useState<RunState>({ kind: 'idle' });
  const [live, setLive] = useState<UploadProgress | null>(null);

  const load = useCallback(async () => {
    const outcome = await call('outbox_overview', {});
    if (outcome.ok) {
      setOverview(outcome.value);
      setLoadError(null);
    } else {
      setLoadError(outcome.error);
    }
  }, []);

  useEffect(() => {
    void load();
    const stop = onEvent('upload-progress', (progress) => {
      setLive(progress);
      // A package changes state (done, failed): show what the core recorded.
      if (progress.phase === 'done' || progress.phase === 'failed') void load();
    });
    return () => void stop.then((unlisten) => unlisten());
  }, [load]);

  const finish = async (outcome: CommandOutcome<UploadOutcome[]>) => {
    setLive(null);
    setRun(outcome.ok ? { kind: 'finished', outcomes: outcome.value } : { kind: 'failed', error: outcome.error });
    await load();
    onChanged?.();
  };

  const upload = async () => {
    setRun({ kind: 'running' });
    await finish(await call('upload_packages', { case_id: null }));
  };

  /** A row's 重试: that package now, whatever its next retry time. */
  const retry = async (sha256: string) => {
    setRun({ kind: 'running' });
    await finish(await call('retry_package', { sha256 }));
  };

  const stateLabel = (entry: OutboxEntry) => bilingual((m) => m.outbox.state[entry.state]);

  const detail = (entry: OutboxEntry) => {
    const moving = live !== null && live.sha256 === entry.sha256 && run.kind === 'running' ? live : null;
    if (moving !== null || entry.state === 'uploading') {
      const sent = moving?.bytes_sent ?? entry.bytes_sent;
      const total = moving?.bytes ?? entry.bytes;
      return (
        <div className="upload-progress">
          <progress
            max={total}
            value={sent}
            aria-label={`${bilingualLine((m) => m.outbox.state.uploading)} ${entry.case_id}`}
            data-testid="upload-progress"
          />
          <span data-testid="upload-bytes">
            {moving !== null && <Bilingual text={bilingual((m) => m.outbox.phase[moving.phase])} />}{' '}
            <Bilingual text={bilingual((m) => m.outbox.sent(size(sent), size(total)))} />
          </span>
        </div>
      );
    }
    switch (entry.state) {
      case 'waiting':
        return null;
      case 'done':
        return (
          <div>
            <Bilingual text={bilingual((m) => m.outbox.remoteKey)} />{' '}
            <code data-testid="remote-key">{entry.remote_key}</code>
            <br />
            <Bilingual text={bilingual((m) => m.outbox.doneAt)} />{' '}
            <span data-testid="done-at">{time(entry.done_at, language)}</span>
          </div>
        );
      case 'failed': {
        const hint = entry.error === null ? null : advice(entry.error);
        return (
          <div data-error-code={entry.error?.code}>
            <Bilingual text={bilingual((m) => m.outbox.reason)} />{' '}
            <span className="error-banner__code">{entry.error?.code}</span> {entry.error?.message}
            {hint !== null && (
              <p className="field-problem">
                <Bilingual text={hint} />
              </p>
            )}
            <Bilingual text={bilingual((m) => m.outbox.nextRetryAuto)} />{' '}
            <span data-testid="next-retry">{time(entry.next_retry_at, language)}</span>{' '}
            <span className="muted">
              (<Bilingual text={bilingual((m) => m.outbox.attempts(entry.attempts))} />)
            </span>
          </div>
        );
      }
      default:
        return null;
    }
  };

  const finished = run.kind === 'finished' ? run.outcomes : [];
  const failedOutcome = finished.find((outcome) => outcome.error !== null && outcome.not_before === null);

  return (
    <section className="panel outbox" aria-labelledby={`${id}-heading`} data-testid="outbox">
      <div className="toolbar">
        <h2 id={`${id}-heading`} className="toolbar__heading">
          <Bilingual text={bilingual((m) => m.outbox.heading)} />
        </h2>
        <div className="button-row">
          <button type="button" className="button" onClick={() => void load()} data-testid="outbox-refresh">
            <Bilingual text={bilingual((m) => m.outbox.refresh)} />
          </button>
          <button
            type="button"
            className="button button--primary"
            onClick={() => void upload()}
            disabled={run.kind === 'running' || entries === null || entries.every((entry) => entry.state === 'done')}
            data-testid="upload"
          >
            <Bilingual text={bilingual((m) => (run.kind === 'running' ? m.outbox.uploading : m.outbox.upload))} />
          </button>
        </div>
      </div>
      <p className="muted">
        <Bilingual text={bilingual((m) => m.outbox.intro)} />
      </p>
      {loadError !== null && <ErrorBanner error={loadError} onRetry={() => void load()} />}
      {run.kind === 'failed' && (
        <>
          <ErrorBanner error={run.error} onRetry={() => void upload()} />
          {advice(run.error) !== null && (
            <p className="field-problem" data-testid="upload-advice">
              <Bilingual text={advice(run.error) as BilingualText} />
            </p>
          )}
        </>
      )}
      {run.kind === 'finished' && (
        <p role="status" data-testid="upload-result">
          <Bilingual
            text={bilingual((m) =>
              m.outbox.result(
                finished.filter((outcome) => outcome.state === 'done').length,
                finished.filter((outcome) => outcome.state === 'failed').length,
              ),
            )}
          />
          {failedOutcome?.error && advice(failedOutcome.error) !== null && (
            <span className="field-problem" data-testid="upload-advice" data-error-code={failedOutcome.error.code}>
              {' '}
              <Bilingual text={advice(failedOutcome.error) as BilingualText} />
            </span>
          )}
        </p>
      )}
      {entries !== null && entries.length === 0 && (
        <p className="empty-state" data-testid="outbox-empty">
          <Bilingual text={bilingual((m) => m.outbox.empty)} />
        </p>
      )}
      {entries !== null && entries.length > 0 && (
        <div className="table-card">
          <table className="case-table" data-testid="outbox-table">
            <thead>
              <tr>
                <th scope="col">
                  <Bilingual text={bilingual((m) => m.outbox.columns.merchant)} />
                </th>
                <th scope="col">
                  <Bilingual text={bilingual((m) => m.outbox.columns.package)} />
                </th>
                <th scope="col">
                  <Bilingual text={bilingual((m) => m.outbox.columns.size)} />
                </th>
                <th scope="col">
                  <Bilingual text={bilingual((m) => m.outbox.columns.state)} />
                </th>
                <th scope="col">
                  <Bilingual text={bilingual((m) => m.outbox.columns.detail)} />
                </th>
                <th scope="col">
                  <span className="visually-hidden">{bilingualLine((m) => m.outbox.columns.actions)}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr
                  key={entry.sha256}
                  data-testid="outbox-entry"
                  data-state={entry.state}
                  data-sha256={entry.sha256}
                  data-latest={entry.latest_of_case}
                  className={entry.latest_of_case ? undefined : 'outbox__earlier'}
                >
                  <td className="outbox__merchant">
                    <span data-testid="outbox-merchant">
                      {entry.merchant_name.trim() === ''
                        ? bilingualLine((m) => m.caseList.unnamedMerchant)
                        : entry.merchant_name}
                    </span>
                    <br />
                    <code className="outbox__case-id">{entry.case_id}</code>
                  </td>
                  <td className="outbox__package">
                    <span
                      className={`badge ${entry.complete ? 'badge--ok' : 'badge--warning'}`}
                      data-testid="outbox-complete"
                      data-complete={entry.complete}
                    >
                      <Bilingual text={bilingual((m) => (entry.complete ? m.outbox.complete : m.outbox.incomplete))} />
                    </span>
                    {!entry.latest_of_case && (
                      <span className="muted outbox__earlier-note">
                        {' '}
                        <Bilingual text={bilingual((m) => m.outbox.earlier)} />
                      </span>
                    )}
                    <br />
                    <code className="outbox__hash" title={entry.sha256}>
                      {entry.sha256.slice(0, 12)}…
                    </code>
                  </td>
                  <td>{size(entry.bytes)}</td>
                  <td>
                    <span className={`badge badge--outbox-${entry.state}`} data-testid="outbox-state">
                      <Bilingual text={stateLabel(entry)} />
                    </span>
                  </td>
                  <td className="outbox__detail">{detail(entry)}</td>
                  <td>
                    {(entry.state === 'failed' || entry.state === 'waiting') && (
                      <button
                        type="button"
                        className="button"
                        onClick={() => void retry(entry.sha256)}
                        disabled={run.kind === 'running'}
                        data-testid="outbox-retry"
                        aria-label={`${bilingualLine((m) => (entry.state === 'failed' ? m.outbox.retry : m.outbox.sendOne))} ${entry.merchant_name}`}
                      >
                        <Bilingual
                          text={bilingual((m) => (entry.state === 'failed' ? m.outbox.retry : m.outbox.sendOne))}
                        />
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
