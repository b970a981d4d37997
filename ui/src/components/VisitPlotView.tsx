import { createContext, useContext, useEffect, useId, useState } from 'react';

import { call } from '../api';
import type { CheckedItem } from '../bindings/CheckedItem';
import type { ErrorReport } from '../errors';
import type { CaptureTimeline } from '../bindings/CaptureTimeline';
import type { PositionPlot } from '../bindings/PositionPlot';
import type { VisitPlot } from '../bindings/VisitPlot';
import { type Language, useEnglishChoice, useLanguage } from '../language';
import { bilingual, type BilingualText, bilingualLine, type Messages, messagesOf } from '../locales';
import { Bilingual } from './Bilingual';
import { ErrorBanner } from './ErrorBanner';

const INSIDE = '#2e7d32';
const OUTSIDE = '#c62828';
const SITE = '#1565c0';

/**
 * The drawings' numbers of the case's files, by material and SHA-256 (as the plot numbers
 * them): the file cards show them, so a number in the drawings leads to its card.
 */
export const PlotNumbersContext = createContext<Map<string, number>>(new Map());

export function plotNumbersOf(plot: VisitPlot): Map<string, number> {
  return new Map(plot.files.map((file) => [`${file.material}:${file.sha256}`, file.number]));
}

/** A file card's number in the drawings, if it has one. */
export function PlotNumber({ material, sha256 }: { material: string; sha256: string }) {
  const number = useContext(PlotNumbersContext).get(`${material}:${sha256}`);
  if (number === undefined) return null;
  return (
    <span
      className="plot-number"
      data-testid="plot-number"
      data-number={number}
      title={bilingualLine((m) => m.visitPlot.plotNumber(number))}
    >
      #{number}
    </span>
  );
}

/** Metres as an axis label: whole metres, or kilometres from 1000 m on, in the leading language. */
function metres(value: number, language: Language): string {
  const units = messagesOf(language).units;
  const size = Math.abs(value);
  if (size >= 1000) return units.kilometres((value / 1000).toFixed(size % 1000 === 0 ? 0 : 1));
  return units.metres(String(Math.round(value)));
}

/**
 * A label inside the SVG: the Chinese alone, as everywhere else; with 设置 › 显示英文对照, the
 * English after it in a quieter tone (`data-testid="english"`, like `Bilingual`'s).
 */
