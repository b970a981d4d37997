//! Map datums: WGS-84 (GPS, EXIF), GCJ-02 (Amap/高德, Tencent) and BD-09 (Baidu), and
//! distances on the ground.
//!
//! The formulas come from the `coordtransform` crate; its GCJ-02 → WGS-84 and BD-09 → GCJ-02
//! inverses refine numerically and invert the forward formulas to well under a millimetre
//! (the classic one-step inverse is up to about 4 m off). `tests/it/datum.rs` holds them to
//! an independent implementation (PyPI `coord-convert`) to within 1 cm.
//!
//! Region: the offsets apply only inside the rectangle that `coord-convert` and `gcoord` use
//! for China (longitude 72.004..137.8347, latitude 0.8293..55.8271); outside it every datum
//! equals WGS-84. `coordtransform`'s own test, a simplified polygon of the mainland, is not
//! used: it is approximate near borders (a premises in Shenzhen next to Hong Kong could fall on
//! the wrong side), while a coordinate a manager copies from a Chinese map app inside that
//! rectangle carries the offset.

use crate::case::Datum;

/// A position in signed decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatLon {
    #[allow(missing_docs)]
    pub lat: f64,
    #[allow(missing_docs)]
    pub lon: f64,
}

impl LatLon {
    /// A position from latitude and longitude.
    pub fn new(lat: f64, lon: f64) -> LatLon {
        LatLon { lat, lon }
    }
}

/// True inside the rectangle where Chinese map datums differ from WGS-84.
pub fn in_china_offset_region(position: LatLon) -> bool {
    (72.004..=137.8347).contains(&position.lon) && (0.8293..=55.8271).contains(&position.lat)
}

/// Converts a position from one datum to another.
pub fn convert(position: LatLon, from: Datum, to: Datum) -> LatLon {
    if from == to || !position.lat.is_finite() || !position.lon.is_finite() {
        return position;
    }
    let wgs84 = to_wgs84(position, from);
    from_wgs84(wgs84, to)
}

/// Converts a position in `datum` to WGS-84.
pub fn to_wgs84(position: LatLon, datum: Datum) -> LatLon {
    match datum {
        Datum::Wgs84 => position,
        Datum::Gcj02 => gcj02_to_wgs84(position),
        Datum::Bd09 => gcj02_to_wgs84(bd09_to_gcj02(position)),
    }
}

/// Converts a WGS-84 position to `datum`.
pub fn from_wgs84(position: LatLon, datum: Datum) -> LatLon {
    match datum {
        Datum::Wgs84 => position,
        Datum::Gcj02 => wgs84_to_gcj02(position),
        Datum::Bd09 => gcj02_to_bd09(wgs84_to_gcj02(position)),
    }
}

/// WGS-84 → GCJ-02 (identity outside the region).
pub fn wgs84_to_gcj02(position: LatLon) -> LatLon {
    if !in_china_offset_region(position) {
        return position;
    }
    let (lon, lat) = coordtransform::wgs84_to_gcj02_in_mainland(position.lon, position.lat);
    LatLon { lat, lon }
}

/// GCJ-02 → WGS-84, the refined inverse (identity outside the region).
pub fn gcj02_to_wgs84(position: LatLon) -> LatLon {
    if !in_china_offset_region(position) {
        return position;
    }
    let (lon, lat) = coordtransform::gcj02_to_wgs84_in_mainland(position.lon, position.lat);
    LatLon { lat, lon }
}

/// GCJ-02 → BD-09. Baidu applies its shift to GCJ-02 coordinates, so like GCJ-02 it is
/// identity outside the region.
pub fn gcj02_to_bd09(position: LatLon) -> LatLon {
    if !in_china_offset_region(position) {
        return position;
    }
    let (lon, lat) = coordtransform::gcj02_to_bd09(position.lon, position.lat);
    LatLon { lat, lon }
}

/// BD-09 → GCJ-02, the refined inverse (identity outside the region).
pub fn bd09_to_gcj02(position: LatLon) -> LatLon {
    if !in_china_offset_region(position) {
        return position;
    }
    let (lon, lat) = coordtransform::bd09_to_gcj02(position.lon, position.lat);
    LatLon { lat, lon }
}

/// Mean earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres (haversine on a sphere of the mean earth radius; within
/// 0.5 % of the ellipsoidal distance, ample for a radius of a few hundred metres).
pub fn distance_m(a: LatLon, b: LatLon) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let d_lat = lat2 - lat1;
    let d_lon = (b.lon - a.lon).to_radians();
    let h = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_are_exact_to_a_millimetre() {
        for (lat, lon) in [(31.2304, 121.4737), (39.915, 116.404), (22.5431, 114.0579), (45.75, 126.63), (18.25, 109.5)]
        {
            let wgs = LatLon::new(lat, lon);
            for datum in [Datum::Gcj02, Datum::Bd09] {
                let there = from_wgs84(wgs, datum);
                assert!(distance_m(wgs, there) > 100.0, "{datum:?} moves a Chinese position");
                let back = to_wgs84(there, datum);
                assert!(distance_m(wgs, back) < 0.001, "{datum:?} at {lat},{lon}: {} m", distance_m(wgs, back));
            }
        }
    }

    #[test]
    fn outside_china_nothing_moves() {
        let paris = LatLon::new(48.8566, 2.3522);
        for datum in [Datum::Wgs84, Datum::Gcj02, Datum::Bd09] {
            assert_eq!(from_wgs84(paris, datum), paris);
            assert_eq!(to_wgs84(paris, datum), paris);
        }
    }

    #[test]
    fn haversine_matches_known_distances() {
        // One degree of latitude is about 111.2 km on the mean sphere.
        let d = distance_m(LatLon::new(30.0, 120.0), LatLon::new(31.0, 120.0));
        assert!((d - 111_195.0).abs() < 10.0, "{d}");
        assert_eq!(distance_m(LatLon::new(31.0, 121.0), LatLon::new(31.0, 121.0)), 0.0);
        // Antipodes do not produce NaN.
        assert!(distance_m(LatLon::new(0.0, 0.0), LatLon::new(0.0, 180.0)).is_finite());
    }
}
