//! Text detection: the image scaled for the DB network, and the network's probability map
//! turned into text boxes ("Differentiable Binarization" post-processing, as PaddleOCR and
//! RapidOCR do it: threshold, dilate, one box per connected region, scored, grown).

use image::RgbImage;
use image::imageops::FilterType;

use crate::geometry::{Point, Quad, inside_convex, min_area_rect, order_corners};

/// The DB network's settings (PP-OCRv4 defaults as RapidOCR ships them, except the size).
#[derive(Debug, Clone, Copy)]
pub struct DetectionSettings {
    /// The longer side of the image the network sees, in pixels. PaddleOCR's default for
    /// documents (960): a licence photo is scaled down to it; recognition crops from the
    /// full-size image, so small print is still read at full resolution.
    pub max_side: u32,
    /// A map pixel above this is text.
    pub threshold: f32,
    /// A region whose mean probability is below this is dropped. RapidOCR uses 0.5, which
    /// lost single spaced-out label characters (the 住 of 住　所) on the synthetic licences.
    pub box_threshold: f32,
    /// How far a region's rectangle is grown: its area times this over its perimeter (the
    /// network is trained on shrunk text regions).
    pub unclip_ratio: f32,
    /// At most this many regions are looked at (the first found, top to bottom): a bound on
    /// the work a noise-filled image can cause.
    pub max_candidates: usize,
}

impl Default for DetectionSettings {
    fn default() -> Self {
        DetectionSettings { max_side: 960, threshold: 0.3, box_threshold: 0.3, unclip_ratio: 1.6, max_candidates: 1000 }
    }
}

/// The network's input: the image scaled so its longer side is at most `max_side` and both
/// sides are multiples of 32, as BGR planes normalised to [-1, 1] (PaddleOCR's models were
/// trained on OpenCV's BGR images).
pub fn network_input(image: &RgbImage, max_side: u32) -> (Vec<f32>, u32, u32) {
    let (w, h) = image.dimensions();
    let ratio = (max_side as f32 / w.max(h) as f32).min(1.0);
    let round32 = |side: u32| (((side as f32 * ratio) / 32.0).round() as u32 * 32).max(32);
    let (nw, nh) = (round32(w), round32(h));
    let resized = image::imageops::resize(image, nw, nh, FilterType::Triangle);
    (bgr_planes(&resized), nw, nh)
}

/// Channel-first BGR floats in [-1, 1].
pub fn bgr_planes(image: &RgbImage) -> Vec<f32> {
    let (w, h) = image.dimensions();
    let plane = (w * h) as usize;
    let mut out = vec![0f32; plane * 3];
    for (i, pixel) in image.pixels().enumerate() {
        for (c, channel) in [2usize, 1, 0].into_iter().enumerate() {
            out[c * plane + i] = pixel.0[channel] as f32 / 127.5 - 1.0;
        }
    }
    out
}

/// A detected text region, in the coordinates of the original image.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectedBox {
    pub quad: Quad,
    /// The mean text probability inside the region's rectangle.
    pub score: f32,
}

/// Text boxes from the probability map (`map_w` x `map_h`, row-major) of an image of
/// `image_w` x `image_h` pixels.
pub fn boxes_from_map(
    map: &[f32],
    map_w: usize,
    map_h: usize,
    image_w: u32,
    image_h: u32,
    settings: &DetectionSettings,
) -> Vec<DetectedBox> {
    assert_eq!(map.len(), map_w * map_h, "probability map size");
    // Threshold, then dilate by a 2x2 square (joins characters split by one pixel).
    let raw: Vec<bool> = map.iter().map(|&p| p > settings.threshold).collect();
    let mut mask = vec![false; raw.len()];
    for y in 0..map_h {
        for x in 0..map_w {
            let at = |xx: usize, yy: usize| raw[yy * map_w + xx];
            mask[y * map_w + x] =
                at(x, y) || (x > 0 && at(x - 1, y)) || (y > 0 && at(x, y - 1)) || (x > 0 && y > 0 && at(x - 1, y - 1));
        }
    }

    let scale_x = image_w as f32 / map_w as f32;
    let scale_y = image_h as f32 / map_h as f32;
    let mut boxes = Vec::new();
    for region in connected_regions(&mask, map_w, map_h).into_iter().take(settings.max_candidates) {
        let Some(rect) = min_area_rect(&region) else { continue };
        if rect.short_side() < 3.0 {
            continue;
        }
        let score = mean_inside(map, map_w, map_h, &order_corners(rect.corners()));
        if score < settings.box_threshold {
            continue;
        }
        // Growing a rectangle by `d` with round joins and taking the least-area rectangle of the
        // result (RapidOCR's pyclipper step) gives the rectangle grown by `d` on every side.
        let perimeter = 2.0 * (rect.length + rect.width);
        let distance = rect.length * rect.width * settings.unclip_ratio / perimeter;
        let grown = rect.grown(distance);
        if grown.short_side() < 5.0 {
            continue;
        }
        let corners = grown.corners().map(|[x, y]| {
            [(x * scale_x).round().clamp(0.0, image_w as f32), (y * scale_y).round().clamp(0.0, image_h as f32)]
        });
        let quad = order_corners(corners);
        let width = crate::geometry::distance(quad[0], quad[1]);
        let height = crate::geometry::distance(quad[0], quad[3]);
        if width <= 3.0 || height <= 3.0 {
            continue;
        }
        boxes.push(DetectedBox { quad, score });
    }
    boxes
}

