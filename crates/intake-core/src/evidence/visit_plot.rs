//! Where and when a case's photos were taken, as data to draw: the photos' positions around
//! the premises (metres east and north of it, inside or outside the radius) and their capture
//! times across the visit day. The package's `report.html` and the app's case view draw the
//! same numbers, so what the manager sees at the counter is what head office reads.
//!
//! No map tiles and nothing fetched: a local plane around the premises (an equirectangular
//! approximation, well under a metre off within a few kilometres) is all a radius of a few
//! hundred metres needs.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::datum::{self, LatLon};
use crate::case::Case;
use crate::database::EvidenceRecord;
use crate::evidence::{FileInspection, Thresholds};

/// Metres per degree of latitude (mean), and of longitude at the equator.
const METRES_PER_DEGREE_LAT: f64 = 110_574.0;
const METRES_PER_DEGREE_LON_AT_EQUATOR: f64 = 111_320.0;

/// One file as the plot needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotFile {
    /// The number it carries in the drawing (and in the list beside it).
    pub number: u32,
    #[allow(missing_docs)]
    pub sha256: String,
    /// The original file name.
    pub name: String,
    /// The material key of its slot.
    pub material: String,
    /// Its GPS position (WGS-84), and its distance from the premises in metres when the case
    /// has a premises position.
    pub position: Option<(LatLon, Option<f64>)>,
    /// Its capture time.
    pub capture_utc: Option<DateTime<Utc>>,
}

/// Both drawings of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VisitPlot {
    #[allow(missing_docs)]
    pub case_id: String,
    /// `None` when the case has no premises position.
    pub positions: Option<PositionPlot>,
    /// `None` when no file records a capture time.
    pub timeline: Option<CaptureTimeline>,
    /// Every file the plot numbers, in order: what each number stands for.
    pub files: Vec<PlottedFileName>,
}

/// A number of the drawings and the file it stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)]
pub struct PlottedFileName {
    pub number: u32,
    pub sha256: String,
    pub name: String,
    pub material: String,
}

/// The premises at the origin, the photos around it, in metres (x east, y north).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PositionPlot {
    /// The radius around the premises within which site photos must be taken.
    pub radius_m: f64,
    /// Half the width of the drawing: the radius with room around it, or the farthest photo
    /// (up to four radii; photos farther off are drawn on the edge).
    pub extent_m: f64,
    /// A round length for the scale bar, about a third of the extent.
    pub scale_bar_m: f64,
    /// The photos with a GPS position.
    pub photos: Vec<PlottedPosition>,
    /// Numbers of the files without a position.
    pub without_position: Vec<u32>,
}

/// One photo's position relative to the premises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlottedPosition {
    #[allow(missing_docs)]
    pub number: u32,
    /// Metres east (negative: west) of the premises.
    pub east_m: f64,
    /// Metres north (negative: south) of the premises.
    pub north_m: f64,
    /// Distance from the premises, metres (0.1 m).
    pub distance_m: f64,
    /// Within the radius.
    pub inside: bool,
    /// Farther than the drawing's extent: drawn on its edge, in its direction.
    pub beyond_extent: bool,
    /// Its direction from the premises, one of eight compass points clockwise from north
    /// (0 北 N, 1 东北 NE, … 7 西北 NW): what the off-chart lists say of a far photo.
    pub compass_point: u8,
    /// Where to draw it: the position, or its direction at the extent when beyond.
    pub drawn_east_m: f64,
    #[allow(missing_docs)]
    pub drawn_north_m: f64,
}

