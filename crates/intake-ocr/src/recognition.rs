//! Text recognition: each box cut out upright, scaled to the network's 48-pixel height, and
//! the network's per-column character probabilities decoded (CTC, greedy).

use image::imageops::FilterType;
use image::{Rgb, RgbImage};

use crate::geometry::{Quad, distance};

/// The recognition network's input height (PP-OCRv4: 3 x 48 x W).
pub const LINE_HEIGHT: u32 = 48;
/// The direction classifier's input (3 x 48 x 192).
pub const DIRECTION_WIDTH: u32 = 192;

/// The region under `quad` cut out as an upright image (bilinear sampling over the
/// quadrilateral); a box much taller than wide is vertical text and is turned to lie flat.
pub fn crop_quad(image: &RgbImage, quad: &Quad) -> RgbImage {
    let width = distance(quad[0], quad[1]).max(distance(quad[3], quad[2])).round().max(1.0) as u32;
    let height = distance(quad[0], quad[3]).max(distance(quad[1], quad[2])).round().max(1.0) as u32;
    let mut out = RgbImage::new(width, height);
    for y in 0..height {
        let v = (y as f32 + 0.5) / height as f32;
        let left = lerp(quad[0], quad[3], v);
        let right = lerp(quad[1], quad[2], v);
        for x in 0..width {
            let u = (x as f32 + 0.5) / width as f32;
            let [sx, sy] = lerp(left, right, u);
            out.put_pixel(x, y, sample(image, sx - 0.5, sy - 0.5));
        }
    }
    if height as f32 >= width as f32 * 1.5 { image::imageops::rotate270(&out) } else { out }
}

fn lerp(a: [f32; 2], b: [f32; 2], t: f32) -> [f32; 2] {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

fn sample(image: &RgbImage, x: f32, y: f32) -> Rgb<u8> {
    let (w, h) = image.dimensions();
    let x = x.clamp(0.0, (w - 1) as f32);
    let y = y.clamp(0.0, (h - 1) as f32);
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let (a, b, c, d) =
        (image.get_pixel(x0, y0), image.get_pixel(x1, y0), image.get_pixel(x0, y1), image.get_pixel(x1, y1));
    Rgb(std::array::from_fn(|ch| {
        let top = a.0[ch] as f32 * (1.0 - fx) + b.0[ch] as f32 * fx;
        let bottom = c.0[ch] as f32 * (1.0 - fx) + d.0[ch] as f32 * fx;
        (top * (1.0 - fy) + bottom * fy).round() as u8
    }))
}

/// Writes `line` scaled to `LINE_HEIGHT` (width following its aspect, at most `padded_width`)
/// into a zeroed BGR plane set of `LINE_HEIGHT` x `padded_width`, normalised to [-1, 1]; the
/// rest stays 0, the padding PaddleOCR uses.
pub fn write_line_input(line: &RgbImage, padded_width: u32, out: &mut [f32]) {
    let (w, h) = line.dimensions();
    let scaled_width = ((LINE_HEIGHT as f32 * w as f32 / h.max(1) as f32).ceil() as u32).clamp(1, padded_width);
    let scaled = image::imageops::resize(line, scaled_width, LINE_HEIGHT, FilterType::Triangle);
    let plane = (LINE_HEIGHT * padded_width) as usize;
    for (x, y, pixel) in scaled.enumerate_pixels() {
        let at = (y * padded_width + x) as usize;
        for (c, channel) in [2usize, 1, 0].into_iter().enumerate() {
            out[c * plane + at] = pixel.0[channel] as f32 / 127.5 - 1.0;
        }
    }
}

/// The recognition alphabet: index 0 is CTC's blank, then the model's characters in order,
/// then a space (PaddleOCR appends it when `use_space_char` is on, as for these models).
#[derive(Debug, Clone)]
pub struct Alphabet {
    symbols: Vec<String>,
}

impl Alphabet {
    /// From the recognition model's `character` metadata: one character per line.
    pub fn from_metadata(characters: &str) -> Alphabet {
        let mut symbols = vec![String::new()];
        symbols.extend(characters.lines().map(str::to_string));
        symbols.push(" ".to_string());
        Alphabet { symbols }
    }

    /// How many classes the network must output for this alphabet.
    pub fn classes(&self) -> usize {
        self.symbols.len()
    }
}

/// Greedy CTC decoding of one line's `steps` x `classes` probabilities: the most likely class
/// per step, repeats merged, blanks dropped. The confidence is the mean probability of the
/// characters kept (0 when none is).
pub fn decode_ctc(probabilities: &[f32], classes: usize, alphabet: &Alphabet) -> (String, f32) {
    let mut text = String::new();
    let (mut sum, mut kept) = (0f32, 0usize);
    let mut previous = usize::MAX;
    for step in probabilities.chunks_exact(classes) {
        let (best, p) = step
            .iter()
            .copied()
            .enumerate()
            .fold((0usize, f32::MIN), |acc, (i, p)| if p > acc.1 { (i, p) } else { acc });
        if best != previous
            && best != 0
            && let Some(symbol) = alphabet.symbols.get(best)
        {
            text.push_str(symbol);
            sum += p;
            kept += 1;
        }
        previous = best;
    }
    (text, if kept == 0 { 0.0 } else { sum / kept as f32 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctc_merges_repeats_and_drops_blanks() {
        let alphabet = Alphabet::from_metadata("营\n业\n执\n照");
        assert_eq!(alphabet.classes(), 6);
        // Steps: 营 营 blank 业 blank 业 照 -> 营业业照 (the blank separates the two 业).
        let classes = alphabet.classes();
        let mut probabilities = Vec::new();
        for (class, p) in [(1, 0.9), (1, 0.8), (0, 0.99), (2, 0.7), (0, 0.9), (2, 0.6), (4, 1.0)] {
            let mut step = vec![0.0f32; classes];
            step[class] = p;
            probabilities.extend(step);
        }
        let (text, confidence) = decode_ctc(&probabilities, classes, &alphabet);
        assert_eq!(text, "营业业照");
        assert!((confidence - (0.9 + 0.7 + 0.6 + 1.0) / 4.0).abs() < 1e-6, "{confidence}");
    }

    #[test]
    fn ctc_of_only_blanks_is_empty_with_zero_confidence() {
        let alphabet = Alphabet::from_metadata("a\nb");
        let probabilities = vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
        assert_eq!(decode_ctc(&probabilities, 4, &alphabet), (String::new(), 0.0));
    }

    #[test]
    fn crop_of_a_tall_box_is_turned_flat() {
        let image = RgbImage::from_pixel(100, 100, Rgb([10, 20, 30]));
        let quad = [[10.0, 10.0], [30.0, 10.0], [30.0, 90.0], [10.0, 90.0]];
        let crop = crop_quad(&image, &quad);
        assert_eq!(crop.dimensions(), (80, 20));
        assert_eq!(crop.get_pixel(5, 5), &Rgb([10, 20, 30]));
    }
}
