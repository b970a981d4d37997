//! `data/report.html`: the package as people read it, the 现场核验报告 (site verification
//! report). It is not the 《商户现场考察表》: that form is the branch's own paper, signed by
//! the manager and stamped by the branch, and comes in as evidence; so nothing here looks like
//! a place to sign or stamp. Merchant and visit data, the checklist with statuses and
//! attestations, a drawing of where the photos were taken around the premises with the
//! radius circle, a timeline of capture times, every file with its thumbnail and findings.
//!
//! One self-contained file, Chinese first: inline CSS, thumbnails as `data:` URIs, drawings
//! as inline SVG, no script, nothing fetched. It is made from `case.json` alone (plus the
//! thumbnails), so it can never say something the machine-readable document does not. It
//! prints on A4; a PDF is the browser's "print to PDF" away (no PDF is written: no well-kept
//! Rust PDF crate lays out Chinese text without embedding a large CJK font).

use std::collections::HashMap;
use std::fmt::Write as _;

use base64::Engine as _;
use chrono::{DateTime, Utc};

use super::document::{CaseDocument, FileEntry, ItemEntry};
use crate::checklist::{ItemStatus, Mark, Severity};
use crate::evidence::datum::LatLon;
use crate::evidence::visit_plot::{self, PlotFile, china};

/// A JPEG thumbnail (from the vault's cache, see `evidence::thumbnail`) as a `data:` URI.
pub fn jpeg_data_uri(jpeg: &[u8]) -> String {
    format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(jpeg))
}

/// The report of a case document; `thumbnails` by file path.
pub fn render(document: &CaseDocument, thumbnails: &HashMap<String, String>) -> String {
    let mut html = String::with_capacity(64 * 1024);
    let case = &document.case;
    let package = &document.package;
    let title =
        format!("现场核验报告 · {}", if case.merchant_name.is_empty() { &case.id } else { &case.merchant_name });
    let _ = writeln!(
        html,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        escape(&title)
    );
    let _ = writeln!(
        html,
        "<header><h1>现场核验报告 <span class=\"en\">Site verification report</span></h1>\
         <table class=\"meta\"><tr><th>案件编号 Case</th><td>{}</td><th>打包日期 Bagging date</th><td>{}</td></tr>\
         <tr><th>分公司 Branch</th><td>{}</td><th>客户经理 Manager</th><td>{}</td></tr></table></header>",
        escape(&case.id),
        package.bagging_date,
        escape(&package.source_organization),
        escape(&package.contact_name)
    );
    if !package.complete {
        let _ = write!(
            html,
            "<div class=\"banner\"><strong>资料不完整 · 按 --allow-incomplete 导出</strong> \
             <span class=\"en\">Incomplete: exported with --allow-incomplete</span><ul>"
        );
        for reason in &package.incomplete_reasons {
            let _ = write!(html, "<li>{}</li>", escape(reason));
        }
        html.push_str("</ul>");
        if let Some(reason) = &package.incomplete_export_reason {
            let _ = write!(
                html,
                "<p class=\"reason\">客户经理说明 <span class=\"en\">Manager's reason</span>:{}</p>",
                escape(reason)
            );
        }
        html.push_str("</div>\n");
    } else if package.allow_incomplete {
        html.push_str("<p class=\"note\">导出时指定了 --allow-incomplete,但资料已完整。<span class=\"en\">Exported with --allow-incomplete; the case was complete.</span></p>\n");
    }

    follow_up_banner(&mut html, document);
    merchant_section(&mut html, document);
    checklist_section(&mut html, document);
    let numbers: HashMap<&str, usize> =
        document.files.iter().enumerate().map(|(index, file)| (file.path.as_str(), index + 1)).collect();
    positions_section(&mut html, document);
    timeline_section(&mut html, document);
    files_section(&mut html, document, thumbnails, &numbers);
    findings_section(&mut html, document);
    withdrawn_section(&mut html, document);
    notes_section(&mut html, document);
    fields_section(&mut html, document);
    signature_section(&mut html, document);
    html.push_str("</body>\n</html>\n");
    html
}

/// What is still owed: what an alternative stands in for only for now (暂以视频代替), and the
/// go-live materials due at go-live (上线投产时提供).
fn follow_up_banner(html: &mut String, document: &CaseDocument) {
    let follow_up = document.package.follow_up.as_deref().unwrap_or_default();
    if follow_up.is_empty() {
        return;
    }
    html.push_str("<div class=\"banner follow\"><strong>待补资料</strong> <span class=\"en\">To follow</span><ul>");
    for key in follow_up {
        let item = document.checklist.items.iter().find(|item| &item.key == key);
        let title = item.map_or(key.as_str(), |item| item.title_zh.as_str());
        let (why_zh, why_en) = match item.and_then(|item| item.satisfied_by.as_deref()) {
            Some(by) => (format!("暂以 {} 代替", escape(by)), format!("{} stands in for now", escape(by))),
            None => ("上线投产时提供".to_string(), "due at go-live".to_string()),
        };
        let _ = write!(
            html,
            "<li>{}({}):{why_zh},仍需后补 <span class=\"en\">{}: {why_en}; still owed and to follow</span></li>",
            escape(title),
            escape(key),
            escape(key)
        );
    }
    html.push_str("</ul></div>\n");
}