/// Capture times along a time axis, with the visit day marked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaptureTimeline {
    /// The axis' start and end: the first and last capture with some room, or, when
    /// [`CaptureTimeline::zoomed_to_visit_day`], the visit day's captures with some room.
    #[ts(type = "string")]
    pub start: DateTime<Utc>,
    #[ts(type = "string")]
    #[allow(missing_docs)]
    pub end: DateTime<Utc>,
    /// The visit day (00:00 to 24:00 UTC+8), when the case has a visit date.
    pub visit_window: Option<TimeWindow>,
    /// Round times to mark on the axis, labelled in UTC+8.
    pub ticks: Vec<TimelineTick>,
    /// The captures, by time.
    pub captures: Vec<PlottedCapture>,
    /// The axis shows the visit day only: some captures are of other days, which would squeeze
    /// the day into a sliver. Those are drawn nowhere; they are listed with their dates.
    pub zoomed_to_visit_day: bool,
    /// Numbers of the files without a capture time.
    pub without_time: Vec<u32>,
}

/// A span of time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)]
pub struct TimeWindow {
    #[ts(type = "string")]
    pub start: DateTime<Utc>,
    #[ts(type = "string")]
    pub end: DateTime<Utc>,
    /// The visit date it is.
    #[ts(type = "string")]
    pub date: NaiveDate,
}

/// A mark on the time axis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)]
pub struct TimelineTick {
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// `HH:MM`, `MM-DD` or `YYYY-MM` in UTC+8, by the axis' span.
    pub label: String,
}

/// One capture on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(missing_docs)]
pub struct PlottedCapture {
    pub number: u32,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// On the visit date (UTC+8); true when the case has no visit date.
    pub on_visit_day: bool,
}

/// UTC+8, the time the visit date is in.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The positions around the premises (`site` in WGS-84, with the radius).
pub fn position_plot(site: LatLon, radius_m: f64, files: &[PlotFile]) -> PositionPlot {
    let metres_per_degree_lon = METRES_PER_DEGREE_LON_AT_EQUATOR * site.lat.to_radians().cos();
    let placed: Vec<(u32, f64, f64, f64)> = files
        .iter()
        .filter_map(|file| {
            let (gps, distance_m) = file.position?;
            Some((
                file.number,
                (gps.lon - site.lon) * metres_per_degree_lon,
                (gps.lat - site.lat) * METRES_PER_DEGREE_LAT,
                distance_m.unwrap_or(0.0),
            ))
        })
        .collect();
    let farthest = placed.iter().map(|(_, _, _, distance)| *distance).fold(0.0_f64, f64::max);
    // The circle with room around it; far-off photos sit on the edge, with their distance.
    let extent_m = (radius_m * 1.3).max((farthest * 1.15).min(radius_m * 4.0));
    let photos = placed
        .into_iter()
        .map(|(number, east_m, north_m, distance_m)| {
            let from_centre = east_m.hypot(north_m);
            let beyond_extent = from_centre > extent_m;
            let factor = if beyond_extent { extent_m / from_centre } else { 1.0 };
            PlottedPosition {
                number,
                east_m,
                north_m,
                distance_m,
                inside: distance_m <= radius_m,
                beyond_extent,
                compass_point: compass_point(east_m, north_m),
                drawn_east_m: east_m * factor,
                drawn_north_m: north_m * factor,
            }
        })
        .collect();
    PositionPlot {
        radius_m,
        extent_m,
        scale_bar_m: nice_length(extent_m / 3.0),
        photos,
        without_position: files.iter().filter(|file| file.position.is_none()).map(|file| file.number).collect(),
    }
}

/// The compass point (of eight, clockwise from north) of a position east and north of the
/// premises.
fn compass_point(east_m: f64, north_m: f64) -> u8 {
    let degrees = east_m.atan2(north_m).to_degrees().rem_euclid(360.0);
    ((degrees / 45.0).round() as u8) % 8
}