function SvgBilingual({ text }: { text: BilingualText }) {
  const language = useLanguage();
  const { showEnglish } = useEnglishChoice();
  const [first, second] = language === 'en' ? [text.en, text.zh] : [text.zh, text.en];
  return (
    <>
      <tspan>{first}</tspan>
      {showEnglish && (
        <tspan className="visit-plot__secondary" dx={4} lang="en" data-testid="english">
          {second}
        </tspan>
      )}
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
export function VisitPlotView({
  caseId,
  items,
  version,
  onLoaded,
}: {
  caseId: string;
  items: CheckedItem[];
  version: unknown;
  /** Told each plot read: the case view puts its numbers on the file cards. */
  onLoaded?: (plot: VisitPlot) => void;
}) {
  const id = useId();
  const language = useLanguage();
  const [plot, setPlot] = useState<VisitPlot | null>(null);
  const [error, setError] = useState<ErrorReport | null>(null);

  const load = async () => {
    const outcome = await call('visit_plot', { case_id: caseId });
    if (outcome.ok) {
      setPlot(outcome.value);
      onLoaded?.(outcome.value);
      setError(null);
    } else {
      setError(outcome.error);
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: read again when the case or its check (version) changes
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
                        {capture === undefined ? '—' : chinaDateTime(Date.parse(capture.at))}
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

/** A photo's compass point from the premises (the core's, 0 = north, clockwise), named in `language`. */
function direction(compassPoint: number, language: Language): string {
  return messagesOf(language).visitPlot.directions[compassPoint] ?? '';
}

/**
 * A photo's marker: a circle inside the radius, a triangle outside it, so that the two differ
 * by shape and not by colour alone.
 */
function Marker({ cx, cy, inside, size = 11 }: { cx: number; cy: number; inside: boolean; size?: number }) {
  if (inside) return <circle cx={cx} cy={cy} r={size} fill={INSIDE} stroke={INSIDE} strokeWidth={2} />;
  const r = size + 3;
  const points = [
    [cx, cy - r],
    [cx + r * 0.95, cy + r * 0.65],
    [cx - r * 0.95, cy + r * 0.65],
  ]
    .map(([px, py]) => `${px},${py}`)
    .join(' ');
  return <polygon points={points} fill={OUTSIDE} stroke={OUTSIDE} strokeWidth={2} data-shape="triangle" />;
}

/** The legend's small marker, the same shapes as in the drawing. */
function LegendMarker({ inside, colour }: { inside: boolean; colour?: string }) {
  return (
    <svg width={16} height={16} viewBox="0 0 16 16" aria-hidden="true" className="visit-plot__legend-marker">
      {inside ? (
        <circle cx={8} cy={8} r={6} fill={colour ?? INSIDE} />
      ) : colour !== undefined ? (
        <rect x={2} y={2} width={12} height={12} fill={colour} />
      ) : (
        <polygon points="8,1 15,14 1,14" fill={OUTSIDE} />
      )}
    </svg>
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
  // Photos beyond the drawing are not pinned to its edge (where they read as if at the last
  // tick): they are listed beside it with their direction and distance.
  const onChart = positions.photos.filter((photo) => !photo.beyond_extent);
  const offChart = positions.photos.filter((photo) => photo.beyond_extent);
  // Range rings at whole multiples of the radius that fit the drawing.
  const rings = [2, 3, 4]
    .map((multiple) => multiple * positions.radius_m)
    .filter((ring) => ring <= positions.extent_m * 1.0001);
  const label = `${bilingualLine((m) => m.visitPlot.positionsLabel)}: ${positions.photos.length} / ${outside}`;
  return (
    <figure className="visit-plot__figure">
      <svg
        viewBox={`0 0 ${size} ${size}`}
        width={size}
        height={size}
        role="img"
        aria-label={label}
        data-testid="plot-positions"
      >
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
        {/* Above the axis's end: beside it, the 800 米 tick's label covered it. */}
        <text x={centre + half} y={centre - 8} textAnchor="end" className="visit-plot__small">
          <SvgBilingual text={bilingual((m) => m.visitPlot.east)} />
        </text>
        <text x={centre} y={centre - half - 8} textAnchor="middle" className="visit-plot__small">
          <SvgBilingual text={bilingual((m) => m.visitPlot.north)} />
        </text>
        {rings.map((ring) => (
          <g key={ring} data-testid="plot-ring" data-ring-m={ring}>
            <circle cx={centre} cy={centre} r={ring * scale} fill="none" stroke="#94a3b8" strokeDasharray="2 4" />
            <text
              x={centre + (ring * scale) / Math.SQRT2 + 3}
              y={centre + (ring * scale) / Math.SQRT2 + 12}
              className="visit-plot__small"
              fill="#475569"
            >
              {distance(ring)}
            </text>
          </g>
        ))}
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
        <text
          x={centre}
          y={centre - positions.radius_m * scale - 6}
          textAnchor="middle"
          className="visit-plot__small"
          fill={INSIDE}
        >
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
        <line
          x1={20}
          y1={size - 20}
          x2={20 + positions.scale_bar_m * scale}
          y2={size - 20}
          stroke="#333"
          strokeWidth={3}
        />
        <text x={20} y={size - 28} className="visit-plot__small">
          {distance(positions.scale_bar_m)}
        </text>
        {onChart.map((photo) => {
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
              <Marker cx={cx} cy={cy} inside={photo.inside} />
              <text
                x={cx}
                y={cy + (photo.inside ? 4 : 7)}
                textAnchor="middle"
                className="visit-plot__number"
                fill="#fff"
              >
                {photo.number}
              </text>
              {!photo.inside && (
                <text x={cx + 16} y={cy - 8} className="visit-plot__small" fill={colour}>
                  {distance(photo.distance_m)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {offChart.length > 0 && (
        <div className="visit-plot__off-chart" data-testid="plot-off-chart">
          <p className="visit-plot__off-chart-title">
            <Bilingual text={bilingual((m) => m.visitPlot.offChart)} />
          </p>
          <ul>
            {offChart.map((photo) => {
              const bearing = ((Math.atan2(photo.east_m, photo.north_m) * 180) / Math.PI + 360) % 360;
              return (
                <li
                  key={photo.number}
                  data-testid="plot-dot"
                  data-off-chart="true"
                  data-number={photo.number}
                  data-inside={photo.inside}
                  data-distance-m={photo.distance_m}
                >
                  <LegendMarker inside={photo.inside} />
                  <strong>#{photo.number}</strong>{' '}
                  <span className="visit-plot__arrow" style={{ transform: `rotate(${bearing}deg)` }} aria-hidden="true">
                    ↑
                  </span>{' '}
                  <Bilingual
                    text={{
                      zh: messagesOf('zh-CN').visitPlot.toward(
                        direction(photo.compass_point, 'zh-CN'),
                        metres(photo.distance_m, 'zh-CN'),
                      ),
                      en: messagesOf('en').visitPlot.toward(
                        direction(photo.compass_point, 'en'),
                        metres(photo.distance_m, 'en'),
                      ),
                    }}
                  />
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <figcaption className="muted">
        <LegendMarker inside /> <Bilingual text={bilingual((m) => m.visitPlot.inside)} />{' '}
        <LegendMarker inside={false} /> <Bilingual text={bilingual((m) => m.visitPlot.outside)} />
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

/** UTC+8, the time the visit date is in (and the core's ticks are labelled in). */
const CHINA_OFFSET_MS = 8 * 3600 * 1000;

/** `HH:MM` of an instant in UTC+8. */
function chinaClock(ms: number): string {
  const local = new Date(ms + CHINA_OFFSET_MS);
  return `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
}

/** `YYYY-MM-DD HH:MM` of an instant in UTC+8. */
function chinaDateTime(ms: number): string {
  return `${new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10)} ${chinaClock(ms)}`;
}

function TimelineDrawing({ timeline }: { timeline: CaptureTimeline }) {
  const width = 900;
  const left = 40;
  const right = 860;
  const window = timeline.visit_window;
  // Zoomed to the visit day (the core decides, and the package's report draws the same) when
  // other days' captures would squeeze the day into a sliver: those are listed with their dates.
  const zoomed = timeline.zoomed_to_visit_day;
  const shown = zoomed ? timeline.captures.filter((capture) => capture.on_visit_day) : timeline.captures;
  const others = zoomed ? timeline.captures.filter((capture) => !capture.on_visit_day) : [];
  const start = Date.parse(timeline.start);
  const end = Date.parse(timeline.end);
  const ticks = timeline.ticks.map((tick) => ({ at: Date.parse(tick.at), label: tick.label }));
  const total = Math.max(1, end - start);
  const xOf = (time: number) => left + ((time - start) / total) * (right - left);
  // Labels in rows so that close points do not overprint each other.
  const rowEnds: number[] = [];
  const placed = shown.map((capture) => {
    const x = xOf(Date.parse(capture.at));
    let row = rowEnds.findIndex((rowEnd) => rowEnd + 26 < x);
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
  const band =
    window === null
      ? null
      : {
          x1: Math.max(left, xOf(Date.parse(window.start))),
          x2: Math.min(right, xOf(Date.parse(window.end))),
        };
  const offDay = timeline.captures.filter((capture) => !capture.on_visit_day).length;
  const label = `${bilingualLine((m) => m.visitPlot.timelineLabel)}: ${timeline.captures.length} / ${offDay}`;
  return (
    <figure className="visit-plot__figure visit-plot__figure--wide">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-label={label}
        data-testid="plot-timeline"
        data-zoomed={zoomed}
      >
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
        {ticks.map((tick) => (
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
            <g
              key={capture.number}
              data-testid="plot-capture"
              data-number={capture.number}
              data-on-visit-day={capture.on_visit_day}
            >
              <line x1={x} y1={yDot + 10} x2={x} y2={axisY} stroke={colour} strokeOpacity={0.5} />
              {/* Another day's capture is a square, the visit day's a circle. */}
              {capture.on_visit_day ? (
                <circle cx={x} cy={yDot} r={10} fill={colour} />
              ) : (
                <rect x={x - 10} y={yDot - 10} width={20} height={20} fill={colour} />
              )}
              <text x={x} y={yDot + 4} textAnchor="middle" className="visit-plot__number" fill="#fff">
                {capture.number}
              </text>
            </g>
          );
        })}
      </svg>
      {others.length > 0 && (
        <div className="visit-plot__off-chart" data-testid="plot-other-days">
          <p className="visit-plot__off-chart-title">
            <Bilingual text={bilingual((m) => m.visitPlot.otherDays)} />
          </p>
          <ul>
            {others.map((capture) => (
              <li
                key={capture.number}
                data-testid="plot-capture"
                data-number={capture.number}
                data-on-visit-day="false"
              >
                <LegendMarker inside={false} colour={OUTSIDE} /> <strong>#{capture.number}</strong>{' '}
                {chinaDateTime(Date.parse(capture.at))}
              </li>
            ))}
          </ul>
        </div>
      )}
      <figcaption className="muted">
        <LegendMarker inside colour={SITE} /> <Bilingual text={bilingual((m) => m.visitPlot.onVisitDay)} />{' '}
        <LegendMarker inside={false} colour={OUTSIDE} /> <Bilingual text={bilingual((m) => m.visitPlot.otherDay)} />
        {zoomed && (
          <>
            {' · '}
            <Bilingual text={bilingual((m) => m.visitPlot.zoomedToVisitDay)} />
          </>
        )}
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
