//! Plane geometry the detection step needs: convex hull, minimum-area rectangle, and the
//! corner order of a text box.
//!
//! Hand-written because the only crates that offer these (imageproc, geo) bring far more than
//! three small functions' worth of dependencies, and OpenCV is out of the question offline on
//! Windows.

/// A point in pixels (x right, y down).
pub type Point = [f32; 2];

/// A text box: four corners in the order top-left, top-right, bottom-right, bottom-left.
pub type Quad = [Point; 4];

fn cross(o: Point, a: Point, b: Point) -> f32 {
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
}

/// The convex hull of `points` (Andrew's monotone chain), counter-clockwise in a y-up frame, no
/// repeated point. Fewer than three distinct points come back as they are (deduplicated).
pub fn convex_hull(points: &[Point]) -> Vec<Point> {
    let mut sorted: Vec<Point> = points.to_vec();
    sorted.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    sorted.dedup();
    if sorted.len() < 3 {
        return sorted;
    }
    let mut hull: Vec<Point> = Vec::with_capacity(sorted.len() * 2);
    for &p in &sorted {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
            hull.pop();
        }
        hull.push(p);
    }
    let lower_len = hull.len() + 1;
    for &p in sorted.iter().rev().skip(1) {
        while hull.len() >= lower_len && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
            hull.pop();
        }
        hull.push(p);
    }
    hull.pop();
    hull
}

/// A rotated rectangle: centre, side lengths along `axis` (unit vector) and across it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RotatedRect {
    pub center: Point,
    /// Unit vector of the first side.
    pub axis: Point,
    /// Length along `axis`.
    pub length: f32,
    /// Length across `axis`.
    pub width: f32,
}

impl RotatedRect {
    /// The shorter side.
    pub fn short_side(&self) -> f32 {
        self.length.min(self.width)
    }

    /// The same rectangle grown by `distance` on every side.
    pub fn grown(&self, distance: f32) -> RotatedRect {
        RotatedRect { length: self.length + 2.0 * distance, width: self.width + 2.0 * distance, ..*self }
    }

    /// The four corners, in no particular order.
    pub fn corners(&self) -> [Point; 4] {
        let [ux, uy] = self.axis;
        let (vx, vy) = (-uy, ux);
        let (hl, hw) = (self.length / 2.0, self.width / 2.0);
        let [cx, cy] = self.center;
        [
            [cx - ux * hl - vx * hw, cy - uy * hl - vy * hw],
            [cx + ux * hl - vx * hw, cy + uy * hl - vy * hw],
            [cx + ux * hl + vx * hw, cy + uy * hl + vy * hw],
            [cx - ux * hl + vx * hw, cy - uy * hl + vy * hw],
        ]
    }
}

/// The rectangle of least area that holds `points` (rotating calipers over the convex hull:
/// one side of the optimum lies on a hull edge). `None` for no points.
pub fn min_area_rect(points: &[Point]) -> Option<RotatedRect> {
    let hull = convex_hull(points);
    match hull.len() {
        0 => return None,
        1 => return Some(RotatedRect { center: hull[0], axis: [1.0, 0.0], length: 0.0, width: 0.0 }),
        _ => {}
    }
    let mut best: Option<(f32, RotatedRect)> = None;
    for i in 0..hull.len() {
        let a = hull[i];
        let b = hull[(i + 1) % hull.len()];
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let norm = (dx * dx + dy * dy).sqrt();
        if norm == 0.0 {
            continue;
        }
        let u = [dx / norm, dy / norm];
        let v = [-u[1], u[0]];
        let (mut umin, mut umax, mut vmin, mut vmax) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for p in &hull {
            let pu = p[0] * u[0] + p[1] * u[1];
            let pv = p[0] * v[0] + p[1] * v[1];
            umin = umin.min(pu);
            umax = umax.max(pu);
            vmin = vmin.min(pv);
            vmax = vmax.max(pv);
        }
        let area = (umax - umin) * (vmax - vmin);
        if best.as_ref().is_none_or(|(best_area, _)| area < *best_area) {
            let (cu, cv) = ((umin + umax) / 2.0, (vmin + vmax) / 2.0);
            let center = [u[0] * cu + v[0] * cv, u[1] * cu + v[1] * cv];
            best = Some((area, RotatedRect { center, axis: u, length: umax - umin, width: vmax - vmin }));
        }
    }
    best.map(|(_, rect)| rect)
}

