//! Pixel checks: decoding under memory limits, mean luminance (`too_dark`) and the variance of
//! the Laplacian (`blurry`).
//!
//! All decoding goes through [`decode_reduced`]: one decode per file gives the grey image the
//! checks analyse, the perceptual hash and the thumbnail. JPEGs are decoded scaled in the DCT
//! domain by libjpeg-turbo, the decoder the import's pace is measured against (52 ms for a
//! 12 MP photo at 1/4, where jpeg-decoder took 61); a JPEG whose compressed data it finds
//! damaged (cut short, bad codes) is `Broken`, and any other JPEG it refuses is tried
//! with jpeg-decoder, which also scales, and other formats, and any JPEG both refuse, go through
//! `image` at full size and are then scaled down, so that `image` says what is wrong with a
//! damaged file, as it always did. The caller refuses images over the pixel limit from their
//! header before this runs; here the decoders' own allocation limits are set as well, so a file
//! whose header lies cannot make them allocate more.

use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageError, ImageFormat, ImageReader};

use super::media::MediaKind;

/// The longer side, in pixels, of the grey image the checks run on. Blur is judged at about
/// the scale a reviewer sees the photo on a screen, and sensor noise at full size does not
/// pass for detail. Not 512, although a 12 MP photo would then decode at 1/8 and the import
/// would run a quarter faster (0.93 of `djpeg -scale 1/8 -grayscale`'s pace against 0.73): at
/// 512 px the corpus' photos blurred as a reviewer sees blur on a screen (sigma 1.5 px at
/// 1,024) score in a range that overlaps the sharp ones'. At the highest threshold that warns
/// on no sharp photo, 7 of 22 blurred ones pass where 3 do at 1,024 (bench/RESULTS.md, "Import
/// pace, issue 19 item 2: what a decode at 1/8 would buy, and cost";
/// `examples/blur_calibration.rs` measures it).
pub const ANALYSIS_LONG_SIDE: u32 = 1024;

/// What the pixel checks measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelStats {
    /// Mean luminance, 0..255 (Rec. 709 weights on the stored sRGB values).
    pub mean_luminance: f64,
    /// Sharpness: the variance of the 4-neighbour Laplacian on the analysis image, averaged
    /// over its sharpest tenth of 64-pixel tiles (see [`measure`]).
    pub laplacian_variance: f64,
    /// The size of the analysis image.
    pub analysed_width: u32,
    #[allow(missing_docs)]
    pub analysed_height: u32,
}

/// Why pixels could not be analysed.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeFailure {
    /// Decoding would need more memory than allowed.
    TooLarge(String),
    /// The decoder does not support this variant of the format (e.g. an exotic TIFF
    /// compression): the file may be fine; the pixel checks are skipped.
    Unsupported(String),
    /// The data is damaged or truncated.
    Broken(String),
}

/// Decodes the image and measures it.
pub fn analyse_pixels(file: &[u8], kind: MediaKind, max_decode_bytes: u64) -> Result<PixelStats, DecodeFailure> {
    let grey = decode_for_analysis(file, kind, max_decode_bytes)?;
    Ok(measure(&grey))
}

/// Decodes to a grey image whose longer side is at most [`ANALYSIS_LONG_SIDE`].
pub fn decode_for_analysis(file: &[u8], kind: MediaKind, max_decode_bytes: u64) -> Result<GrayImage, DecodeFailure> {
    decode_reduced(file, kind, max_decode_bytes).map(|image| grey_of(&image))
}

/// What one decode of a picture gives every check: the colour image (for the thumbnail) and
/// its grey version (for the pixel checks and the perceptual hash), both at most
/// [`ANALYSIS_LONG_SIDE`] on their longer side.
pub struct Decoded {
    /// The downscaled colour image, orientation not applied.
    pub colour: DynamicImage,
    /// The same image in grey (Rec. 709 luma).
    pub grey: GrayImage,
}

/// [`decode_reduced`], with the grey image made once for every check that needs it.
pub fn decode_for_checks(file: &[u8], kind: MediaKind, max_decode_bytes: u64) -> Result<Decoded, DecodeFailure> {
    let colour = decode_reduced(file, kind, max_decode_bytes)?;
    let grey = grey_of(&colour);
    Ok(Decoded { colour, grey })
}

