import { useState } from 'react';

import { call } from '../api';
import type { Case } from '../bindings/Case';
import type { FieldOffer } from '../bindings/FieldOffer';
import type { ErrorReport } from '../errors';
import { bilingual } from '../locales';
import { en } from '../locales/en';
import { zhCN } from '../locales/zh-CN';
import { Bilingual } from './Bilingual';
import { draftOf, newCaseOf } from './CaseAttributesFields';
import { ErrorBanner } from './ErrorBanner';

/**
 * The premises' position read off the GPS 定位截图, offered when the case has none (the core's
 * `document_offers` gives it then only). Never silently: shown with where it was read and how
 * sure the reading is, and taken only by the button, which sends the case's attributes whole
 * to `update_case` with that position in its datum (GCJ-02, what the map apps show); the core
 * validates it like a typed one.
 */
export function SiteOffer({
  caseRecord,
  offer,
  onTaken,
}: {
  caseRecord: Case;
  offer: FieldOffer;
  onTaken: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorReport | null>(null);
  const [lat = '', lon = ''] = offer.value.split(',').map((part) => part.trim());

  const take = async () => {
    setBusy(true);
    const draft = { ...draftOf(caseRecord), siteKnown: true, lat, lon, datum: offer.datum ?? 'gcj02' };
    const outcome = await call('update_case', { case_id: caseRecord.id, change: newCaseOf(draft) });
    setBusy(false);
    if (!outcome.ok) {
      setError(outcome.error);
      return;
    }
    onTaken();
  };

  const percent = Math.round(offer.confidence * 100);
  return (
    <section className="panel field__offer" data-testid="site-offer" aria-labelledby="site-offer-heading">
      <h3 id="site-offer-heading">
        <Bilingual text={bilingual((m) => m.caseView.siteOfferHeading)} />
      </h3>
      <p>
        <Bilingual
          text={{
            zh: zhCN.caseView.offerFrom(offer.source_title_zh, percent),
            en: en.caseView.offerFrom(offer.source_title_en, percent),
          }}
        />{' '}
        <code data-testid="site-offer-value">
          {lat}, {lon} ({offer.datum === 'wgs84' ? 'WGS-84' : offer.datum === 'bd09' ? 'BD-09' : 'GCJ-02'})
        </code>
      </p>
      <p className="muted">
        <Bilingual text={bilingual((m) => m.caseView.siteOfferHint)} />
      </p>
      <button type="button" className="button" disabled={busy} onClick={() => void take()} data-testid="site-offer-use">
        <Bilingual text={bilingual((m) => m.caseView.siteOfferUse)} />
      </button>
      {error !== null && <ErrorBanner error={error} onRetry={() => setError(null)} />}
    </section>
  );
}