/// Orders four corners as top-left, top-right, bottom-right, bottom-left: the two leftmost are
/// the left side (upper one first), the two rightmost the right side.
pub fn order_corners(corners: [Point; 4]) -> Quad {
    let mut by_x = corners;
    by_x.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    let (mut left, mut right) = ([by_x[0], by_x[1]], [by_x[2], by_x[3]]);
    left.sort_by(|a, b| a[1].total_cmp(&b[1]));
    right.sort_by(|a, b| a[1].total_cmp(&b[1]));
    [left[0], right[0], right[1], left[1]]
}

/// Whether `p` lies inside the convex quadrilateral `quad` (either winding), edges included.
pub fn inside_convex(quad: &Quad, p: Point) -> bool {
    let mut sign = 0.0f32;
    for i in 0..4 {
        let c = cross(quad[i], quad[(i + 1) % 4], p);
        if c != 0.0 {
            if sign != 0.0 && c.signum() != sign {
                return false;
            }
            sign = c.signum();
        }
    }
    true
}

pub fn distance(a: Point, b: Point) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hull_of_a_square_with_inner_points_is_its_corners() {
        let points = [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [2.0, 2.0], [1.0, 3.0], [2.0, 0.0]];
        let mut hull = convex_hull(&points);
        hull.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
        assert_eq!(hull, vec![[0.0, 0.0], [0.0, 4.0], [4.0, 0.0], [4.0, 4.0]]);
    }

    #[test]
    fn min_area_rect_of_an_axis_aligned_bar() {
        let mut points = Vec::new();
        for x in 10..=50 {
            for y in 20..=24 {
                points.push([x as f32, y as f32]);
            }
        }
        let rect = min_area_rect(&points).unwrap();
        let (long, short) = (rect.length.max(rect.width), rect.short_side());
        assert!((long - 40.0).abs() < 1e-3, "{rect:?}");
        assert!((short - 4.0).abs() < 1e-3, "{rect:?}");
        assert!((rect.center[0] - 30.0).abs() < 1e-3 && (rect.center[1] - 22.0).abs() < 1e-3);
    }

    #[test]
    fn min_area_rect_follows_a_rotated_bar() {
        // A 60 x 6 bar turned by 30 degrees: the axis-aligned box would be far larger.
        let (c, s) = (30f32.to_radians().cos(), 30f32.to_radians().sin());
        let mut points = Vec::new();
        for i in 0..=60 {
            for j in 0..=6 {
                let (x, y) = (i as f32, j as f32);
                points.push([100.0 + x * c - y * s, 100.0 + x * s + y * c]);
            }
        }
        let rect = min_area_rect(&points).unwrap();
        assert!((rect.length * rect.width - 360.0).abs() < 2.0, "{rect:?}");
        let quad = order_corners(rect.corners());
        assert!(quad[0][0] < quad[1][0] && quad[3][1] > quad[0][1], "{quad:?}");
    }

    #[test]
    fn grown_rect_keeps_centre_and_axis() {
        let rect = RotatedRect { center: [5.0, 5.0], axis: [1.0, 0.0], length: 10.0, width: 2.0 };
        let grown = rect.grown(1.5);
        assert_eq!((grown.length, grown.width, grown.center), (13.0, 5.0, [5.0, 5.0]));
    }

    #[test]
    fn inside_convex_quad() {
        let quad: Quad = [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]];
        assert!(inside_convex(&quad, [5.0, 2.5]));
        assert!(inside_convex(&quad, [0.0, 0.0]));
        assert!(!inside_convex(&quad, [11.0, 2.0]));
    }
}
