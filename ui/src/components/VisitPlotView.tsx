import { useEffect, useId, useState } from 'react';

import { call } from '../api';
import type { CheckedItem } from '../bindings/CheckedItem';
import type { ErrorReport } from '../errors';
import type { CaptureTimeline } from '../bindings/CaptureTimeline';
import type { PositionPlot } from '../bindings/PositionPlot';
import type { VisitPlot } from '../bindings/VisitPlot';
import { type Language, useLanguage } from '../language';
import { bilingual, type BilingualText, bilingualLine, type Messages, messagesOf } from '../locales';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';

const INSIDE = '#2e7d32';
const OUTSIDE = '#c62828';
const SITE = '#1565c0';

/** Metres as an axis label: whole metres, or kilometres from 1000 m on, in the leading language. */
function metres(value: number, language: Language): string {
  const units = messagesOf(language).units;
  const size = Math.abs(value);
  if (size >= 1000) return units.kilometres((value / 1000).toFixed(size % 1000 === 0 ? 0 : 1));
  return units.metres(String(Math.round(value)));
}

/** Both languages inside an SVG `<text>`: the leading one, then the other in a quieter tone. */
function SvgBilingual({ text }: { text: BilingualText }) {
  const language = useLanguage();
  const [first, second] = language === 'en' ? [text.en, text.zh] : [text.zh, text.en];
  return (
    <>
      <tspan>{first}</tspan>
      <tspan className="visit-plot__secondary" dx={4}>
        {second}
      </tspan>
    </>
  );
}

/**
 * Where and when the case's photos were taken: the premises with its radius circle and each
 * photo's position (inside green, outside red, with its distance), and a timeline of capture
 * times across the visit day. The geometry is the core's `visit_plot` (the package's report
 * draws the same numbers); this only draws it, as SVG, with nothing fetched. `version` changes
 * whenever the case was checked again, and the plot is read again then.
 */