/// Rec. 709 luma, rounded, of an 8-bit RGB image in integer arithmetic; other layouts go
/// through `image`. Why by hand: `image` 0.25 converts through its colour-space machinery in
/// floating point, which took 5 % of an import's time for what is three multiplications.
fn grey_of(image: &DynamicImage) -> GrayImage {
    match image {
        DynamicImage::ImageRgb8(rgb) => {
            let luma = rgb
                .as_raw()
                .chunks_exact(3)
                .map(|pixel| {
                    let weighted = 2126 * u32::from(pixel[0]) + 7152 * u32::from(pixel[1]) + 722 * u32::from(pixel[2]);
                    // At most 255 * 10000 + 5000, so the quotient fits a byte.
                    ((weighted + 5000) / 10000) as u8
                })
                .collect();
            GrayImage::from_raw(rgb.width(), rgb.height(), luma).expect("one byte per pixel")
        }
        DynamicImage::ImageLuma8(grey) => grey.clone(),
        other => other.to_luma8(),
    }
}

/// A JPEG is decoded at the smallest DCT scale (1/8, 1/4, 1/2, 1) whose longer side is at least
/// this: at most a quarter below [`ANALYSIS_LONG_SIDE`], so a 12 MP photo (4,000 px) is decoded
/// at 1/4 (1,000 px), which the checks see at nearly the scale a full decode resized to
/// 1,024 px gives them.
const MIN_SCALED_LONG_SIDE: u32 = ANALYSIS_LONG_SIDE * 3 / 4;

/// Decodes the image in colour, at most [`ANALYSIS_LONG_SIDE`] on its longer side (smaller
/// images keep their size). Orientation is not applied: the checks do not need it.
pub fn decode_reduced(file: &[u8], kind: MediaKind, max_decode_bytes: u64) -> Result<DynamicImage, DecodeFailure> {
    if kind == MediaKind::Jpeg {
        match decode_jpeg_turbo(file, max_decode_bytes) {
            Turbo::Decoded(image) => return Ok(downscaled(image)),
            Turbo::Damaged(reason) => return Err(DecodeFailure::Broken(reason)),
            Turbo::Refused => {
                if let Some(image) = decode_jpeg_scaled(file, max_decode_bytes) {
                    return Ok(downscaled(image));
                }
            }
        }
    }
    decode_full(file, kind, max_decode_bytes).map(downscaled)
}

/// What libjpeg-turbo made of a JPEG.
enum Turbo {
    Decoded(DynamicImage),
    /// The compressed data is damaged: cut short, or with codes that do not decode. libjpeg
    /// fills what it cannot decode with grey and calls it a warning, and jpeg-decoder, the
    /// fallback, decodes such a file without a word: a photo whose lower half is grey passed
    /// with no finding. It is `unreadable`, as `interfaces.md` has a truncated file.
    Damaged(String),
    /// Anything else it does not do (CMYK, 12-bit, a decode over the memory limit, a warning
    /// that says nothing of the pixels, such as stray bytes between markers): left to the
    /// other decoders.
    Refused,
}

/// Whether a libjpeg message says the pixels are damaged, by the texts of `jerror.h`
/// (JWRN_HIT_MARKER, JWRN_JPEG_EOF, JWRN_HUFF_BAD_CODE, JWRN_ARITH_BAD_CODE, JWRN_MUST_RESYNC).
/// Not JWRN_EXTRANEOUS_DATA ("N extraneous bytes before marker"): phones write such files
/// (one is in the EXIF corpus) and every pixel decodes.
fn says_pixels_damaged(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    ["premature end", "bad huffman code", "bad arithmetic code", "instead of rst"]
        .iter()
        .any(|sign| message.contains(sign))
}

/// The DCT scale, as the denominator of 1/8, 1/4, 1/2 or 1, for an image whose longer side
/// is `long_side`: the smallest whose result is at least [`MIN_SCALED_LONG_SIDE`] (decoders
/// round a scaled side up).
fn scale_denominator(long_side: u32) -> u32 {
    [8, 4, 2].into_iter().find(|&denominator| long_side.div_ceil(denominator) >= MIN_SCALED_LONG_SIDE).unwrap_or(1)
}