fn merchant_section(html: &mut String, document: &CaseDocument) {
    let case = &document.case;
    let attributes = &case.attributes;
    let yes_no = |value: bool| if value { "是 yes" } else { "否 no" };
    let channels: Vec<&str> = attributes.channels.iter().map(|channel| channel.label_zh()).collect();
    let requests: Vec<&str> = attributes.nonstandard.iter().map(|request| request.label_zh()).collect();
    let rows: Vec<(&str, String)> = vec![
        ("商户名称 Merchant", if case.merchant_name.is_empty() { "—".into() } else { case.merchant_name.clone() }),
        ("商户类型 Type", attributes.merchant_type.label_zh().into()),
        ("产品版本 Edition", attributes.edition.label_zh().into()),
        ("业务场景 Channels", if channels.is_empty() { "—".into() } else { channels.join("、") }),
        ("开通支付产品 Payment products", yes_no(attributes.opens_payment).into()),
        ("开通账户产品 Account products", yes_no(attributes.opens_account).into()),
        ("收银宝 / 收付通 SYB / SFT", format!("{} / {}", yes_no(attributes.syb), yes_no(attributes.syb_sft))),
        ("代付或收托抵用 Payout/custody", yes_no(attributes.payout_or_custody).into()),
        ("需行业资质 Regulated industry", yes_no(attributes.regulated_industry).into()),
        ("品牌/加盟 Chain or franchise", yes_no(attributes.chain_or_franchise).into()),
        ("非标申请 Non-standard", if requests.is_empty() { "—".into() } else { requests.join("、") }),
        ("异地考察 Remote visit", yes_no(attributes.remote_visit).into()),
        (
            "考察日期 Visit date",
            case.visit_date.map(|date| date.to_string()).unwrap_or_else(|| "未填写 not given".into()),
        ),
        (
            "经营场所 Premises",
            match &case.site {
                Some(site) => format!(
                    "{:.6}, {:.6}({});WGS-84 {:.6}, {:.6}",
                    site.lat,
                    site.lon,
                    site.datum.label_zh(),
                    site.wgs84_lat,
                    site.wgs84_lon
                ),
                None => "未填写 not given".into(),
            },
        ),
        (
            "核验半径 Radius",
            case.site.as_ref().map(|site| format!("{} 米 m", site.radius_m)).unwrap_or_else(|| "—".into()),
        ),
    ];
    html.push_str(
        "<section><h2>一、商户与考察信息 <span class=\"en\">Merchant and visit</span></h2><table class=\"form\">",
    );
    for pair in rows.chunks(2) {
        html.push_str("<tr>");
        for (label, value) in pair {
            let _ = write!(html, "<th>{}</th><td>{}</td>", escape(label), escape(value));
        }
        if pair.len() == 1 {
            html.push_str("<th></th><td></td>");
        }
        html.push_str("</tr>");
    }
    html.push_str("</table></section>\n");
}

fn status_badge(status: ItemStatus) -> String {
    let class = match status {
        ItemStatus::Ok => "ok",
        ItemStatus::Present => "present",
        ItemStatus::Incomplete => "incomplete",
        ItemStatus::Missing => "missing",
        ItemStatus::NotApplicable => "na",
    };
    format!("<span class=\"badge {class}\">{} {}</span>", status.label_zh(), status.key())
}