export function VisitPlotView({ caseId, items, version }: { caseId: string; items: CheckedItem[]; version: unknown }) {
  const id = useId();
  const language = useLanguage();
  const [plot, setPlot] = useState<VisitPlot | null>(null);
  const [error, setError] = useState<ErrorReport | null>(null);

  const load = async () => {
    const outcome = await call('visit_plot', { case_id: caseId });
    if (outcome.ok) {
      setPlot(outcome.value);
      setError(null);
    } else {
      setError(outcome.error);
    }
  };

  useEffect(() => {
    void load();
  }, [caseId, version]);

  const titles = new Map(items.map((item) => [item.key, { zh: item.title_zh, en: item.title_en }]));

  return (
    <section className="panel visit-plot" aria-labelledby={`${id}-heading`} data-testid="visit-plot">
      <h2 id={`${id}-heading`} className="section-heading">
        <Bilingual text={bilingual((m) => m.visitPlot.heading)} />
      </h2>
      {error !== null && <ErrorBanner error={error} onRetry={() => void load()} />}
      {plot !== null && (
        <>
          <div className="visit-plot__figures">
            {plot.positions === null ? (
              <p className="muted" data-testid="plot-no-site">
                <Bilingual text={bilingual((m) => m.visitPlot.noSite)} />
              </p>
            ) : (
              <PositionsDrawing positions={plot.positions} />
            )}
            {plot.timeline === null ? (
              <p className="muted" data-testid="plot-no-times">
                <Bilingual text={bilingual((m) => m.visitPlot.noTimes)} />
              </p>
            ) : (
              <TimelineDrawing timeline={plot.timeline} />
            )}
          </div>
          {plot.files.length > 0 && (
            <table className="case-table visit-plot__legend" data-testid="plot-legend">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">
                    <Bilingual text={bilingual((m) => m.visitPlot.file)} />
                  </th>
                  <th scope="col">
                    <Bilingual text={bilingual((m) => m.visitPlot.material)} />
                  </th>
                  <th scope="col">
                    <Bilingual text={bilingual((m) => m.visitPlot.distance)} />
                  </th>
                  <th scope="col">
                    <Bilingual text={bilingual((m) => m.visitPlot.captured)} />
                  </th>
                </tr>
              </thead>
              <tbody>
                {plot.files.map((file) => {
                  const position = plot.positions?.photos.find((photo) => photo.number === file.number);
                  const capture = plot.timeline?.captures.find((point) => point.number === file.number);
                  const title = titles.get(file.material);
                  return (
                    <tr key={`${file.number}-${file.sha256}`} data-testid="plot-file" data-number={file.number}>
                      <td>{file.number}</td>
                      <td className="file__name">{file.name}</td>
                      <td>{title === undefined ? file.material : <Bilingual text={title} />}</td>
                      <td style={{ color: position === undefined ? undefined : position.inside ? INSIDE : OUTSIDE }}>
                        {position === undefined ? '—' : metres(position.distance_m, language)}
                      </td>
                      <td style={{ color: capture === undefined || capture.on_visit_day ? undefined : OUTSIDE }}>
                        {capture === undefined ? '—' : new Date(capture.at).toLocaleString(language, { hour12: false })}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

function PositionsDrawing({ positions }: { positions: PositionPlot }) {
  const language = useLanguage();
  const distance = (value: number) => metres(value, language);
  // A square of 560 px: the drawing's extent (metres) maps to `half` px from the centre.
  const size = 560;
  const centre = size / 2;
  const half = 220;
  const scale = half / positions.extent_m;
  const x = (east: number) => centre + east * scale;
  const y = (north: number) => centre - north * scale;
  const axisTicks = [-1, -0.5, 0.5, 1].map((fraction) => fraction * positions.extent_m);
  const outside = positions.photos.filter((photo) => !photo.inside).length;
  const label = `${bilingualLine((m) => m.visitPlot.positionsLabel)}: ${positions.photos.length} / ${outside}`;
  return (
    <figure className="visit-plot__figure">
      <svg viewBox={`0 0 ${size} ${size}`} width={size} height={size} role="img" aria-label={label} data-testid="plot-positions">
        <rect x={0} y={0} width={size} height={size} fill="#fafafa" stroke="#999" />
        {/* Axes through the premises, labelled in metres east and north. */}
        <line x1={centre - half} y1={centre} x2={centre + half} y2={centre} stroke="#bbb" />
        <line x1={centre} y1={centre - half} x2={centre} y2={centre + half} stroke="#bbb" />
        {axisTicks.map((value) => (
          <g key={value}>
            <line x1={x(value)} y1={centre - 4} x2={x(value)} y2={centre + 4} stroke="#888" />
            <text x={x(value)} y={centre + 16} textAnchor="middle" className="visit-plot__small">
              {distance(value)}
            </text>
            <line x1={centre - 4} y1={y(value)} x2={centre + 4} y2={y(value)} stroke="#888" />
            <text x={centre + 8} y={y(value) + 4} className="visit-plot__small">
              {distance(value)}
            </text>
          </g>
        ))}
        <text x={centre + half + 6} y={centre + 4} className="visit-plot__small">
          <SvgBilingual text={bilingual((m) => m.visitPlot.east)} />
        </text>
        <text x={centre} y={centre - half - 8} textAnchor="middle" className="visit-plot__small">
          <SvgBilingual text={bilingual((m) => m.visitPlot.north)} />
        </text>
        <circle
          cx={centre}
          cy={centre}
          r={positions.radius_m * scale}
          fill="rgba(46,125,50,0.08)"
          stroke={INSIDE}
          strokeWidth={2}
          strokeDasharray="6 4"
          data-testid="plot-radius"
        />
        <text x={centre} y={centre - positions.radius_m * scale - 6} textAnchor="middle" className="visit-plot__small" fill={INSIDE}>
          <SvgBilingual
            text={{
              zh: messagesOf('zh-CN').visitPlot.radius(metres(positions.radius_m, 'zh-CN')),
              en: messagesOf('en').visitPlot.radius(metres(positions.radius_m, 'en')),
            }}
          />
        </text>
        <rect x={centre - 7} y={centre - 7} width={14} height={14} fill={SITE} />
        <text x={centre} y={centre + 30} textAnchor="middle" className="visit-plot__small" fill={SITE}>
          <SvgBilingual text={bilingual((m) => m.visitPlot.premises)} />
        </text>
        {/* Scale bar. */}
        <line x1={20} y1={size - 20} x2={20 + positions.scale_bar_m * scale} y2={size - 20} stroke="#333" strokeWidth={3} />
        <text x={20} y={size - 28} className="visit-plot__small">
          {distance(positions.scale_bar_m)}
        </text>
        {positions.photos.map((photo) => {
          const colour = photo.inside ? INSIDE : OUTSIDE;
          const cx = x(photo.drawn_east_m);
          const cy = y(photo.drawn_north_m);
          return (
            <g
              key={photo.number}
              data-testid="plot-dot"
              data-number={photo.number}
              data-inside={photo.inside}
              data-distance-m={photo.distance_m}
            >
              <circle
                cx={cx}
                cy={cy}
                r={11}
                fill={photo.beyond_extent ? '#fff' : colour}
                stroke={colour}
                strokeWidth={2}
                strokeDasharray={photo.beyond_extent ? '3 2' : undefined}
              />
              <text x={cx} y={cy + 4} textAnchor="middle" className="visit-plot__number" fill={photo.beyond_extent ? colour : '#fff'}>
                {photo.number}
              </text>
              {!photo.inside && (
                <text x={cx + 14} y={cy - 8} className="visit-plot__small" fill={colour}>
                  {distance(photo.distance_m)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="muted">
        <span className="visit-plot__dot" style={{ background: INSIDE }} />{' '}
        <Bilingual text={bilingual((m) => m.visitPlot.inside)} />{' '}
        <span className="visit-plot__dot" style={{ background: OUTSIDE }} />{' '}
        <Bilingual text={bilingual((m) => m.visitPlot.outside)} />
        {positions.without_position.length > 0 && (
          <>
            {' · '}
            <Bilingual text={bilingual((m) => m.visitPlot.withoutPosition)} />{' '}
            {positions.without_position.map((number) => `#${number}`).join(' ')}
          </>
        )}
      </figcaption>
    </figure>
  );
}

function TimelineDrawing({ timeline }: { timeline: CaptureTimeline }) {
  const width = 900;
  const left = 40;
  const right = 860;
  const start = Date.parse(timeline.start);
  const total = Math.max(1, Date.parse(timeline.end) - start);
  const xOf = (time: string) => left + ((Date.parse(time) - start) / total) * (right - left);
  // Labels in rows so that close points do not overprint each other.
  const rowEnds: number[] = [];
  const placed = timeline.captures.map((capture) => {
    const x = xOf(capture.at);
    let row = rowEnds.findIndex((end) => end + 26 < x);
    if (row === -1) {
      rowEnds.push(x);
      row = rowEnds.length - 1;
    } else {
      rowEnds[row] = x;
    }
    return { capture, x, row: Math.min(row, 11) };
  });
  const rows = Math.min(Math.max(rowEnds.length, 1), 12);
  const axisY = 40 + rows * 26;
  const height = axisY + 44;
  const window = timeline.visit_window;
  const band =
    window === null
      ? null
      : {
          x1: Math.max(left, xOf(window.start)),
          x2: Math.min(right, xOf(window.end)),
        };
  const offDay = timeline.captures.filter((capture) => !capture.on_visit_day).length;
  const label = `${bilingualLine((m) => m.visitPlot.timelineLabel)}: ${timeline.captures.length} / ${offDay}`;
  return (
    <figure className="visit-plot__figure visit-plot__figure--wide">
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={label} data-testid="plot-timeline">
        {band !== null && window !== null && band.x2 > band.x1 && (
          <g data-testid="plot-visit-window">
            <rect x={band.x1} y={20} width={band.x2 - band.x1} height={axisY - 20} fill="rgba(46,125,50,0.08)" />
            {/* Near the right edge the label ends at the band instead of starting there. */}
            <text
              x={band.x1 > width * 0.6 ? band.x2 : band.x1 + 2}
              y={14}
              textAnchor={band.x1 > width * 0.6 ? 'end' : 'start'}
              className="visit-plot__small"
              fill={INSIDE}
            >
              <SvgBilingual text={bilingual((m: Messages) => m.visitPlot.visitDay(window.date))} />
            </text>
          </g>
        )}
        <line x1={left} y1={axisY} x2={right} y2={axisY} stroke="#333" strokeWidth={1.5} />
        {timeline.ticks.map((tick) => (
          <g key={tick.at}>
            <line x1={xOf(tick.at)} y1={axisY} x2={xOf(tick.at)} y2={axisY + 6} stroke="#333" />
            <text x={xOf(tick.at)} y={axisY + 20} textAnchor="middle" className="visit-plot__small">
              {tick.label}
            </text>
          </g>
        ))}
        <text x={right} y={axisY + 38} textAnchor="end" className="visit-plot__small">
          <SvgBilingual text={bilingual((m) => m.visitPlot.timeZone)} />
        </text>
        {placed.map(({ capture, x, row }) => {
          const yDot = axisY - 16 - row * 26;
          const colour = capture.on_visit_day ? SITE : OUTSIDE;
          return (
            <g key={capture.number} data-testid="plot-capture" data-number={capture.number} data-on-visit-day={capture.on_visit_day}>
              <line x1={x} y1={yDot + 10} x2={x} y2={axisY} stroke={colour} strokeOpacity={0.5} />
              <circle cx={x} cy={yDot} r={10} fill={colour} />
              <text x={x} y={yDot + 4} textAnchor="middle" className="visit-plot__number" fill="#fff">
                {capture.number}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="muted">
        <span className="visit-plot__dot" style={{ background: SITE }} />{' '}
        <Bilingual text={bilingual((m) => m.visitPlot.onVisitDay)} />{' '}
        <span className="visit-plot__dot" style={{ background: OUTSIDE }} />{' '}
        <Bilingual text={bilingual((m) => m.visitPlot.otherDay)} />
        {timeline.without_time.length > 0 && (
          <>
            {' · '}
            <Bilingual text={bilingual((m) => m.visitPlot.withoutTime)} />{' '}
            {timeline.without_time.map((number) => `#${number}`).join(' ')}
          </>
        )}
      </figcaption>
    </figure>
  );
}