/// The scaled decode by libjpeg-turbo, to 8-bit RGB; [`Turbo::Damaged`] when libjpeg says the
/// compressed data is damaged; [`Turbo::Refused`] for anything else it does not decode (any
/// other warning, CMYK or 12-bit pixels) or when the decode could need more memory than
/// allowed, in which case jpeg-decoder, which takes a limit, tries. The TurboJPEG API is used through the `turbojpeg` crate: it reports libjpeg's errors as
/// values instead of ending the process, and sets no limit of its own, hence the estimate.
fn decode_jpeg_turbo(file: &[u8], max_decode_bytes: u64) -> Turbo {
    let mut decompressor = match turbojpeg::Decompressor::new() {
        Ok(decompressor) => decompressor,
        Err(_) => return Turbo::Refused,
    };
    match decode_jpeg_turbo_with(&mut decompressor, file, max_decode_bytes) {
        Ok(Some(image)) => Turbo::Decoded(image),
        Ok(None) => Turbo::Refused,
        Err(turbojpeg::Error::TurboJpegError(message)) if says_pixels_damaged(&message) => {
            Turbo::Damaged(format!("libjpeg-turbo: {message}"))
        }
        Err(_) => Turbo::Refused,
    }
}

/// The decode of [`decode_jpeg_turbo`]: `Ok(None)` when it is not attempted (a header it
/// cannot read, a decode that could need more than `max_decode_bytes`), libjpeg's message when
/// the decode fails.
fn decode_jpeg_turbo_with(
    decompressor: &mut turbojpeg::Decompressor,
    file: &[u8],
    max_decode_bytes: u64,
) -> Result<Option<DynamicImage>, turbojpeg::Error> {
    let Ok(header) = decompressor.read_header(file) else { return Ok(None) };
    let (Ok(width), Ok(height)) = (u32::try_from(header.width), u32::try_from(header.height)) else { return Ok(None) };
    if width == 0 || height == 0 {
        return Ok(None);
    }
    // libjpeg keeps every DCT coefficient of a progressive or multi-scan file (two bytes each,
    // up to three full-size components), and the output besides: bound that before decoding.
    let coefficients = u64::from(width) * u64::from(height) * 3 * 2;
    let Ok(denominator) = usize::try_from(scale_denominator(width.max(height))) else { return Ok(None) };
    let scale = turbojpeg::ScalingFactor::new(1, denominator);
    let scaled = header.scaled(scale);
    let (Ok(output), Ok(out_width), Ok(out_height)) =
        (u64::try_from(scaled.width * scaled.height * 3), u32::try_from(scaled.width), u32::try_from(scaled.height))
    else {
        return Ok(None);
    };
    if coefficients + output > max_decode_bytes {
        return Ok(None);
    }
    decompressor.set_scaling_factor(scale)?;
    let mut image = turbojpeg::Image {
        pixels: vec![0; scaled.width * scaled.height * 3],
        width: scaled.width,
        pitch: scaled.width * 3,
        height: scaled.height,
        format: turbojpeg::PixelFormat::RGB,
    };
    decompressor.decompress(file, image.as_deref_mut())?;
    Ok(image::RgbImage::from_raw(out_width, out_height, image.pixels).map(DynamicImage::ImageRgb8))
}

/// The scaled decode by jpeg-decoder; `None` when it cannot do it (damaged data, 16-bit or CMYK
/// pixels), in which case `image` decodes the file and says what is wrong with it.
fn decode_jpeg_scaled(file: &[u8], max_decode_bytes: u64) -> Option<DynamicImage> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(file));
    decoder.set_max_decoding_buffer_size(usize::try_from(max_decode_bytes).unwrap_or(usize::MAX));
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    if width == 0 || height == 0 {
        return None;
    }
    let denominator = scale_denominator(width.max(height));
    let scale_down = |side: u32| -> u16 { u16::try_from(side.div_ceil(denominator).max(1)).unwrap_or(u16::MAX) };
    let (out_width, out_height) = decoder.scale(scale_down(width), scale_down(height)).ok()?;
    let pixels = decoder.decode().ok()?;
    let (out_width, out_height) = (u32::from(out_width), u32::from(out_height));
    match decoder.info()?.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => {
            image::RgbImage::from_raw(out_width, out_height, pixels).map(DynamicImage::ImageRgb8)
        }
        jpeg_decoder::PixelFormat::L8 => {
            GrayImage::from_raw(out_width, out_height, pixels).map(DynamicImage::ImageLuma8)
        }
        _ => None,
    }
}