fn marks_cell(item: &ItemEntry) -> String {
    if item.attestations_required.is_empty() {
        return "—".into();
    }
    item.attestations_required
        .iter()
        .map(|mark: &Mark| {
            let missing = item.missing_attestations.contains(mark);
            format!(
                "<span class=\"{}\">{} {}</span>",
                if missing { "mark-missing" } else { "mark-ok" },
                if missing { "✗" } else { "✓" },
                escape(mark.label_zh())
            )
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

fn checklist_section(html: &mut String, document: &CaseDocument) {
    let summary = &document.checklist.summary;
    let (required, ok, present, incomplete, missing) =
        (summary.required, summary.ok, summary.present, summary.incomplete, summary.missing);
    let (errors, warnings) = (summary.error_findings, summary.warning_findings);
    let _ = write!(
        html,
        "<section><h2>二、资料清单 <span class=\"en\">Checklist</span></h2>\
         <p>必需资料 {required} 项:合格 {ok},待处理 {present},不完整 {incomplete},缺失 {missing};错误 {errors} 个,警告 {warnings} 个。\
         <span class=\"en\">{required} required: {ok} ok, {present} present, {incomplete} incomplete, {missing} missing; {errors} errors, {warnings} warnings.</span></p>\
         <table class=\"list\"><thead><tr><th>阶段 Stage</th><th>资料 Material</th><th>提供方</th><th>要求</th><th>状态 Status</th><th>文件 Files</th><th>经理核对的印章/签字 Marks seen</th></tr></thead><tbody>"
    );
    let mut not_applicable = 0;
    for item in &document.checklist.items {
        if !item.applicable && item.files.is_empty() {
            not_applicable += 1;
            continue;
        }
        let requirement = if item.required {
            "必需"
        } else if !item.applicable {
            "不适用"
        } else {
            "可选"
        };
        let mut status = status_badge(item.status);
        if item.to_follow == Some(true) && item.satisfied_by.is_none() {
            // Due at go-live (上线投产): not given at the visit, owed later.
            status.push_str("<br><small>上线投产时提供,待补 <span class=\"en\">due at go-live</span></small>");
        } else if item.to_follow == Some(true) {
            let by = item.satisfied_by.as_deref().unwrap_or("");
            let _ = write!(
                status,
                "<br><small>暂以视频代替({}),待补 <span class=\"en\">to follow</span></small>",
                escape(by)
            );
        } else if let Some(other) = &item.satisfied_by {
            let _ = write!(status, "<br><small>由 {} 替代</small>", escape(other));
        }
        let files = if item.files.is_empty() {
            format!("0 / {}", item.min_files)
        } else {
            format!("{} / {}", item.files.len(), item.min_files)
        };
        let _ = write!(
            html,
            "<tr class=\"{}\"><td>{}</td><td>{}<br><small>{}</small></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if item.required { "required" } else { "optional" },
            escape(item.stage.label_zh()),
            escape(&item.title_zh),
            escape(&item.key),
            escape(item.provided_by.label_zh()),
            requirement,
            status,
            files,
            marks_cell(item)
        );
    }
    html.push_str("</tbody></table>");
    if not_applicable > 0 {
        let _ = write!(
            html,
            "<p class=\"note\">另有 {not_applicable} 项资料对本商户不适用,未列出。<span class=\"en\">{not_applicable} materials do not apply to this merchant and are not listed.</span></p>"
        );
    }
    html.push_str("</section>\n");
}

/// The files of the document as the drawings number them (their place in the file list).
fn plot_files(document: &CaseDocument) -> Vec<PlotFile> {
    document
        .files
        .iter()
        .enumerate()
        .map(|(index, file)| {
            let position = file
                .facts
                .exif
                .as_ref()
                .and_then(|exif| exif.gps.as_ref())
                .map(|gps| (LatLon::new(gps.lat, gps.lon), file.facts.distance_to_site_m));
            PlotFile {
                number: index as u32 + 1,
                sha256: file.sha256.clone(),
                name: file.original_name.clone(),
                material: file.material.clone(),
                position,
                capture_utc: capture_time(file),
            }
        })
        .collect()
}

fn positions_section(html: &mut String, document: &CaseDocument) {
    html.push_str(
        "<section class=\"keep\"><h2>三、拍摄位置图 <span class=\"en\">Where the photos were taken</span></h2>",
    );
    let Some(site) = &document.case.site else {
        html.push_str("<p class=\"note\">未填写经营场所坐标,无法绘制。<span class=\"en\">No premises position was given.</span></p></section>\n");
        return;
    };
    // The geometry is the core's (shared with the app's case view); this only draws it.
    let plot =
        visit_plot::position_plot(LatLon::new(site.wgs84_lat, site.wgs84_lon), site.radius_m, &plot_files(document));
    let radius = plot.radius_m;
    let extent = plot.extent_m;
    let (size, centre, drawable) = (520.0, 260.0, 230.0);
    let scale = drawable / extent;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"{size}\" height=\"{size}\" role=\"img\" aria-label=\"拍摄位置图\">\
         <rect x=\"0\" y=\"0\" width=\"{size}\" height=\"{size}\" fill=\"#fafafa\" stroke=\"#999\"/>"
    );
    // Range rings at two, three and four radii, those that fit the drawing (as in the app).
    for multiple in [2.0, 3.0, 4.0] {
        let ring_m = radius * multiple;
        if ring_m > extent * 1.0001 {
            continue;
        }
        let r = ring_m * scale;
        let _ = write!(
            svg,
            "<circle cx=\"{centre}\" cy=\"{centre}\" r=\"{r:.1}\" fill=\"none\" stroke=\"#94a3b8\" stroke-dasharray=\"2 4\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"svg-small\" fill=\"#64748b\">{}</text>",
            centre + r / std::f64::consts::SQRT_2 + 3.0,
            centre - r / std::f64::consts::SQRT_2 - 3.0,
            distance_text(ring_m)
        );
    }
    let _ = write!(
        svg,
        "<line x1=\"{centre}\" y1=\"20\" x2=\"{centre}\" y2=\"{}\" stroke=\"#e2e2e2\"/><line x1=\"20\" y1=\"{centre}\" x2=\"{}\" y2=\"{centre}\" stroke=\"#e2e2e2\"/>",
        size - 20.0,
        size - 20.0
    );
    let _ = write!(
        svg,
        "<circle cx=\"{centre}\" cy=\"{centre}\" r=\"{:.1}\" fill=\"rgba(46,125,50,0.08)\" stroke=\"#2e7d32\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\
         <text x=\"{centre}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"svg-small\" fill=\"#2e7d32\">半径 {} 米</text>",
        radius * scale,
        centre - radius * scale - 6.0,
        radius
    );
    let _ = write!(
        svg,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"14\" height=\"14\" fill=\"#1565c0\"/><text x=\"{centre}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"svg-small\" fill=\"#1565c0\">经营场所</text>",
        centre - 7.0,
        centre - 7.0,
        centre + 24.0
    );
    // North arrow and a scale bar.
    let _ = write!(
        svg,
        "<path d=\"M 480 60 L 470 80 L 480 74 L 490 80 Z\" fill=\"#333\"/><text x=\"480\" y=\"52\" text-anchor=\"middle\" class=\"svg-small\">北 N</text>"
    );
    let bar_m = plot.scale_bar_m;
    let bar_px = bar_m * scale;
    let _ = write!(
        svg,
        "<line x1=\"24\" y1=\"{y:.1}\" x2=\"{x2:.1}\" y2=\"{y:.1}\" stroke=\"#333\" stroke-width=\"3\"/><text x=\"24\" y=\"{ty:.1}\" class=\"svg-small\">{bar_m} 米</text>",
        y = size - 24.0,
        x2 = 24.0 + bar_px,
        ty = size - 32.0
    );
    // Photos beyond the drawing are not pinned to its edge, where they would read as if at its
    // last ring: they are listed beside it with their direction and distance (as in the app).
    for point in plot.photos.iter().filter(|point| !point.beyond_extent) {
        let (x, y) = (centre + point.east_m * scale, centre - point.north_m * scale);
        // Inside a circle, outside a triangle: the two differ by shape, not by colour alone.
        if point.inside {
            let _ = write!(svg, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"11\" fill=\"#2e7d32\"/>");
        } else {
            let _ = write!(
                svg,
                "<polygon points=\"{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"#c62828\"/>",
                y - 14.0,
                x + 13.3,
                y + 9.1,
                x - 13.3,
                y + 9.1
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"svg-num\" fill=\"#fff\">{}</text>",
            y + 4.0,
            point.number
        );
        if !point.inside {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"svg-small\" fill=\"#c62828\">{}</text>",
                x + 14.0,
                y - 8.0,
                distance_text(point.distance_m)
            );
        }
    }
    svg.push_str("</svg>");
    let with_gps = plot.photos.len();
    let outside = plot.photos.iter().filter(|point| !point.inside).count();
    let off_chart: Vec<String> = plot
        .photos
        .iter()
        .filter(|point| point.beyond_extent)
        .map(|point| {
            let (zh, en) = COMPASS_POINTS[usize::from(point.compass_point) % 8];
            format!(
                "<li><span class=\"tri\"></span> <b>#{}</b> 位于经营场所{zh}方 {} <span class=\"en\">{} {en}</span></li>",
                point.number,
                distance_text(point.distance_m),
                distance_text_en(point.distance_m)
            )
        })
        .collect();
    let off_chart = if off_chart.is_empty() {
        String::new()
    } else {
        format!(
            "<p><b>图幅外的照片</b> <span class=\"en\">Beyond the drawing</span></p><ul class=\"off-chart\">{}</ul>",
            off_chart.concat()
        )
    };
    let _ = writeln!(
        html,
        "<div class=\"figure\">{svg}<div class=\"legend\"><p>图中编号为下方文件清单的编号。<span class=\"en\">Numbers are those of the file list below.</span></p>\
         <p><span class=\"dot in\"></span> 半径内 within the radius<br><span class=\"tri\"></span> 半径外 outside the radius<br>\
         虚线圈为半径的 2、3、4 倍。<span class=\"en\">Dotted rings: two, three and four radii.</span></p>{off_chart}\
         <p>有 GPS 位置的文件 {with_gps} 个,其中半径外 {outside} 个;其余文件没有位置信息。<span class=\"en\">{with_gps} files carry a position, {outside} of them outside the radius.</span></p>\
         <p class=\"small\">经营场所坐标已换算为 WGS-84 后与照片 GPS 比较。<span class=\"en\">The premises' position is converted to WGS-84 before comparing.</span></p></div></div></section>"
    );
}

/// A distance as the drawings label it: whole metres, or kilometres from 1,000 m on.
fn distance_text(metres: f64) -> String {
    if metres >= 1000.0 { format!("{:.1} 公里", metres / 1000.0) } else { format!("{metres:.0} 米") }
}

/// [`distance_text`] in English.
fn distance_text_en(metres: f64) -> String {
    if metres >= 1000.0 { format!("{:.1} km", metres / 1000.0) } else { format!("{metres:.0} m") }
}

/// The names of [`visit_plot::PlottedPosition::compass_point`]'s eight points.
const COMPASS_POINTS: [(&str, &str); 8] = [
    ("北", "N"),
    ("东北", "NE"),
    ("东", "E"),
    ("东南", "SE"),
    ("南", "S"),
    ("西南", "SW"),
    ("西", "W"),
    ("西北", "NW"),
];

fn capture_time(file: &FileEntry) -> Option<DateTime<Utc>> {
    let text = file.facts.exif.as_ref()?.capture_utc.as_deref()?;
    DateTime::parse_from_rfc3339(text).ok().map(|time| time.with_timezone(&Utc))
}

fn timeline_section(html: &mut String, document: &CaseDocument) {
    html.push_str("<section class=\"keep\"><h2>四、拍摄时间线 <span class=\"en\">Capture times</span></h2>");
    // The axis, the visit day and the ticks are the core's (shared with the app's case view).
    let Some(timeline) = visit_plot::capture_timeline(document.case.visit_date, &plot_files(document)) else {
        html.push_str("<p class=\"note\">没有文件记录拍摄时间。<span class=\"en\">No file records its capture time.</span></p></section>\n");
        return;
    };
    let without: Vec<String> = timeline.without_time.iter().map(|number| format!("#{number}")).collect();
    let first = timeline.captures.first().expect("a timeline has captures").at;
    let last = timeline.captures.last().expect("a timeline has captures").at;
    let (start, end) = (timeline.start, timeline.end);
    let total = (end - start).num_seconds().max(1) as f64;
    let (width, left, right) = (900.0, 40.0, 860.0);
    let x_of = |time: DateTime<Utc>| left + (time - start).num_seconds() as f64 / total * (right - left);
    // Labels in rows so that close points do not overprint each other.
    let mut row_ends: Vec<f64> = Vec::new();
    let mut placed: Vec<(u32, f64, usize, bool)> = Vec::new();
    // Zoomed to the visit day (the core decides, as for the app): the other days' captures are
    // listed under the axis with their dates instead.
    let shown = timeline.captures.iter().filter(|capture| !timeline.zoomed_to_visit_day || capture.on_visit_day);
    for capture in shown {
        let x = x_of(capture.at);
        let row = match row_ends.iter().position(|end| *end + 30.0 < x) {
            Some(row) => row,
            None => {
                row_ends.push(f64::MIN);
                row_ends.len() - 1
            }
        };
        row_ends[row] = x;
        placed.push((capture.number, x, row, capture.on_visit_day));
    }
    let rows = row_ends.len().min(12);
    let axis_y = 40.0 + rows as f64 * 26.0;
    let height = axis_y + 50.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"拍摄时间线\">"
    );
    if let Some(window) = timeline.visit_window {
        // The visit day (UTC+8) as a band.
        let date = window.date;
        let (x1, x2) = (x_of(window.start.max(start)).max(left), x_of(window.end.min(end)).min(right));
        if x2 > x1 {
            let _ = write!(
                svg,
                "<rect x=\"{x1:.1}\" y=\"20\" width=\"{:.1}\" height=\"{:.1}\" fill=\"rgba(46,125,50,0.08)\"/><text x=\"{:.1}\" y=\"16\" text-anchor=\"{}\" class=\"svg-small\" fill=\"#2e7d32\">考察日 {date}</text>",
                x2 - x1,
                axis_y - 20.0,
                // Near the right edge the label ends at the band instead of starting there.
                if x1 > width * 0.7 { x2 } else { x1 + 2.0 },
                if x1 > width * 0.7 { "end" } else { "start" }
            );
        }
    }
    let _ = write!(
        svg,
        "<line x1=\"{left}\" y1=\"{axis_y}\" x2=\"{right}\" y2=\"{axis_y}\" stroke=\"#333\" stroke-width=\"1.5\"/>"
    );
    for tick in &timeline.ticks {
        let x = x_of(tick.at);
        let label = &tick.label;
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{axis_y}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#333\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"svg-small\">{label}</text>",
            axis_y + 6.0,
            axis_y + 20.0
        );
    }
    for (number, x, row, on_visit_day) in &placed {
        let row = (*row).min(rows - 1);
        let y = axis_y - 16.0 - row as f64 * 26.0;
        let colour = if *on_visit_day { "#1565c0" } else { "#c62828" };
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{axis_y}\" stroke=\"{colour}\" stroke-opacity=\"0.5\"/><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"10\" fill=\"{colour}\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"svg-num\" fill=\"#fff\">{number}</text>",
            y + 10.0,
            y + 4.0
        );
    }
    svg.push_str("</svg>");
    let first_local = first.with_timezone(&china());
    let last_local = last.with_timezone(&china());
    let _ = write!(
        html,
        "{svg}<p>最早 {} ,最晚 {}(北京时间 UTC+8),相隔 {}。<span class=\"en\">First and last capture, UTC+8.</span> \
         <span class=\"dot visit\"></span> 考察日当天 on the visit day <span class=\"dot out\"></span> 非考察日 another day</p>",
        first_local.format("%Y-%m-%d %H:%M:%S"),
        last_local.format("%Y-%m-%d %H:%M:%S"),
        human_duration(last - first)
    );
    if timeline.zoomed_to_visit_day {
        let others: Vec<String> = timeline
            .captures
            .iter()
            .filter(|capture| !capture.on_visit_day)
            .map(|capture| {
                format!(
                    "<li><b>#{}</b> {}</li>",
                    capture.number,
                    capture.at.with_timezone(&china()).format("%Y-%m-%d %H:%M")
                )
            })
            .collect();
        let _ = write!(
            html,
            "<p class=\"note\">时间轴仅显示考察日当天;其他日期拍摄的文件(北京时间): <span class=\"en\">The axis shows the visit day only; files taken on other days (UTC+8):</span></p><ul class=\"off-chart\">{}</ul>",
            others.concat()
        );
    }
    if !without.is_empty() {
        let _ =
            write!(html, "<p class=\"note\">无拍摄时间的文件 Files without a capture time: {}</p>", without.join(" "));
    }
    html.push_str("</section>\n");
}

