import { useId, useMemo, useState } from 'react';

import type { CaseOverview } from '../bindings/CaseOverview';
import type { CaseSummary } from '../bindings/CaseSummary';
import { useLanguage } from '../language';
import { bilingual, bilingualLine, messagesOf } from '../locales';
import { Bilingual } from './Bilingual';

/** Folds case and full-width forms, so "abc", "ABC" and "ＡＢＣ" all match. */
function searchable(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim();
}

export function matchesQuery(summary: CaseSummary, query: string): boolean {
  const needle = searchable(query);
  return (
    needle === '' || searchable(summary.merchant_name).includes(needle) || searchable(summary.id).includes(needle)
  );
}

export function CaseList({ cases, onOpen }: { cases: CaseOverview[]; onOpen: (caseId: string) => void }) {
  const [query, setQuery] = useState('');
  const searchId = useId();
  const shown = useMemo(() => cases.filter((overview) => matchesQuery(overview.case, query)), [cases, query]);
  const filtering = searchable(query) !== '';

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
        <p className="toolbar__count" aria-live="polite">
          <Bilingual
            text={
              filtering
                ? bilingual((m) => m.caseList.filteredCount(shown.length, cases.length))
                : bilingual((m) => m.caseList.count(cases.length))
            }
          />
        </p>
      </div>

      {cases.length === 0 ? (
        <EmptyState />
      ) : shown.length === 0 ? (
        <div className="empty-state" data-testid="no-match">
          <Bilingual text={bilingual((m) => m.caseList.noMatch(query.trim()))} stacked />
        </div>
      ) : (
        <CaseTable cases={shown} onOpen={onOpen} />
      )}
    </section>
  );
}

function CaseTable({ cases, onOpen }: { cases: CaseOverview[]; onOpen: (caseId: string) => void }) {
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
          {cases.map((overview) => (
            <CaseRow key={overview.case.id} overview={overview} onOpen={onOpen} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Ready to submit, or how many required materials and fields still need work. */
export function StatusBadge({ overview }: { overview: Pick<CaseOverview, 'blocking' | 'summary'> }) {
  const { summary } = overview;
  const toDo =
    summary.required - summary.ok + summary.fields_missing + summary.fields_invalid;
  return overview.blocking ? (
    <span className="badge badge--blocking" data-testid="case-status" data-status="blocking">
      <Bilingual text={bilingual((m) => m.status.blocking(Math.max(toDo, summary.error_findings > 0 ? 1 : 0)))} />
    </span>
  ) : (
    <span className="badge badge--ok" data-testid="case-status" data-status="ready">
      <Bilingual text={bilingual((m) => m.status.ready)} />
    </span>
  );
}

function CaseRow({ overview, onOpen }: { overview: CaseOverview; onOpen: (caseId: string) => void }) {
  const summary = overview.case;
  const merchantType = bilingual((m) => m.merchantType[summary.merchant_type]);
  const edition = bilingual((m) => m.edition[summary.edition]);
  const name = summary.merchant_name.trim();
  return (
    <tr data-case-id={summary.id}>
      <td className="case-table__status">
        <StatusBadge overview={overview} />
      </td>
      <td className="case-table__id">
        <code>{summary.id}</code>
      </td>
      <td className="case-table__merchantName" data-testid="merchant-name">
        <button
          type="button"
          className="link-button"
          onClick={() => onOpen(summary.id)}
          aria-label={`${bilingualLine((m) => m.status.open)} ${name === '' ? summary.id : name}`}
          data-testid="open-case"
        >
          {name === '' ? (
            <span className="muted">{bilingualLine((m) => m.caseList.unnamedMerchant)}</span>
          ) : (
            name
          )}
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