fn decode_full(file: &[u8], kind: MediaKind, max_decode_bytes: u64) -> Result<DynamicImage, DecodeFailure> {
    let format = match kind {
        MediaKind::Jpeg => ImageFormat::Jpeg,
        MediaKind::Png => ImageFormat::Png,
        MediaKind::Webp => ImageFormat::WebP,
        MediaKind::Tiff => ImageFormat::Tiff,
        other => return Err(DecodeFailure::Unsupported(format!("no pixel decoder for {other:?}"))),
    };
    let mut reader = ImageReader::with_format(Cursor::new(file), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(max_decode_bytes);
    reader.limits(limits);
    reader.decode().map_err(|err| match err {
        ImageError::Limits(limit) => DecodeFailure::TooLarge(limit.to_string()),
        ImageError::Unsupported(unsupported) => DecodeFailure::Unsupported(unsupported.to_string()),
        other => DecodeFailure::Broken(other.to_string()),
    })
}

/// Scales down to at most [`ANALYSIS_LONG_SIDE`] (area averaging keeps the mean); callers
/// convert to grey afterwards, so the full-size image is never copied.
fn downscaled(image: DynamicImage) -> DynamicImage {
    let (width, height) = (image.width(), image.height());
    let long_side = width.max(height);
    if long_side <= ANALYSIS_LONG_SIDE {
        return image;
    }
    let scale = f64::from(ANALYSIS_LONG_SIDE) / f64::from(long_side);
    let target_width = ((f64::from(width) * scale).round() as u32).max(1);
    let target_height = ((f64::from(height) * scale).round() as u32).max(1);
    image.thumbnail_exact(target_width, target_height)
}

/// The side, in pixels of the analysis image, of the tiles the sharpness is measured on.
const TILE: usize = 64;

/// Below this shorter side (analysis image) sharpness is not judged: there is too little
/// image to tell blur from a small subject, and `low_resolution` already speaks for it.
pub const MIN_SIDE_FOR_SHARPNESS: u32 = 32;

/// Mean luminance and sharpness of a grey image.
pub fn measure(grey: &GrayImage) -> PixelStats {
    let (width, height) = grey.dimensions();
    let pixels = grey.as_raw();
    // Integer sums: exact, and several times faster than summing floats.
    let mean_luminance = if pixels.is_empty() {
        0.0
    } else {
        pixels.iter().map(|&value| u64::from(value)).sum::<u64>() as f64 / pixels.len() as f64
    };
    PixelStats { mean_luminance, laplacian_variance: sharpness(grey), analysed_width: width, analysed_height: height }
}

/// The variance of the Laplacian, averaged over the sharpest tenth of 64-pixel tiles.
///
/// Why tiles: the variance over the whole image punishes photos that are mostly smooth (sky,
/// a wall, a dim evening) although what is in them is sharp. On the corpus' real photos the
/// whole-image variance went down to 57 (wind turbines under a large sky) while a Gaussian
/// blur of sigma 1.5 px brought sharp photos to 96 at most; by the sharpest tenth of tiles
/// the same sharp photos score 348 and more, blurred ones still at most 96. A photo that is
/// blurred everywhere has no sharp tile.
fn sharpness(grey: &GrayImage) -> f64 {
    let (width, height) = (grey.width() as usize, grey.height() as usize);
    let mut tiles = Vec::new();
    let mut y = 0;
    while y + TILE / 2 <= height.max(TILE / 2) {
        let mut x = 0;
        while x + TILE / 2 <= width.max(TILE / 2) {
            if let Some(variance) = laplacian_variance(grey, x..(x + TILE).min(width), y..(y + TILE).min(height)) {
                tiles.push(variance);
            }
            x += TILE;
        }
        y += TILE;
    }
    if tiles.is_empty() {
        return 0.0;
    }
    tiles.sort_by(|a, b| b.total_cmp(a));
    let sharpest = (tiles.len() / 10).max(1);
    tiles[..sharpest].iter().sum::<f64>() / sharpest as f64
}

/// Variance of `4·p − (up + down + left + right)` over the pixels of the region that have all
/// four neighbours; `None` when there are none.
fn laplacian_variance(grey: &GrayImage, columns: std::ops::Range<usize>, rows: std::ops::Range<usize>) -> Option<f64> {
    let (width, height) = (grey.width() as usize, grey.height() as usize);
    let pixels = grey.as_raw();
    // Integer sums (exact: a tile has at most 64 * 64 values of at most 1020 in magnitude), then
    // one division in floating point: the same result as summing floats, in a third of the time.
    let (mut sum, mut sum_of_squares, mut count) = (0i64, 0i64, 0usize);
    let (first_column, end_column) = (columns.start.max(1), columns.end.min(width.saturating_sub(1)));
    for y in rows.start.max(1)..rows.end.min(height.saturating_sub(1)) {
        if first_column >= end_column {
            break;
        }
        let row = y * width;
        let (above, here, below) =
            (&pixels[row - width..row], &pixels[row..row + width], &pixels[row + width..row + 2 * width]);
        for x in first_column..end_column {
            let laplacian = 4 * i32::from(here[x])
                - i32::from(here[x - 1])
                - i32::from(here[x + 1])
                - i32::from(above[x])
                - i32::from(below[x]);
            sum += i64::from(laplacian);
            sum_of_squares += i64::from(laplacian * laplacian);
        }
        count += end_column - first_column;
    }
    if count == 0 {
        return None;
    }
    let mean = sum as f64 / count as f64;
    Some((sum_of_squares as f64 / count as f64 - mean * mean).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_images_have_no_detail_and_their_own_brightness() {
        let grey = GrayImage::from_pixel(50, 40, image::Luma([30]));
        let stats = measure(&grey);
        assert_eq!(stats.mean_luminance, 30.0);
        assert_eq!(stats.laplacian_variance, 0.0);
        assert_eq!(measure(&GrayImage::new(2, 2)).laplacian_variance, 0.0);
        assert_eq!(measure(&GrayImage::new(0, 0)).mean_luminance, 0.0);
    }

    #[test]
    fn a_checkerboard_is_sharp() {
        let grey = GrayImage::from_fn(64, 64, |x, y| image::Luma([if (x + y) % 2 == 0 { 0 } else { 255 }]));
        assert!(measure(&grey).laplacian_variance > 10_000.0);
    }

    #[test]
    fn one_sharp_region_in_a_smooth_image_is_enough() {
        // A flat grey 1024x768 image with detail in one 128x128 corner: the whole-image
        // variance is small, the sharpest tiles are not.
        let grey = GrayImage::from_fn(1024, 768, |x, y| {
            let detail = x < 128 && y < 128 && (x / 2 + y / 2) % 2 == 0;
            image::Luma([if detail { 200 } else { 120 }])
        });
        let whole = laplacian_variance(&grey, 0..1024, 0..768).unwrap();
        let tiled = measure(&grey).laplacian_variance;
        assert!(whole < 2000.0 && tiled > 10.0 * whole, "whole {whole}, tiled {tiled}");
    }

    #[test]
    fn jpegs_decode_at_the_smallest_scale_that_keeps_enough_pixels() {
        // 12 MP (4000 px) at 1/4 (1000 px), 8 MP (3264 px) at 1/4 (816), a 2000 px photo at
        // 1/2; below twice the minimum, whole. 6144 px (38 MP) is the first at 1/8 (768).
        let scales: Vec<u32> = [4000, 3264, 2000, 1534, 6144, 6136].into_iter().map(scale_denominator).collect();
        assert_eq!(scales, vec![4, 4, 2, 1, 8, 4]);
    }

    /// A 1600x1200 photo-like JPEG: gradients and a fine pattern, so both decoders have detail
    /// to agree on.
    fn photo_jpeg() -> Vec<u8> {
        let photo = image::RgbImage::from_fn(1600, 1200, |x, y| {
            let fine = if (x / 3 + y / 3) % 2 == 0 { 40 } else { 0 };
            image::Rgb([(x / 8) as u8 + fine, (y / 6) as u8, ((x + y) / 12) as u8])
        });
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&photo).unwrap();
        jpeg
    }

    #[test]
    fn libjpeg_turbo_decodes_at_the_scale_and_agrees_with_jpeg_decoder() {
        let jpeg = photo_jpeg();
        let Turbo::Decoded(turbo) = decode_jpeg_turbo(&jpeg, 512 << 20) else { panic!("libjpeg-turbo decodes it") };
        let turbo = turbo.to_rgb8();
        let fallback = decode_jpeg_scaled(&jpeg, 512 << 20).expect("jpeg-decoder decodes it").to_rgb8();
        // 1600 px: 1/2 keeps 800 >= 768.
        assert_eq!(turbo.dimensions(), (800, 600));
        assert_eq!(fallback.dimensions(), (800, 600));
        let difference: u64 =
            turbo.as_raw().iter().zip(fallback.as_raw()).map(|(a, b)| u64::from(a.abs_diff(*b))).sum();
        // The decoders round and upsample the chroma differently (2.0 per sample here); RGB read
        // as BGR, or a wrong scale, differs by tens.
        let mean = difference as f64 / turbo.as_raw().len() as f64;
        assert!(mean < 4.0, "the decoders differ by {mean} per sample");
    }

    #[test]
    fn libjpeg_turbo_leaves_files_it_does_not_decode_to_the_other_decoders() {
        let jpeg = photo_jpeg();
        // 1600x1200 needs up to 11.5 MB of coefficients: under a 10 MiB limit it does not start.
        assert!(matches!(decode_jpeg_turbo(&jpeg, 10 << 20), Turbo::Refused));
        assert!(matches!(decode_jpeg_turbo(&jpeg, 16 << 20), Turbo::Decoded(_)));
        assert!(matches!(decode_jpeg_turbo(b"not a jpeg", 512 << 20), Turbo::Refused));
        // Stray bytes between two markers: a warning that says nothing of the pixels.
        let position = jpeg.windows(2).position(|pair| pair == [0xFF, 0xDA]).unwrap();
        let stray = [&jpeg[..position], &[0u8; 7][..], &jpeg[position..]].concat();
        assert!(decode_reduced(&stray, MediaKind::Jpeg, 512 << 20).is_ok());
    }

    #[test]
    fn a_jpeg_cut_short_is_broken_not_passed_with_grey() {
        let jpeg = photo_jpeg();
        // Cut at two thirds, and the end marker put back so that the file looks whole:
        // libjpeg fills the rest with grey and jpeg-decoder decoded it without a word.
        let cut = [&jpeg[..jpeg.len() * 2 / 3], &[0xFF, 0xD9][..]].concat();
        // Cut without the end marker.
        let truncated = jpeg[..jpeg.len() * 2 / 3].to_vec();
        // (Bytes changed inside the compressed data often decode to other pixels without a
        // sign: JPEG carries no checksum, so no decoder can tell; not tested.)
        for (what, file) in [("cut, end marker added", cut), ("cut", truncated)] {
            match decode_reduced(&file, MediaKind::Jpeg, 512 << 20) {
                Err(DecodeFailure::Broken(reason)) => assert!(reason.contains("libjpeg"), "{what}: {reason}"),
                Err(other) => panic!("{what}: {other:?}"),
                Ok(_) => panic!("{what}: decoded as if whole"),
            }
        }
    }

    #[test]
    fn large_images_are_analysed_at_the_analysis_scale() {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(4000, 1000, image::Rgb([200, 100, 50])));
        let grey = downscaled(image).to_luma8();
        assert_eq!(grey.dimensions(), (ANALYSIS_LONG_SIDE, 256));
    }
}
