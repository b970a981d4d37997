import { useCallback, useEffect, useId, useState } from 'react';

import { call } from '../api';
import type { CaseListing } from '../bindings/CaseListing';
import type { CaseOrder } from '../bindings/CaseOrder';
import type { CaseOverview } from '../bindings/CaseOverview';
import type { CaseState } from '../bindings/CaseState';
import type { ErrorReport } from '../errors';
import { useLanguage } from '../language';
import { bilingual, bilingualLine, messagesOf } from '../locales';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';
import { useGrowingRows } from './useGrowingRows';

const ORDERS: CaseOrder[] = ['last_change', 'visit_date'];

/**
 * 案件列表: the core filters by state, searches (name, id, USCC, legal representative) and
 * sorts; the list only shows what it answers, asked again as the manager types (after a pause)
 * or changes the filter or the order, and when the window gets the focus back (a case opened
 * with the CLI meanwhile).
 */
export function CaseList({ onOpen }: { onOpen: (caseId: string) => void }) {
  const [query, setQuery] = useState('');
  const [searched, setSearched] = useState('');
  const [state, setState] = useState<CaseState | null>(null);
  const [order, setOrder] = useState<CaseOrder>('last_change');
  const [listing, setListing] = useState<CaseListing | null>(null);
  const [error, setError] = useState<ErrorReport | null>(null);
  const searchId = useId();

  // Typing asks the core again once the keys pause.
  useEffect(() => {
    const timer = window.setTimeout(() => setSearched(query), 150);
    return () => window.clearTimeout(timer);
  }, [query]);

  const load = useCallback(async () => {
    const outcome = await call('case_list', { query: { search: searched, state, order } });
    if (outcome.ok) {
      setListing(outcome.value);
      setError(null);
    } else {
      setError(outcome.error);
    }
  }, [searched, state, order]);

  useEffect(() => {
    void load();
    const onFocus = () => void load();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [load]);

  const filtering = searched.trim() !== '' || state !== null;

  return (
    <section className="case-list" aria-labelledby={`${searchId}-heading`}>
      <div className="toolbar">
        <h2 className="toolbar__heading" id={`${searchId}-heading`}>
          <Bilingual text={bilingual((m) => m.caseList.heading)} />
        </h2>
        <label className="search" htmlFor={searchId}>
          <span className="visually-hidden">{bilingualLine((m) => m.caseList.searchLabel)}</span>
          <svg className="search__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" strokeWidth="2" />
            <path d="M16.5 16.5 L21 21" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
          </svg>
          <input
            id={searchId}
            className="search__input"
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            placeholder={bilingualLine((m) => m.caseList.searchPlaceholder)}
            autoComplete="off"
            spellCheck={false}
            data-testid="case-search"
          />
        </label>
        <label className="case-list__order">
          <span>
            <Bilingual text={bilingual((m) => m.caseList.orderLabel)} />
          </span>
          <select
            value={order}
            onChange={(event) => setOrder(event.target.value as CaseOrder)}
            data-testid="case-order"
          >
            {ORDERS.map((key) => (
              <option key={key} value={key}>
                {bilingualLine((m) => m.caseList.order[key])}
              </option>
            ))}
          </select>
        </label>
        {listing !== null && (
          <p className="toolbar__count" aria-live="polite">
            <Bilingual
              text={
                filtering
                  ? bilingual((m) => m.caseList.filteredCount(listing.cases.length, listing.total))
                  : bilingual((m) => m.caseList.count(listing.total))
              }
            />
          </p>
        )}
      </div>
      {listing !== null && listing.total > 0 && (
        <div className="state-filter" role="group" aria-label={bilingualLine((m) => m.caseList.stateFilter)}>
          <button
            type="button"
            className="chip"
            aria-pressed={state === null}
            onClick={() => setState(null)}
            data-testid="state-filter-all"
          >
            <Bilingual text={bilingual((m) => m.caseList.allStates)} /> {listing.total}
          </button>
          {listing.by_state.map((count) => (
            <button
              key={count.state}
              type="button"
              className={`chip chip--${count.state}`}
              aria-pressed={state === count.state}
              onClick={() => setState(state === count.state ? null : count.state)}
              data-testid="state-filter"
              data-state={count.state}
            >
              <Bilingual text={bilingual((m) => m.caseState[count.state])} /> {count.cases}
            </button>
          ))}
        </div>
      )}

      {error !== null && <ErrorBanner error={error} onRetry={() => void load()} />}
      {listing === null ? (
        error === null && (
          <p className="loading" data-testid="loading">
            <Bilingual text={bilingual((m) => m.caseList.loading)} />
          </p>
        )
      ) : listing.total === 0 ? (
        <EmptyState />
      ) : listing.cases.length === 0 ? (
        <div className="empty-state" data-testid="no-match">
          <Bilingual
            text={
              searched.trim() !== ''
                ? bilingual((m) => m.caseList.noMatch(searched.trim()))
                : bilingual((m) => m.caseList.noneInState)
            }
            stacked
          />
        </div>
      ) : (
        <CaseTable cases={listing.cases} onOpen={onOpen} />
      )}
    </section>
  );
}

function CaseTable({ cases, onOpen }: { cases: CaseOverview[]; onOpen: (caseId: string) => void }) {
  const { shown, sentinel, more } = useGrowingRows<HTMLTableRowElement>(cases.length);
  const columns = [
    { key: 'status', text: bilingual((m) => m.status.column) },
    { key: 'id', text: bilingual((m) => m.caseList.columns.id) },
    { key: 'merchantName', text: bilingual((m) => m.caseList.columns.merchantName) },
    { key: 'merchantType', text: bilingual((m) => m.caseList.columns.merchantType) },
    { key: 'edition', text: bilingual((m) => m.caseList.columns.edition) },
    { key: 'visitDate', text: bilingual((m) => m.caseList.columns.visitDate) },
    { key: 'fileCount', text: bilingual((m) => m.caseList.columns.fileCount) },
  ] as const;

  return (
    <div className="table-card">
      <table className="case-table" data-testid="case-table">
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col" className={`case-table__${column.key}`}>
                <Bilingual text={column.text} stacked />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {cases.slice(0, shown).map((overview) => (
            <CaseRow key={overview.case.id} overview={overview} onOpen={onOpen} />
          ))}
          {more && (
            // biome-ignore lint/a11y/noAriaHiddenOnFocusable: an empty sentinel row that shows more rows when scrolled into view; it has no tabindex and nothing to read, so it is hidden from screen readers (Biome takes every <tr> for focusable)
            <tr ref={sentinel} aria-hidden="true" className="case-table__more" data-testid="case-table-more">
              <td colSpan={columns.length} style={{ height: 1, padding: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Ready to submit, or how many required materials and fields still need work. */
export function StatusBadge({
  overview,
  draft = false,
}: {
  overview: Pick<CaseOverview, 'blocking' | 'summary'>;
  /** In the case list: says 草稿 before what is still to do. */
  draft?: boolean;
}) {
  const { summary } = overview;
  // Go-live materials owed later are not work for now.
  const toDo = summary.required - summary.ok - summary.due_at_golive + summary.fields_missing + summary.fields_invalid;
  const missing = Math.max(toDo, summary.error_findings > 0 ? 1 : 0);
  return overview.blocking ? (
    <span className="badge badge--blocking" data-testid="case-status" data-status="blocking">
      <Bilingual
        text={bilingual((m) =>
          draft ? `${m.caseState.draft} · ${m.status.blocking(missing)}` : m.status.blocking(missing),
        )}
      />
    </span>
  ) : (
    <span className="badge badge--ok" data-testid="case-status" data-status="ready">
      <Bilingual text={bilingual((m) => m.status.ready)} />
    </span>
  );
}

/** Where the case stands (草稿 with what is still to do, 可提交, 已导出, 已上传, 上传失败). */
function CaseStateBadge({ overview }: { overview: CaseOverview }) {
  if (overview.state === 'draft' || overview.state === 'ready') {
    return <StatusBadge overview={overview} draft={overview.state === 'draft'} />;
  }
  // A package exported although incomplete (its reason is in the package): head office may
  // send it back, so the list says so beside 已导出 / 已上传.
  return (
    <span
      className={`badge badge--case-${overview.state}`}
      data-testid="case-status"
      data-status={overview.state}
      data-incomplete={overview.blocking}
    >
      <Bilingual text={bilingual((m) => m.caseState[overview.state])} />
      {overview.blocking && (
        <>
          {' · '}
          <Bilingual text={bilingual((m) => m.caseList.packedIncomplete)} />
        </>
      )}
    </span>
  );
}

function CaseRow({ overview, onOpen }: { overview: CaseOverview; onOpen: (caseId: string) => void }) {
  const summary = overview.case;
  const merchantType = bilingual((m) => m.merchantType[summary.merchant_type]);
  const edition = bilingual((m) => m.edition[summary.edition]);
  const name = summary.merchant_name.trim();
  return (
    // The whole row opens the case on a click; the name stays the button that Tab and Enter reach.
    <tr
      data-case-id={summary.id}
      data-state={overview.state}
      className="case-table__row"
      onClick={() => onOpen(summary.id)}
    >
      <td className="case-table__status">
        <CaseStateBadge overview={overview} />
      </td>
      <td className="case-table__id">
        <code>{summary.id}</code>
      </td>
      <td className="case-table__merchantName" data-testid="merchant-name">
        <button
          type="button"
          className="link-button"
          onClick={(event) => {
            event.stopPropagation();
            onOpen(summary.id);
          }}
          aria-label={`${bilingualLine((m) => m.status.open)} ${name === '' ? summary.id : name}`}
          data-testid="open-case"
        >
          {name === '' ? <span className="muted">{bilingualLine((m) => m.caseList.unnamedMerchant)}</span> : name}
        </button>
      </td>
      <td className="case-table__merchantType" title={merchantType.en}>
        {merchantType.zh}
      </td>
      <td className="case-table__edition" title={edition.en}>
        {edition.zh}
      </td>
      <td className="case-table__visitDate">{summary.visit_date ?? '—'}</td>
      <td className="case-table__fileCount">{summary.file_count}</td>
    </tr>
  );
}

function EmptyState() {
  const language = useLanguage();
  return (
    <div className="empty-state" data-testid="empty-state">
      <svg className="empty-state__icon" viewBox="0 0 48 48" aria-hidden="true" focusable="false">
        <rect x="10" y="6" width="28" height="36" rx="4" fill="none" stroke="currentColor" strokeWidth="2.5" />
        <path d="M17 17 H31 M17 24 H31 M17 31 H25" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
      </svg>
      <p className="empty-state__title">
        <Bilingual text={bilingual((m) => m.caseList.empty)} stacked />
      </p>
      <p className="empty-state__hint">
        <Bilingual text={bilingual((m) => m.caseList.emptyHint)} />
        <code>{messagesOf(language).caseList.emptyCommand}</code>
      </p>
    </div>
  );
}