fn human_duration(duration: chrono::Duration) -> String {
    let minutes = duration.num_minutes();
    if minutes < 60 {
        format!("{minutes} 分钟")
    } else if minutes < 48 * 60 {
        format!("{} 小时 {} 分钟", minutes / 60, minutes % 60)
    } else {
        format!("{} 天", minutes / (24 * 60))
    }
}

fn files_section(
    html: &mut String,
    document: &CaseDocument,
    thumbnails: &HashMap<String, String>,
    numbers: &HashMap<&str, usize>,
) {
    let titles: HashMap<&str, &str> =
        document.checklist.items.iter().map(|item| (item.key.as_str(), item.title_zh.as_str())).collect();
    let _ = write!(
        html,
        "<section><h2>五、文件与核验 <span class=\"en\">Files and checks</span></h2><p>共 {} 个文件。<span class=\"en\">{} files.</span></p><div class=\"cards\">",
        document.files.len(),
        document.files.len()
    );
    for file in &document.files {
        let number = numbers.get(file.path.as_str()).copied().unwrap_or(0);
        let picture = match thumbnails.get(&file.path) {
            Some(uri) => format!("<img src=\"{uri}\" alt=\"#{number}\">"),
            None => format!("<div class=\"placeholder\">{}</div>", escape(&file.media_type)),
        };
        let title = titles.get(file.material.as_str()).copied().unwrap_or(file.material.as_str());
        let mut facts = Vec::new();
        if let (Some(width), Some(height)) = (file.facts.width, file.facts.height) {
            facts.push(format!("{width}×{height}"));
        }
        facts.push(human_bytes(file.bytes));
        if let Some(exif) = &file.facts.exif {
            if let Some(time) = capture_time(file) {
                facts.push(format!("拍摄 {}", time.with_timezone(&china()).format("%Y-%m-%d %H:%M:%S")));
            } else if let Some(local) = &exif.datetime_original {
                facts.push(format!("拍摄 {local}"));
            }
            if let (Some(make), Some(model)) = (&exif.make, &exif.model) {
                facts.push(format!("{make} {model}"));
            }
            if let Some(gps) = &exif.gps {
                facts.push(format!("GPS {:.6}, {:.6}", gps.lat, gps.lon));
            }
        }
        if let Some(distance) = file.facts.distance_to_site_m {
            facts.push(format!("距经营场所 {distance:.0} 米"));
        }
        if let Some(attestation) = &file.attestation {
            let marks: Vec<&str> = attestation.marks.iter().map(|mark| mark.label_zh()).collect();
            if !marks.is_empty() {
                facts.push(format!("已确认:{}", marks.join("、")));
            }
        }
        let findings: String = file
            .findings
            .iter()
            .map(|finding| {
                let (class, label) = match (&finding.accepted, finding.severity) {
                    (Some(_), _) => ("accepted", "已接受"),
                    (None, Severity::Error) => ("error", "错误"),
                    (None, Severity::Warning) => ("warning", "警告"),
                };
                format!("<li class=\"{class}\"><b>{label}</b> {}</li>", escape(&finding.message))
            })
            .collect();
        let _ = write!(
            html,
            "<div class=\"card\"><div class=\"thumb\">{picture}</div><div class=\"info\"><div class=\"num\">#{number} {}</div>\
             <div class=\"name\">{}</div><div class=\"small\">{}</div><div class=\"hash\">SHA-256 {}…</div>{}</div></div>",
            escape(title),
            escape(&file.original_name),
            escape(&facts.join(" · ")),
            &file.sha256[..16.min(file.sha256.len())],
            if findings.is_empty() {
                "<p class=\"clean\">未发现问题 no findings</p>".to_string()
            } else {
                format!("<ul class=\"findings\">{findings}</ul>")
            }
        );
    }
    html.push_str("</div></section>\n");
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

fn findings_section(html: &mut String, document: &CaseDocument) {
    html.push_str("<section><h2>六、发现的问题 <span class=\"en\">Findings</span></h2>");
    let rows: Vec<String> = document
        .files
        .iter()
        .enumerate()
        .flat_map(|(index, file)| {
            file.findings.iter().map(move |finding| {
                let (class, label) = match (&finding.accepted, finding.severity) {
                    (Some(_), _) => ("accepted", "已接受 accepted"),
                    (None, Severity::Error) => ("error", "错误 error"),
                    (None, Severity::Warning) => ("warning", "警告 warning"),
                };
                let accepted = finding.accepted.as_ref().map_or(String::new(), |acceptance| {
                    format!(
                        "<div class=\"reason\">接受原因 <span class=\"en\">Accepted because</span>:{}({},{})</div>",
                        escape(&acceptance.reason),
                        escape(&acceptance.accepted_by),
                        acceptance.accepted_at.format("%Y-%m-%d %H:%M UTC")
                    )
                });
                format!(
                    "<tr class=\"{class}\"><td>{label}</td><td>#{} {}</td><td><code>{}</code></td><td>{}{accepted}</td></tr>",
                    index + 1,
                    escape(&file.original_name),
                    escape(&finding.code),
                    escape(&finding.message)
                )
            })
        })
        .collect();
    if rows.is_empty() {
        html.push_str("<p>未发现问题。<span class=\"en\">No findings.</span></p></section>\n");
        return;
    }
    let _ = writeln!(
        html,
        "<table class=\"list\"><thead><tr><th>级别</th><th>文件 File</th><th>代码 Code</th><th>说明 Message</th></tr></thead><tbody>{}</tbody></table></section>",
        rows.join("")
    );
}

/// The files the manager took back: listed with why, their bytes not in the package.
fn withdrawn_section(html: &mut String, document: &CaseDocument) {
    if document.withdrawn_files.is_empty() {
        return;
    }
    html.push_str(
        "<section><h2>已撤回的文件 <span class=\"en\">Withdrawn files</span></h2>\
         <p class=\"small\">这些文件不在资料包中,仅列出。<span class=\"en\">Not in the package; listed only.</span></p>\
         <table class=\"list\"><thead><tr><th>材料 Material</th><th>文件 File</th><th>SHA-256</th><th>撤回原因 Reason</th><th>撤回人 By</th></tr></thead><tbody>",
    );
    for file in &document.withdrawn_files {
        let _ = write!(
            html,
            "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}<br>{}</td></tr>",
            escape(&file.material),
            escape(&file.original_name),
            escape(&file.sha256),
            escape(&file.reason),
            escape(&file.withdrawn_by),
            file.withdrawn_at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    html.push_str("</tbody></table></section>\n");
}

/// The notes on the case and its files.
fn notes_section(html: &mut String, document: &CaseDocument) {
    if document.notes.is_empty() {
        return;
    }
    html.push_str(
        "<section><h2>备注 <span class=\"en\">Notes</span></h2><table class=\"list\"><thead><tr><th>关于 About</th><th>备注 Note</th><th>记录人 By</th></tr></thead><tbody>",
    );
    for note in &document.notes {
        let about = match (&note.sha256, &note.material) {
            (Some(sha256), material) => {
                let name = document
                    .files
                    .iter()
                    .find(|file| &file.sha256 == sha256)
                    .map(|file| file.original_name.as_str())
                    .or_else(|| {
                        document
                            .withdrawn_files
                            .iter()
                            .find(|file| &file.sha256 == sha256)
                            .map(|file| file.original_name.as_str())
                    })
                    .unwrap_or(&sha256[..12]);
                format!("{} <code>{}</code>", escape(name), escape(material.as_deref().unwrap_or("")))
            }
            (None, _) => "案件 Case".to_string(),
        };
        let _ = write!(
            html,
            "<tr><td>{about}</td><td>{}</td><td>{}<br>{}</td></tr>",
            escape(&note.text),
            escape(&note.written_by),
            note.written_at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    html.push_str("</tbody></table></section>\n");
}

fn fields_section(html: &mut String, document: &CaseDocument) {
    let fields: Vec<_> = document.checklist.fields.iter().filter(|field| field.applicable).collect();
    if fields.is_empty() {
        return;
    }
    html.push_str("<section><h2>七、登记信息 <span class=\"en\">Recorded data</span></h2><table class=\"list\"><thead><tr><th>项目 Field</th><th>内容 Value</th><th>状态 Status</th></tr></thead><tbody>");
    for field in fields {
        let status = match field.status.as_str() {
            "ok" => "合格 ok",
            "missing" => "未填写 missing",
            "invalid" => "无效 invalid",
            "warning" => "待确认 warning",
            _ => "不适用",
        };
        let mut value = field.display_value.clone().unwrap_or_else(|| "—".into());
        if let Some(reason) = &field.override_reason {
            value.push_str(&format!("(说明:{reason})"));
        }
        let _ =
            write!(html, "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", escape(&field.title_zh), escape(&value), status);
    }
    html.push_str("</tbody></table><p class=\"small\">个人信息已部分遮盖。<span class=\"en\">Personal data is shown masked.</span></p></section>\n");
}

fn signature_section(html: &mut String, document: &CaseDocument) {
    let package = &document.package;
    let _ = writeln!(
        html,
        "<section><h2>八、电子签名与核验 <span class=\"en\">Digital signature (SM2) and verification</span></h2>\
         <p>本资料包为 BagIt 1.0 格式,每个文件的 SHA-256 列于 manifest-sha256.txt;tagmanifest-sha256.txt 由本机 SM2 密钥签名(SM3,区分标识 {}),签名文件 signature/tagmanifest-sha256.txt.sig,公钥 signature/sm2-public-key.pem。\
         <span class=\"en\">A BagIt 1.0 bag; the tag manifest is signed with the installation's SM2 key (SM3, distinguishing ID {}).</span></p>\
         <p>公钥指纹 Public key SHA-256:<code>{}</code></p>\
         <pre>bagit.py --validate 资料包目录\nopenssl dgst -sm3 -verify signature/sm2-public-key.pem -sigopt distid:{} \\\n  -signature signature/tagmanifest-sha256.txt.sig tagmanifest-sha256.txt\nintake verify 资料包.zip</pre>\
         <p class=\"small\">{} · 机读内容以 data/case.json 为准 <span class=\"en\">case.json is the machine-readable record.</span></p></section>",
        escape(&package.distinguishing_id),
        escape(&package.distinguishing_id),
        escape(&package.public_key_sha256),
        escape(&package.distinguishing_id),
        escape(&package.software)
    );
}

/// HTML-escapes text for element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --ink: #222; --line: #bbb; --ok: #2e7d32; --warn: #b26a00; --bad: #c62828; --muted: #666; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif;
       color: var(--ink); margin: 24px auto; max-width: 1100px; padding: 0 16px; font-size: 14px; line-height: 1.5; }
h1 { font-size: 24px; text-align: center; margin: 0 0 12px; letter-spacing: 2px; }
h2 { font-size: 17px; border-left: 5px solid #1565c0; padding-left: 8px; margin: 28px 0 10px; }
.en { color: var(--muted); font-weight: normal; font-size: 0.85em; }
small, .small { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: 5px 8px; vertical-align: top; text-align: left; }
table.meta th, table.form th { background: #f2f5fa; width: 16%; font-weight: 600; }
table.list thead th { background: #f2f5fa; }
table.list tr.optional td { color: #555; }
.badge { display: inline-block; padding: 1px 6px; border-radius: 3px; font-size: 12px; white-space: nowrap; }
.badge.ok { background: #e8f5e9; color: var(--ok); } .badge.present { background: #fff8e1; color: var(--warn); }
.badge.incomplete { background: #fff3e0; color: #e65100; } .badge.missing { background: #ffebee; color: var(--bad); }
.badge.na { background: #eee; color: var(--muted); }
.mark-ok { color: var(--ok); } .mark-missing { color: var(--bad); }
.banner { border: 2px solid var(--bad); background: #ffebee; padding: 8px 12px; margin: 12px 0; }
.banner.follow { border-color: var(--warn); background: #fff8e1; }
.note { color: var(--muted); }
.figure { display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; }
.legend { flex: 1; min-width: 240px; }
.dot { display: inline-block; width: 11px; height: 11px; border-radius: 50%; vertical-align: middle; }
.dot.in { background: var(--ok); } .dot.out { background: var(--bad); } .dot.visit { background: #1565c0; }
.tri { display: inline-block; width: 0; height: 0; border-left: 6px solid transparent; border-right: 6px solid transparent; border-bottom: 11px solid var(--bad); vertical-align: middle; }
ul.off-chart { margin: 0 0 8px; padding-left: 1.2em; list-style: none; }
.svg-small { font-size: 12px; font-family: inherit; } .svg-num { font-size: 11px; font-weight: bold; font-family: inherit; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); display: flex; gap: 8px; padding: 8px; break-inside: avoid; }
.thumb { width: 130px; flex: none; } .thumb img { width: 130px; height: auto; border: 1px solid #ddd; }
.placeholder { width: 130px; height: 98px; background: #eee; color: var(--muted); display: flex; align-items: center; justify-content: center; font-size: 12px; }
.info { min-width: 0; } .num { font-weight: 600; } .name { word-break: break-all; }
.hash { font-family: monospace; font-size: 11px; color: var(--muted); }
ul.findings { margin: 4px 0 0; padding-left: 16px; } li.error, tr.error td:first-child { color: var(--bad); } li.warning, tr.warning td:first-child { color: var(--warn); } tr.accepted td:first-child { color: var(--muted, #555); } .reason { font-size: 0.9em; margin-top: 2px; }
.clean { color: var(--ok); margin: 4px 0 0; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 12px; }
code { font-size: 12px; }
@media print { body { margin: 0; max-width: none; } section.keep { break-inside: avoid; } @page { size: A4; margin: 12mm; } }
"#;