/// The 8-connected regions of `mask`, each as the centres of its leftmost and rightmost pixel
/// on every row (enough for the convex hull, far fewer points than the whole region).
fn connected_regions(mask: &[bool], w: usize, h: usize) -> Vec<Vec<Point>> {
    let mut label = vec![u32::MAX; mask.len()];
    let mut regions = Vec::new();
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || label[start] != u32::MAX {
            continue;
        }
        let id = regions.len() as u32;
        // Row -> (leftmost x, rightmost x) of this region.
        let mut rows: std::collections::BTreeMap<usize, (usize, usize)> = std::collections::BTreeMap::new();
        label[start] = id;
        stack.push(start);
        while let Some(at) = stack.pop() {
            let (x, y) = (at % w, at / w);
            let row = rows.entry(y).or_insert((x, x));
            row.0 = row.0.min(x);
            row.1 = row.1.max(x);
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let next = ny as usize * w + nx as usize;
                    if mask[next] && label[next] == u32::MAX {
                        label[next] = id;
                        stack.push(next);
                    }
                }
            }
        }
        let mut points = Vec::with_capacity(rows.len() * 2);
        for (y, (x0, x1)) in rows {
            points.push([x0 as f32, y as f32]);
            if x1 != x0 {
                points.push([x1 as f32, y as f32]);
            }
        }
        regions.push(points);
    }
    regions
}

/// The mean of `map` over the pixels whose centres lie inside `quad`.
fn mean_inside(map: &[f32], w: usize, h: usize, quad: &Quad) -> f32 {
    let xs = quad.iter().map(|p| p[0]);
    let ys = quad.iter().map(|p| p[1]);
    let x0 = xs.clone().fold(f32::MAX, f32::min).floor().clamp(0.0, (w - 1) as f32) as usize;
    let x1 = xs.fold(f32::MIN, f32::max).ceil().clamp(0.0, (w - 1) as f32) as usize;
    let y0 = ys.clone().fold(f32::MAX, f32::min).floor().clamp(0.0, (h - 1) as f32) as usize;
    let y1 = ys.fold(f32::MIN, f32::max).ceil().clamp(0.0, (h - 1) as f32) as usize;
    let (mut sum, mut count) = (0f64, 0usize);
    for y in y0..=y1 {
        for x in x0..=x1 {
            if inside_convex(quad, [x as f32, y as f32]) {
                sum += map[y * w + x] as f64;
                count += 1;
            }
        }
    }
    if count == 0 { 0.0 } else { (sum / count as f64) as f32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_with(w: usize, h: usize, bars: &[(usize, usize, usize, usize, f32)]) -> Vec<f32> {
        let mut map = vec![0.02f32; w * h];
        for &(x0, y0, x1, y1, p) in bars {
            for y in y0..y1 {
                for x in x0..x1 {
                    map[y * w + x] = p;
                }
            }
        }
        map
    }

    #[test]
    fn two_bars_give_two_grown_boxes_in_image_coordinates() {
        let (w, h) = (100, 60);
        let map = map_with(w, h, &[(10, 10, 60, 16, 0.9), (20, 40, 90, 48, 0.8)]);
        // The image is twice the map's size.
        let mut boxes = boxes_from_map(&map, w, h, 200, 120, &DetectionSettings::default());
        boxes.sort_by(|a, b| a.quad[0][1].total_cmp(&b.quad[0][1]));
        assert_eq!(boxes.len(), 2, "{boxes:?}");
        let first = &boxes[0].quad;
        // The bar spans x 10..60 in the map: 20..120 in the image, grown by a few pixels.
        assert!(first[0][0] < 20.0 && first[0][0] > 5.0, "{first:?}");
        assert!(first[1][0] > 118.0 && first[1][0] < 135.0, "{first:?}");
        assert!(first[0][1] < 20.0 && first[3][1] > 30.0, "{first:?}");
        // The score is taken over the dilated region's rectangle, edge pixels included.
        assert!(boxes[0].score > 0.7 && boxes[0].score < 0.9, "{}", boxes[0].score);
    }

    #[test]
    fn faint_and_tiny_regions_are_dropped() {
        let (w, h) = (80, 40);
        // Above the pixel threshold but below the box threshold; and a 2-pixel speck.
        let map = map_with(w, h, &[(5, 5, 60, 12, 0.32), (70, 30, 72, 32, 0.95)]);
        assert!(boxes_from_map(&map, w, h, 80, 40, &DetectionSettings::default()).is_empty());
    }

    #[test]
    fn network_input_is_a_multiple_of_32_and_at_most_the_limit() {
        let image = RgbImage::from_pixel(1500, 1000, image::Rgb([255, 0, 0]));
        let (planes, w, h) = network_input(&image, 960);
        assert_eq!((w, h), (960, 640));
        assert_eq!(planes.len(), (3 * w * h) as usize);
        // Red comes last in BGR order: the first plane (blue) is -1, the last (red) is +1.
        assert_eq!(planes[0], -1.0);
        assert_eq!(planes[planes.len() - 1], 1.0);
    }
}