/// The capture times along an axis, the visit day marked; `None` when no file has one.
pub fn capture_timeline(visit_date: Option<NaiveDate>, files: &[PlotFile]) -> Option<CaptureTimeline> {
    let mut points: Vec<(u32, DateTime<Utc>)> =
        files.iter().filter_map(|file| file.capture_utc.map(|time| (file.number, time))).collect();
    points.sort_by_key(|(number, time)| (*time, *number));
    let first = points.first()?.1;
    let last = points.last()?.1;
    let visit_window = visit_date.and_then(|date| {
        let day_start = date.and_hms_opt(0, 0, 0)?.and_local_timezone(china()).single()?.with_timezone(&Utc);
        Some(TimeWindow { start: day_start, end: day_start + chrono::Duration::days(1), date })
    });
    let on_visit_day =
        |at: DateTime<Utc>| visit_date.is_none_or(|date| at.with_timezone(&china()).date_naive() == date);
    let zoomed_to_visit_day = visit_window.is_some() && points.iter().any(|(_, at)| !on_visit_day(*at));
    let (start, end) = match visit_window {
        Some(window) if zoomed_to_visit_day => {
            let day: Vec<DateTime<Utc>> = points.iter().map(|(_, at)| *at).filter(|at| on_visit_day(*at)).collect();
            // Nothing taken on the visit day: its working hours (08:00 to 20:00), empty.
            let first = day.first().copied().unwrap_or(window.start + chrono::Duration::hours(8));
            let last = day.last().copied().unwrap_or(window.start + chrono::Duration::hours(20));
            let room = chrono::Duration::seconds(((last - first).num_seconds() / 10).max(15 * 60));
            ((first - room).max(window.start), (last + room).min(window.end))
        }
        _ => {
            let span = (last - first).num_seconds().max(600) as f64;
            (
                first - chrono::Duration::seconds((span * 0.08) as i64),
                last + chrono::Duration::seconds((span * 0.08) as i64),
            )
        }
    };
    let total = (end - start).num_seconds().max(1) as f64;
    let ticks = ticks(start, end)
        .into_iter()
        .map(|at| {
            let local = at.with_timezone(&china());
            let label = if total > 120.0 * 86_400.0 {
                local.format("%Y-%m").to_string()
            } else if total > 2.0 * 86_400.0 {
                local.format("%m-%d").to_string()
            } else {
                local.format("%H:%M").to_string()
            };
            TimelineTick { at, label }
        })
        .collect();
    let captures =
        points.into_iter().map(|(number, at)| PlottedCapture { number, at, on_visit_day: on_visit_day(at) }).collect();
    Some(CaptureTimeline {
        start,
        end,
        visit_window,
        ticks,
        captures,
        zoomed_to_visit_day,
        without_time: files.iter().filter(|file| file.capture_utc.is_none()).map(|file| file.number).collect(),
    })
}

/// 1, 2 or 5 times a power of ten, not above `around`.
pub fn nice_length(around: f64) -> f64 {
    if around <= 0.0 || !around.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(around.log10().floor());
    [5.0, 2.0, 1.0].iter().map(|step| step * power).find(|length| *length <= around).unwrap_or(power)
}

/// Tick marks at a round step, about six across, aligned to UTC+8 wall time.
fn ticks(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let total = (end - start).num_seconds().max(1);
    const DAY: i64 = 86_400;
    let steps = [
        60,
        120,
        300,
        600,
        900,
        1800,
        3600,
        7200,
        10_800,
        21_600,
        43_200,
        DAY,
        2 * DAY,
        7 * DAY,
        30 * DAY,
        91 * DAY,
        365 * DAY,
    ];
    let Some(step) = steps.iter().copied().find(|step| total / step <= 7) else {
        // Years apart: one tick per year, at New Year (UTC+8).
        let (first, last) = (start.with_timezone(&china()).year() + 1, end.with_timezone(&china()).year());
        let every = ((last - first) / 7 + 1).max(1);
        return (first..=last)
            .step_by(every as usize)
            .filter_map(|year| NaiveDate::from_ymd_opt(year, 1, 1))
            .filter_map(|date| date.and_hms_opt(0, 0, 0)?.and_local_timezone(china()).single())
            .map(|time| time.with_timezone(&Utc))
            .collect();
    };
    let offset = 8 * 3600;
    let first = ((start.timestamp() + offset) / step + 1) * step - offset;
    (0..)
        .map(|index| first + index * step)
        .take_while(|seconds| *seconds < end.timestamp())
        .filter_map(|seconds| DateTime::from_timestamp(seconds, 0))
        .collect()
}

