//! Map datums against an independent implementation, PyPI `coord-convert` 0.2.1 (pinned in
//! `scripts/python-requirements.txt`, installed into `.venv` by `scripts/install-deps.sh`),
//! run at test time. Everything must agree to within 1 cm.
//!
//! `coord-convert`'s BD-09 → GCJ-02 is the classic one-step approximation (up to about a
//! metre off its own forward formula), so the inverses are checked by round trip through its
//! forward functions: our inverse of its output must give back the starting point. Its
//! GCJ-02 → WGS-84 iterates, so that one is also compared directly.
//!
//! Without Python or `coord-convert` the test fails, never skips: set `INTAKE_PYTHON` to an
//! interpreter that has it, or run `scripts/install-deps.sh`.

use std::path::PathBuf;
use std::process::Command;

use intake_core::case::Datum;
use intake_core::evidence::datum::{self, LatLon};

const ONE_CENTIMETRE: f64 = 0.01;

fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("INTAKE_PYTHON") {
        return PathBuf::from(python);
    }
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    for venv_python in [".venv/bin/python", ".venv/Scripts/python.exe"] {
        let candidate = workspace.join(venv_python);
        if candidate.exists() {
            return candidate;
        }
    }
    PathBuf::from("python3")
}

/// Points all over China (a fixed pseudo-random sample, plus some cities).
fn sample_points() -> Vec<LatLon> {
    let mut points = vec![
        LatLon::new(31.2304, 121.4737), // Shanghai
        LatLon::new(39.9042, 116.4074), // Beijing
        LatLon::new(22.5431, 114.0579), // Shenzhen
        LatLon::new(22.5200, 114.0500), // Shenzhen, by the Hong Kong border
        LatLon::new(43.8256, 87.6168),  // Urumqi
        LatLon::new(18.2528, 109.5120), // Sanya
        LatLon::new(53.4880, 122.3380), // Mohe
    ];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..300 {
        points.push(LatLon::new(18.0 + 35.0 * next(), 73.5 + 61.0 * next()));
    }
    points
}

/// Runs `coord-convert` on the points; returns, per point, wgs2gcj, wgs2bd, gcj2bd of the
/// point, and gcj2wgs of the point taken as GCJ-02.
fn coord_convert(points: &[LatLon]) -> Vec<[LatLon; 4]> {
    let input: Vec<[f64; 2]> = points.iter().map(|point| [point.lon, point.lat]).collect();
    let script = r#"
import json, sys
from coord_convert.transform import wgs2gcj, wgs2bd, gcj2bd, gcj2wgs
out = []
for lon, lat in json.load(sys.stdin):
    out.append([wgs2gcj(lon, lat), wgs2bd(lon, lat), gcj2bd(lon, lat), gcj2wgs(lon, lat)])
json.dump(out, sys.stdout)
"#;
    let python = python();
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot run {} ({err}): Python with coord-convert is needed", python.display()));
    serde_json::to_writer(child.stdin.take().unwrap(), &input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "coord-convert failed under {} (install it: scripts/install-deps.sh, or pip install coord-convert==0.2.1):\n{}",
        python.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<[[f64; 2]; 4]> = serde_json::from_slice(&output.stdout).unwrap();
    rows.into_iter().map(|row| row.map(|[lon, lat]| LatLon::new(lat, lon))).collect()
}

#[test]
fn datums_agree_with_coord_convert_to_a_centimetre() {
    let points = sample_points();
    let reference = coord_convert(&points);
    let mut worst = [0f64; 6];
    let mut failures = Vec::new();
    let mut total_offset = 0.0;
    for (point, [gcj, bd, gcj_to_bd, gcj_to_wgs]) in points.iter().copied().zip(reference) {
        let checks = [
            ("wgs84→gcj02", datum::from_wgs84(point, Datum::Gcj02), gcj),
            ("wgs84→bd09", datum::from_wgs84(point, Datum::Bd09), bd),
            ("gcj02→bd09", datum::gcj02_to_bd09(point), gcj_to_bd),
            ("gcj02→wgs84", datum::gcj02_to_wgs84(point), gcj_to_wgs),
            ("gcj02→wgs84 of its gcj02", datum::to_wgs84(gcj, Datum::Gcj02), point),
            ("bd09→wgs84 of its bd09", datum::to_wgs84(bd, Datum::Bd09), point),
        ];
        for (index, (name, ours, expected)) in checks.into_iter().enumerate() {
            let error = datum::distance_m(ours, expected);
            worst[index] = worst[index].max(error);
            if error > ONE_CENTIMETRE {
                failures.push(format!(
                    "{name} at {point:?}: ours {ours:?}, coord-convert {expected:?}, {error:.4} m apart"
                ));
            }
        }
        total_offset += datum::distance_m(point, gcj);
    }
    // The conversions really move Chinese positions, by hundreds of metres on average.
    let mean_offset = total_offset / points.len() as f64;
    assert!(mean_offset > 100.0, "mean WGS-84 to GCJ-02 offset {mean_offset} m");
    eprintln!("largest differences from coord-convert (m): {worst:?}");
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn outside_china_gcj02_is_wgs84_as_in_coord_convert() {
    let points = [LatLon::new(48.8566, 2.3522), LatLon::new(40.7128, -74.0060), LatLon::new(-33.8688, 151.2093)];
    for (point, [gcj, _, _, gcj_to_wgs]) in points.iter().copied().zip(coord_convert(&points)) {
        assert_eq!(datum::from_wgs84(point, Datum::Gcj02), gcj);
        assert_eq!(datum::to_wgs84(point, Datum::Gcj02), gcj_to_wgs);
        // coord-convert shifts BD-09 everywhere; we keep every datum equal to WGS-84 outside
        // China (Baidu's shift is applied to GCJ-02 coordinates, which only exist there).
        assert_eq!(datum::from_wgs84(point, Datum::Bd09), point);
    }
}
