//! Watermarked copies of identity documents, for the submission package.
//!
//! A copy of an ID card that leaves the laptop carries, across the whole picture, a visible,
//! semi-transparent text such as "仅供通联支付商户入网使用 2026-11-26", so that it cannot be
//! reused for another purpose unnoticed. The vault's original is never changed: the copy is
//! made in memory from the recorded bytes at export.
//!
//! How the copy is made:
//! - The original is decoded (JPEG or PNG: what phones and scanners give for ID photos; other
//!   formats are refused with a clear error naming the file), and turned upright by its EXIF
//!   orientation first, so that the text reads upright on the picture people see.
//! - The text is rasterised once with `ab_glyph` from the font shipped in `assets/fonts/`
//!   (a subset of Noto Sans CJK SC Bold: ASCII, GB2312 punctuation and symbols and the 3755
//!   level-1 hanzi; `scripts/make-watermark-font.sh` makes it). A character the font lacks is
//!   refused, naming it, rather than drawn as an empty box.
//! - The text is tiled over the picture in rows turned 30° anticlockwise, alternate rows
//!   shifted by half a tile, and blended in red at [`OPACITY`]. The size follows the picture
//!   (a twelfth of its shorter side). Rotation uses fixed constants rather than `sin`/`cos`,
//!   so the pixels do not depend on the platform's maths library.
//! - The copy is encoded afresh (JPEG quality [`JPEG_QUALITY`] for a JPEG, PNG for a PNG)
//!   with no metadata at all: the EXIF, GPS position included, is dropped, and since the
//!   pixels are already upright no orientation tag is needed.
//!
//! The same original, text and date give the same bytes (no clock, no randomness), so a
//! package with watermarked copies stays reproducible.

use std::io::Cursor;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Rgb, RgbImage};

use crate::error::{Error, ErrorKind, Result};

/// The font the text is drawn with (see the module documentation and `assets/fonts/OFL.txt`).
const FONT: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-Bold-gb2312-l1.otf");

/// The text when the settings give none; the package's date follows it.
pub const DEFAULT_TEXT: &str = "仅供通联支付商户入网使用";

/// The longest text accepted, in characters (the date comes on top).
pub const MAX_TEXT_CHARS: usize = 40;

/// How much of the mark's colour covers the picture where a glyph is solid.
pub const OPACITY: f32 = 0.38;

/// The quality of a watermarked JPEG copy.
pub const JPEG_QUALITY: u8 = 90;

/// The colour of the mark.
const COLOUR: [f32; 3] = [210.0, 20.0, 20.0];

/// cos and sin of 30°: the rows rise to the right.
const COS: f32 = 0.866_025_4;
const SIN: f32 = 0.5;

/// The largest identity document watermarked (the evidence checks decode no larger file).
pub const MAX_SOURCE_BYTES: u64 = 200 << 20;

/// The most bytes a decoded picture may take (a 100-megapixel photo in RGBA).
const MAX_DECODE_BYTES: u64 = 512 << 20;

/// A watermarked copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatermarkedCopy {
    /// The encoded copy.
    pub bytes: Vec<u8>,
    /// `image/jpeg` or `image/png`.
    pub media_type: &'static str,
    /// The text drawn (with the date).
    pub text: String,
    /// A thumbnail of the copy (for the report, which must not show the unmarked document).
    pub thumbnail: Option<Vec<u8>>,
}

/// The whole text of the mark: the settings' text (or [`DEFAULT_TEXT`]) and the date.
pub fn mark_text(text: &str, date: chrono::NaiveDate) -> String {
    let text = text.trim();
    let text = if text.is_empty() { DEFAULT_TEXT } else { text };
    format!("{text} {date}")
}

/// Checks a watermark text before it is stored in the settings or used: one line, not too
/// long, every character in the shipped font.
pub fn check_text(text: &str) -> Result<()> {
    if text.chars().any(char::is_control) {
        return Err(Error::new(ErrorKind::InvalidInput, "水印文字只能是一行 the watermark text must be one line"));
    }
    if text.trim().chars().count() > MAX_TEXT_CHARS {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("水印文字过长 the watermark text is longer than {MAX_TEXT_CHARS} characters"),
        ));
    }
    let font = font()?;
    let mut missing: Vec<char> = Vec::new();
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        if font.glyph_id(c).0 == 0 && !missing.contains(&c) {
            missing.push(c);
        }
    }
    if !missing.is_empty() {
        let listed: String =
            missing.iter().map(|c| format!("'{c}' (U+{:04X})", u32::from(*c))).collect::<Vec<_>>().join(", ");
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "水印字体不含这些字符 the watermark font has no glyph for {listed}; it covers ASCII, GB2312 symbols \
                 and the 3755 level-1 hanzi of GB2312"
            ),
        ));
    }
    Ok(())
}