/// A file's GPS position and capture time, from its inspection.
pub fn plot_facts(inspection: Option<&FileInspection>) -> (Option<LatLon>, Option<DateTime<Utc>>) {
    let exif = inspection.and_then(|inspection| inspection.exif.as_ref());
    let gps = exif.and_then(|exif| exif.gps.as_ref()).map(|gps| LatLon::new(gps.lat, gps.lon));
    let capture = exif
        .and_then(|exif| exif.capture_utc.as_deref())
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
        .map(|time| time.with_timezone(&Utc));
    (gps, capture)
}

/// Distance in metres from the premises, to 0.1 m, as the package's `case.json` has it.
pub fn distance_to_site_m(site: LatLon, gps: LatLon) -> f64 {
    (datum::distance_m(site, gps) * 10.0).round() / 10.0
}

/// Where and when the files of `case` were taken, numbered in the order given (import order),
/// each from its inspection as stored (`None`: no position and no time yet), under these
/// thresholds (the premises' default radius).
pub(crate) fn plot(
    case: &Case,
    thresholds: &Thresholds,
    files: Vec<(EvidenceRecord, Option<FileInspection>)>,
) -> VisitPlot {
    let site = case.site.map(|site| {
        (datum::to_wgs84(LatLon::new(site.lat, site.lon), site.datum), site.radius_or(thresholds.site_radius_m))
    });
    let files: Vec<PlotFile> = files
        .into_iter()
        .enumerate()
        .map(|(index, (record, inspection))| {
            let (gps, capture_utc) = plot_facts(inspection.as_ref());
            PlotFile {
                number: index as u32 + 1,
                sha256: record.sha256,
                name: crate::file_names::portable_name(&record.original_name),
                material: record.material_key,
                position: gps.map(|gps| (gps, site.map(|(site, _)| distance_to_site_m(site, gps)))),
                capture_utc,
            }
        })
        .collect();
    VisitPlot {
        case_id: case.id.clone(),
        positions: site.map(|(site, radius_m)| position_plot(site, radius_m, &files)),
        timeline: capture_timeline(case.visit_date, &files),
        files: files
            .iter()
            .map(|file| PlottedFileName {
                number: file.number,
                sha256: file.sha256.clone(),
                name: file.name.clone(),
                material: file.material.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(number: u32, lat: f64, lon: f64, distance_m: f64) -> PlotFile {
        PlotFile {
            number,
            sha256: format!("{number:064}"),
            name: format!("{number}.jpg"),
            material: "storefront_photo".into(),
            position: Some((LatLon::new(lat, lon), Some(distance_m))),
            capture_utc: None,
        }
    }

    #[test]
    fn a_photo_north_east_of_the_premises_has_positive_east_and_north_and_far_ones_sit_on_the_edge() {
        let site = LatLon::new(31.2304, 121.4737);
        // About 111 m north, and 5 km east (far beyond four radii).
        let near = file(1, 31.2314, 121.4737, 110.6);
        let far = file(2, 31.2304, 121.5263, 5000.0);
        let plot = position_plot(site, 200.0, &[near, far]);
        assert_eq!(plot.extent_m, 800.0, "four radii at most");
        assert_eq!(plot.scale_bar_m, 200.0);
        let (near, far) = (&plot.photos[0], &plot.photos[1]);
        assert!((near.north_m - 110.6).abs() < 0.5 && near.east_m.abs() < 1e-6, "{near:?}");
        assert!(near.inside && !near.beyond_extent);
        assert!(!far.inside && far.beyond_extent);
        assert!((far.drawn_east_m - 800.0).abs() < 1e-6 && far.drawn_north_m.abs() < 1e-6, "{far:?}");
        assert_eq!((near.compass_point, far.compass_point), (0, 2), "north, and east");
        // South-west, and just west of north-west.
        assert_eq!(compass_point(-100.0, -100.0), 5);
        assert_eq!(compass_point(-100.0, 40.0), 6);
    }

    #[test]
    fn the_timeline_marks_the_visit_day_in_utc_plus_8() {
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc);
        let mut on_day = file(1, 0.0, 0.0, 0.0);
        on_day.capture_utc = Some(at("2026-11-19T17:30:00Z")); // 01:30 on the 20th in UTC+8
        let mut day_before = file(2, 0.0, 0.0, 0.0);
        day_before.capture_utc = Some(at("2026-11-19T15:00:00Z")); // 23:00 on the 19th
        let mut untimed = file(3, 0.0, 0.0, 0.0);
        untimed.capture_utc = None;
        let date = NaiveDate::from_ymd_opt(2026, 11, 20);
        let timeline = capture_timeline(date, &[on_day, day_before, untimed]).unwrap();
        let window = timeline.visit_window.unwrap();
        assert_eq!(window.start, at("2026-11-19T16:00:00Z"));
        assert_eq!(window.end, at("2026-11-20T16:00:00Z"));
        let flags: Vec<(u32, bool)> = timeline.captures.iter().map(|c| (c.number, c.on_visit_day)).collect();
        assert_eq!(flags, [(2, false), (1, true)], "by time, the first taken the day before");
        assert_eq!(timeline.without_time, [3]);
        assert!(timeline.ticks.iter().all(|tick| tick.label.len() == 5), "{:?}", timeline.ticks);
    }

    #[test]
    fn a_capture_of_another_day_zooms_the_axis_to_the_visit_day() {
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc);
        let timed = |number: u32, text: &str| PlotFile { capture_utc: Some(at(text)), ..file(number, 0.0, 0.0, 0.0) };
        let date = NaiveDate::from_ymd_opt(2026, 11, 20);
        // 10:00 and 11:00 on the visit day (UTC+8), and one photo from three weeks before.
        let files =
            [timed(1, "2026-11-20T02:00:00Z"), timed(2, "2026-11-20T03:00:00Z"), timed(3, "2026-10-30T03:00:00Z")];
        let timeline = capture_timeline(date, &files).unwrap();
        assert!(timeline.zoomed_to_visit_day);
        // The day's captures with 15 minutes of room, not three weeks.
        assert_eq!((timeline.start, timeline.end), (at("2026-11-20T01:45:00Z"), at("2026-11-20T03:15:00Z")));
        assert!(timeline.ticks.iter().all(|tick| tick.at >= timeline.start && tick.at <= timeline.end));
        assert!(
            timeline.ticks.iter().all(|tick| tick.label.len() == 5 && tick.label.contains(':')),
            "{:?}",
            timeline.ticks
        );
        let other_days: Vec<u32> = timeline.captures.iter().filter(|c| !c.on_visit_day).map(|c| c.number).collect();
        assert_eq!(other_days, [3], "still listed, to be shown with its date");

        // All on the visit day, or no visit date: the whole span, not zoomed.
        assert!(!capture_timeline(date, &files[..2]).unwrap().zoomed_to_visit_day);
        let unzoomed = capture_timeline(None, &files).unwrap();
        assert!(!unzoomed.zoomed_to_visit_day && unzoomed.start < at("2026-10-30T03:00:00Z"));

        // Nothing on the visit day: its working hours, 08:00 to 20:00 UTC+8, empty.
        let elsewhere = capture_timeline(date, &files[2..]).unwrap();
        assert!(elsewhere.zoomed_to_visit_day);
        assert_eq!((elsewhere.start, elsewhere.end), (at("2026-11-19T22:48:00Z"), at("2026-11-20T13:12:00Z")));
    }
}