/// Makes the watermarked copy of an identity document. `name` names the file in errors.
pub fn watermark(original: &[u8], name: &str, text: &str) -> Result<WatermarkedCopy> {
    check_text(text)?;
    let format = match image::guess_format(original) {
        Ok(ImageFormat::Jpeg) => ImageFormat::Jpeg,
        Ok(ImageFormat::Png) => ImageFormat::Png,
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{name}: 只能为 JPEG 或 PNG 证件照加水印 only JPEG and PNG identity documents can be watermarked; \
                     export with --no-watermark, or add the document as a JPEG photo"
                ),
            ));
        }
    };
    let picture = decode_upright(original, format).map_err(|reason| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("{name}: 无法读取图片 cannot be decoded for the watermark ({reason})"),
        )
    })?;
    let mut pixels = picture.into_rgb8();
    draw_mark(&mut pixels, text)?;
    let mut bytes = Vec::new();
    let encoded = match format {
        ImageFormat::Jpeg => {
            let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY);
            encoder.encode_image(&pixels)
        }
        _ => pixels.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png),
    };
    encoded
        .map_err(|err| Error::new(ErrorKind::Io, format!("{name}: the watermarked copy cannot be encoded ({err})")))?;
    let media_type = if format == ImageFormat::Jpeg { "image/jpeg" } else { "image/png" };
    let thumbnail = crate::evidence::thumbnail::thumbnail_jpeg(&DynamicImage::ImageRgb8(pixels), None);
    Ok(WatermarkedCopy { bytes, media_type, text: text.to_string(), thumbnail })
}

fn font() -> Result<FontRef<'static>> {
    FontRef::try_from_slice(FONT)
        .map_err(|err| Error::new(ErrorKind::Io, format!("the watermark font cannot be read ({err})")))
}

fn decode_upright(bytes: &[u8], format: ImageFormat) -> std::result::Result<DynamicImage, String> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|err| err.to_string())?;
    let orientation = decoder.orientation().map_err(|err| err.to_string())?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|err| err.to_string())?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

/// The text as a coverage mask (0..=1 per pixel), one line, with its width and height.
fn rasterise(text: &str, size: f32) -> Result<(Vec<f32>, usize, usize)> {
    let font = font()?;
    let scale = PxScale::from(size);
    let scaled = font.as_scaled(scale);
    let mut glyphs = Vec::new();
    let mut caret = 0.0f32;
    for c in text.chars() {
        let id = font.glyph_id(c);
        glyphs.push(id.with_scale_and_position(scale, point(caret, scaled.ascent())));
        caret += scaled.h_advance(id);
    }
    let width = caret.ceil().max(1.0) as usize;
    let height = (scaled.ascent() - scaled.descent()).ceil().max(1.0) as usize;
    let mut mask = vec![0.0f32; width * height];
    for glyph in glyphs {
        if let Some(outlined) = font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            outlined.draw(|x, y, coverage| {
                let px = bounds.min.x as i64 + i64::from(x);
                let py = bounds.min.y as i64 + i64::from(y);
                if px >= 0 && py >= 0 && (px as usize) < width && (py as usize) < height {
                    let cell = &mut mask[py as usize * width + px as usize];
                    *cell = cell.max(coverage.clamp(0.0, 1.0));
                }
            });
        }
    }
    Ok((mask, width, height))
}

/// Tiles the text over the picture, turned 30°, blended at [`OPACITY`].
fn draw_mark(pixels: &mut RgbImage, text: &str) -> Result<()> {
    let short_side = pixels.width().min(pixels.height()) as f32;
    let size = (short_side / 12.0).max(14.0);
    let (mask, mask_width, mask_height) = rasterise(text, size)?;
    // Room between tiles: half a line across, one line between rows.
    let period_x = mask_width as f32 + size * 2.0;
    let period_y = mask_height as f32 * 2.5;
    for (x, y, pixel) in pixels.enumerate_pixels_mut() {
        let (fx, fy) = (x as f32, y as f32);
        // Into the text's frame: rows run along u, rising to the right in the picture.
        let u = fx * COS - fy * SIN;
        let v = fx * SIN + fy * COS;
        let row = (v / period_y).floor();
        let shift = if (row as i64).rem_euclid(2) == 1 { period_x / 2.0 } else { 0.0 };
        let mu = (u + shift).rem_euclid(period_x);
        let mv = v - row * period_y;
        if mu >= mask_width as f32 || mv >= mask_height as f32 {
            continue;
        }
        let coverage = mask[mv as usize * mask_width + mu as usize];
        if coverage <= 0.0 {
            continue;
        }
        let alpha = coverage * OPACITY;
        let Rgb(channels) = pixel;
        for (channel, colour) in channels.iter_mut().zip(COLOUR) {
            *channel = (f32::from(*channel) * (1.0 - alpha) + colour * alpha).round().clamp(0.0, 255.0) as u8;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_text_and_digits_are_in_the_font() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let text = mark_text("", date);
        assert_eq!(text, "仅供通联支付商户入网使用 2026-11-26");
        check_text(&text).unwrap();
    }

    #[test]
    fn characters_outside_the_font_are_named() {
        // 𠀀 (CJK extension B) and 喆 (not in GB2312 level 1) are not in the subset.
        let err = check_text("仅供𠀀使用喆").unwrap_err();
        assert!(err.message().contains("U+20000") && err.message().contains("喆"), "{}", err.message());
    }

    #[test]
    fn the_mark_covers_part_of_the_picture_and_only_part() {
        let mut pixels = RgbImage::from_pixel(600, 400, Rgb([255, 255, 255]));
        draw_mark(&mut pixels, "仅供通联支付商户入网使用 2026-11-26").unwrap();
        let marked = pixels.pixels().filter(|pixel| pixel.0 != [255, 255, 255]).count();
        let share = marked as f64 / (600.0 * 400.0);
        assert!(share > 0.03 && share < 0.6, "{share}");
    }
}
