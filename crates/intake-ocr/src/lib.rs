//! Offline OCR of the onboarding documents a manager photographs: 营业执照, both sides of the
//! 身份证 and the screenshot of the map app's position.
//!
//! Two layers. [`OcrEngine::read_text`] runs PaddleOCR's PP-OCRv4 models (detection, direction,
//! recognition; fetched by `scripts/fetch-ocr-models.sh`) on the CPU through `rten` and gives the
//! text lines with their boxes. [`documents`] turns those lines into the fields of each kind of
//! document, each with a confidence: pure functions over the lines, tested on hand-written ones.
//!
//! Nothing here depends on the rest of the project, and nothing is logged: the text of an ID
//! card is personal data, and what the caller prints is the caller's decision.

pub mod detection;
pub mod documents;
pub mod geometry;
pub mod recognition;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage};
use rten::Model;
use rten_tensor::prelude::*;
use rten_tensor::{NdTensor, Tensor};
use serde::Serialize;

use crate::detection::{DetectionSettings, boxes_from_map};
use crate::geometry::Quad;
use crate::recognition::{Alphabet, DIRECTION_WIDTH, LINE_HEIGHT, crop_quad, decode_ctc, write_line_input};

pub use documents::{DocumentKind, Field, FieldValue, ReadDocument, read_document};

/// The model files, as `scripts/fetch-ocr-models.sh` names them.
pub const DETECTION_MODEL: &str = "ch_PP-OCRv4_det_infer.onnx";
pub const RECOGNITION_MODEL: &str = "ch_PP-OCRv4_rec_infer.onnx";
pub const DIRECTION_MODEL: &str = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
/// The script that puts the models in place, named in the error when they are missing.
pub const FETCH_SCRIPT: &str = "scripts/fetch-ocr-models.sh";
/// The environment variable that names the models' folder.
pub const MODELS_ENV: &str = "INTAKE_OCR_MODELS";

/// What went wrong reading a document.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("the OCR model {file} is missing from {folder}: run {FETCH_SCRIPT} (or scripts/install-deps.sh), or set {MODELS_ENV} to the folder that holds it", folder = .folder.display())]
    ModelMissing { folder: PathBuf, file: &'static str },
    #[error("the OCR model {path} cannot be loaded: {reason}; run {FETCH_SCRIPT} again", path = .path.display())]
    ModelInvalid { path: PathBuf, reason: String },
    #[error("{path}: not an image that can be read ({reason})", path = .path.display())]
    ImageUnreadable { path: PathBuf, reason: String },
    #[error("the OCR network failed: {0}")]
    Inference(String),
}

/// Time spent in each stage of [`OcrEngine::read_text_timed`].
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    /// Scaling, the detection network and its post-processing.
    pub detection: Duration,
    /// Cutting the lines out and the direction classifier.
    pub direction: Duration,
    pub recognition: Duration,
    /// Text boxes detected.
    pub lines: usize,
}

/// Confidences print with three decimals (an f32 widened to f64 prints 0.9700000286102295).
pub(crate) fn three_decimals<S: serde::Serializer>(value: &f32, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((*value as f64 * 1000.0).round() / 1000.0)
}

/// One line of text read off the image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub text: String,
    /// The axis-aligned bounds of the text, `[x0, y0, x1, y1]` in pixels of the image as shown
    /// (EXIF orientation applied).
    #[serde(rename = "box")]
    pub bounds: [u32; 4],
    /// The mean probability of its characters, 0 to 1.
    #[serde(serialize_with = "three_decimals")]
    pub confidence: f32,
    /// The bounds in the page's own frame: the box turned back by the page's skew (a photo
    /// taken a few degrees off), so that the fields of one row share a row here even when
    /// they do not in the image. The readers lay the page out with these.
    #[serde(skip)]
    pub layout: [f32; 4],
}

impl Line {
    /// A line from its parts (the readers' tests write lines by hand).
    /// A line of an unskewed page (the readers' tests write lines by hand).
    pub fn new(text: &str, bounds: [u32; 4], confidence: f32) -> Line {
        Line { text: text.to_string(), bounds, confidence, layout: bounds.map(|v| v as f32) }
    }
    pub fn height(&self) -> f32 {
        self.layout[3] - self.layout[1]
    }
    pub fn center_y(&self) -> f32 {
        (self.layout[1] + self.layout[3]) / 2.0
    }
}

/// The folder the models are looked for in: `$INTAKE_OCR_MODELS`; else `ocr-models/` beside
/// the running program (where the Windows installer puts them); else
/// `../lib/merchant-intake/ocr-models/` from it (the Debian package: `/usr/bin/merchant-intake`
/// with `/usr/lib/merchant-intake/ocr-models/`, as the FHS wants data off `/usr/bin`); else the
/// source tree's `assets/ocr/models/` (a development build).
pub fn default_models_folder() -> PathBuf {
    if let Some(folder) = std::env::var_os(MODELS_ENV) {
        return PathBuf::from(folder);
    }
    let program_folder = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf));
    program_folder
        .and_then(|folder| installed_models_folder(&folder))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/ocr/models"))
}

/// Where an installed program beside `program_folder` carries its models, if it does.
fn installed_models_folder(program_folder: &Path) -> Option<PathBuf> {
    [
        program_folder.join("ocr-models"),
        program_folder.join("..").join("lib").join("merchant-intake").join("ocr-models"),
    ]
    .into_iter()
    .find(|folder| folder.join(RECOGNITION_MODEL).is_file())
}

/// The loaded networks. Loading takes a few tenths of a second: keep one for many documents.
pub struct OcrEngine {
    detector: Model,
    recognizer: Model,
    direction: Model,
    alphabet: Alphabet,
    pub detection: DetectionSettings,
    /// Turn lines the classifier finds upside down (on by default; costs about 3 ms a line).
    pub use_direction: bool,
    /// The narrowest a batch of lines is padded to for recognition. PaddleOCR pads to 320;
    /// the network is convolutional along the line, and padding a one-character label ("名")
    /// to 320 made recognition a third slower on licences for the same text read
    /// (bench/RESULTS.md).
    pub min_line_width: u32,
}

impl OcrEngine {
    /// Loads the three models from `folder`.
    pub fn load(folder: &Path) -> Result<OcrEngine, OcrError> {
        let load = |file: &'static str| {
            let path = folder.join(file);
            if !path.is_file() {
                return Err(OcrError::ModelMissing { folder: folder.to_path_buf(), file });
            }
            Model::load_file(&path).map_err(|e| OcrError::ModelInvalid { path, reason: e.to_string() })
        };
        let detector = load(DETECTION_MODEL)?;
        let recognizer = load(RECOGNITION_MODEL)?;
        let direction = load(DIRECTION_MODEL)?;
        let characters =
            recognizer.metadata().get("character").map(str::to_string).ok_or_else(|| OcrError::ModelInvalid {
                path: folder.join(RECOGNITION_MODEL),
                reason: "its metadata has no `character` alphabet".into(),
            })?;
        let alphabet = Alphabet::from_metadata(&characters);
        Ok(OcrEngine {
            detector,
            recognizer,
            direction,
            alphabet,
            detection: DetectionSettings::default(),
            use_direction: true,
            min_line_width: LINE_HEIGHT,
        })
    }

    /// Loads the models from [`default_models_folder`].
    pub fn load_default() -> Result<OcrEngine, OcrError> {
        OcrEngine::load(&default_models_folder())
    }

    /// Reads the image file at `path` (JPEG, PNG or WebP; EXIF orientation applied).
    pub fn read_file(&self, path: &Path) -> Result<Vec<Line>, OcrError> {
        self.read_text(&load_image(path)?)
    }

    /// The text lines of `image`, top to bottom, left to right within a row.
    pub fn read_text(&self, image: &DynamicImage) -> Result<Vec<Line>, OcrError> {
        self.read_text_timed(image).map(|(lines, _)| lines)
    }

    /// [`read_text`](Self::read_text), and how long each stage took (for the benchmark).
    pub fn read_text_timed(&self, image: &DynamicImage) -> Result<(Vec<Line>, StageTimes), OcrError> {
        let started = Instant::now();
        let image = image.to_rgb8();
        let boxes = self.detect(&image)?;
        let detected = Instant::now();
        let mut crops: Vec<RgbImage> = boxes.iter().map(|quad| crop_quad(&image, quad)).collect();
        if self.use_direction {
            self.turn_upside_down_lines(&mut crops)?;
        }
        let turned = Instant::now();
        let read = self.recognize(&crops)?;
        let times = StageTimes {
            detection: detected - started,
            direction: turned - detected,
            recognition: turned.elapsed(),
            lines: boxes.len(),
        };
        let skew = page_skew(&boxes);
        let center = [image.width() as f32 / 2.0, image.height() as f32 / 2.0];
        let mut lines = Vec::new();
        for (quad, (text, confidence)) in boxes.iter().zip(read) {
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let xs = quad.iter().map(|p| p[0]);
            let ys = quad.iter().map(|p| p[1]);
            let bounds = [
                xs.clone().fold(f32::MAX, f32::min) as u32,
                ys.clone().fold(f32::MAX, f32::min) as u32,
                xs.fold(0.0, f32::max).ceil() as u32,
                ys.fold(0.0, f32::max).ceil() as u32,
            ];
            let upright = quad.map(|p| rotate_about(p, center, -skew));
            let layout = [
                upright.iter().map(|p| p[0]).fold(f32::MAX, f32::min),
                upright.iter().map(|p| p[1]).fold(f32::MAX, f32::min),
                upright.iter().map(|p| p[0]).fold(f32::MIN, f32::max),
                upright.iter().map(|p| p[1]).fold(f32::MIN, f32::max),
            ];
            lines.push(Line { text: text.to_string(), bounds, confidence, layout });
        }
        Ok((lines, times))
    }

    fn detect(&self, image: &RgbImage) -> Result<Vec<Quad>, OcrError> {
        let (planes, w, h) = detection::network_input(image, self.detection.max_side);
        let input = NdTensor::from_data([1, 3, h as usize, w as usize], planes);
        let output =
            self.detector.run_one(input.view().into(), None).map_err(|e| OcrError::Inference(e.to_string()))?;
        let map: NdTensor<f32, 4> =
            output.try_into().map_err(|e: rten::TryFromValueError| OcrError::Inference(e.to_string()))?;
        let [_, _, mh, mw] = map.shape();
        let map = map.to_vec();
        let mut boxes = boxes_from_map(&map, mw, mh, image.width(), image.height(), &self.detection);
        sort_reading_order(&mut boxes);
        Ok(boxes.into_iter().map(|b| b.quad).collect())
    }

    /// Runs the 0/180 degree classifier and turns the crops it is sure are upside down.
    fn turn_upside_down_lines(&self, crops: &mut [RgbImage]) -> Result<(), OcrError> {
        const BATCH: usize = 6;
        let plane = (LINE_HEIGHT * DIRECTION_WIDTH) as usize;
        for batch in crops.chunks_mut(BATCH) {
            let mut input = vec![0f32; batch.len() * 3 * plane];
            for (i, crop) in batch.iter().enumerate() {
                write_line_input(crop, DIRECTION_WIDTH, &mut input[i * 3 * plane..(i + 1) * 3 * plane]);
            }
            let tensor = NdTensor::from_data([batch.len(), 3, LINE_HEIGHT as usize, DIRECTION_WIDTH as usize], input);
            let output =
                self.direction.run_one(tensor.view().into(), None).map_err(|e| OcrError::Inference(e.to_string()))?;
            let scores: NdTensor<f32, 2> =
                output.try_into().map_err(|e: rten::TryFromValueError| OcrError::Inference(e.to_string()))?;
            for (i, crop) in batch.iter_mut().enumerate() {
                // Labels: 0 = upright, 1 = turned 180 degrees. PaddleOCR turns a line only when
                // the classifier is at least 90 % sure.
                let upside_down = scores[[i, 1]];
                if upside_down > scores[[i, 0]] && upside_down > 0.9 {
                    image::imageops::rotate180_in_place(crop);
                }
            }
        }
        Ok(())
    }

    /// Recognises the crops in batches of similar width (less padding to compute).
    fn recognize(&self, crops: &[RgbImage]) -> Result<Vec<(String, f32)>, OcrError> {
        const BATCH: usize = 6;
        let ratio = |crop: &RgbImage| crop.width() as f32 / crop.height().max(1) as f32;
        let mut order: Vec<usize> = (0..crops.len()).collect();
        order.sort_by(|&a, &b| ratio(&crops[a]).total_cmp(&ratio(&crops[b])));
        let mut results = vec![(String::new(), 0.0f32); crops.len()];
        for batch in order.chunks(BATCH) {
            let widest = batch.iter().map(|&i| ratio(&crops[i])).fold(0.0f32, f32::max);
            let width = ((LINE_HEIGHT as f32 * widest).ceil() as u32).max(self.min_line_width);
            let plane = (LINE_HEIGHT * width) as usize;
            let mut input = vec![0f32; batch.len() * 3 * plane];
            for (slot, &i) in batch.iter().enumerate() {
                write_line_input(&crops[i], width, &mut input[slot * 3 * plane..(slot + 1) * 3 * plane]);
            }
            let tensor = NdTensor::from_data([batch.len(), 3, LINE_HEIGHT as usize, width as usize], input);
            let output =
                self.recognizer.run_one(tensor.view().into(), None).map_err(|e| OcrError::Inference(e.to_string()))?;
            let probabilities: Tensor<f32> =
                output.try_into().map_err(|e: rten::TryFromValueError| OcrError::Inference(e.to_string()))?;
            let shape = probabilities.shape().to_vec();
            let classes = *shape.last().unwrap_or(&0);
            if shape.len() != 3 || classes != self.alphabet.classes() {
                return Err(OcrError::Inference(format!(
                    "the recognition model gives {shape:?}, not [lines, steps, {}] for its alphabet",
                    self.alphabet.classes()
                )));
            }
            let data = probabilities.to_vec();
            let per_line = shape[1] * classes;
            for (slot, &i) in batch.iter().enumerate() {
                results[i] = decode_ctc(&data[slot * per_line..(slot + 1) * per_line], classes, &self.alphabet);
            }
        }
        Ok(results)
    }
}

/// The page's skew in radians: the median slope of the boxes at least twice as wide as high
/// (a short box's slope says little). 0 when no box is that wide.
fn page_skew(boxes: &[Quad]) -> f32 {
    let mut angles: Vec<f32> = boxes
        .iter()
        .filter(|q| geometry::distance(q[0], q[1]) > 2.0 * geometry::distance(q[0], q[3]))
        .map(|q| (q[1][1] - q[0][1]).atan2(q[1][0] - q[0][0]))
        .collect();
    if angles.is_empty() {
        return 0.0;
    }
    angles.sort_by(f32::total_cmp);
    angles[angles.len() / 2]
}

fn rotate_about(p: [f32; 2], center: [f32; 2], angle: f32) -> [f32; 2] {
    let (sin, cos) = angle.sin_cos();
    let (dx, dy) = (p[0] - center[0], p[1] - center[1]);
    [center[0] + dx * cos - dy * sin, center[1] + dx * sin + dy * cos]
}

/// Top to bottom; boxes whose tops are within half a line of each other count as one row and
/// go left to right.
fn sort_reading_order(boxes: &mut [detection::DetectedBox]) {
    boxes.sort_by(|a, b| a.quad[0][1].total_cmp(&b.quad[0][1]).then(a.quad[0][0].total_cmp(&b.quad[0][0])));
    for _ in 0..boxes.len() {
        let mut swapped = false;
        for i in 0..boxes.len().saturating_sub(1) {
            let (a, b) = (&boxes[i].quad, &boxes[i + 1].quad);
            let half_line = (a[3][1] - a[0][1]).min(b[3][1] - b[0][1]) / 2.0;
            if (b[0][1] - a[0][1]).abs() < half_line && b[0][0] < a[0][0] {
                boxes.swap(i, i + 1);
                swapped = true;
            }
        }
        if !swapped {
            break;
        }
    }
}

/// The most pixels a document image may have: `intake inspect`'s default `max_pixels`.
const MAX_PIXELS: u64 = 100_000_000;

/// The most memory its decoded pixels may take: `intake inspect`'s default `max_decode_bytes`.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Decodes an image file, turned as its EXIF orientation says (phones store portrait photos
/// sideways with an orientation tag).
pub fn load_image(path: &Path) -> Result<DynamicImage, OcrError> {
    let unreadable = |reason: String| OcrError::ImageUnreadable { path: path.to_path_buf(), reason };
    let reader = ImageReader::open(path).map_err(|e| unreadable(e.to_string()))?;
    decode(reader.with_guessed_format().map_err(|e| unreadable(e.to_string()))?, path)
}

/// [`load_image`] from bytes already in memory (a file read out of an encrypted vault, which
/// has no path in clear to open); `name` is what an error names.
pub fn load_image_bytes(bytes: &[u8], name: &str) -> Result<DynamicImage, OcrError> {
    let path = Path::new(name);
    let reader = ImageReader::new(std::io::Cursor::new(bytes));
    let reader = reader
        .with_guessed_format()
        .map_err(|e| OcrError::ImageUnreadable { path: path.to_path_buf(), reason: e.to_string() })?;
    decode(reader, path)
}

fn decode<R: std::io::BufRead + std::io::Seek>(
    mut reader: ImageReader<R>,
    path: &Path,
) -> Result<DynamicImage, OcrError> {
    let unreadable = |reason: String| OcrError::ImageUnreadable { path: path.to_path_buf(), reason };
    // The same ceilings as `intake inspect`: an image over 100 million pixels, or whose pixels
    // would need over 512 MiB, is refused from its header, not decoded.
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| unreadable(e.to_string()))?;
    // Checked here by hand: `DynamicImage::from_decoder` allocates the whole image without
    // asking `max_alloc` (a 1.2 MB PNG of 20,000 x 20,000 pixels took 2.7 GB).
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS || decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(unreadable(format!(
            "{width} x {height} pixels is over the {} million pixels a document image may have",
            MAX_PIXELS / 1_000_000
        )));
    }
    let orientation = decoder.orientation().map_err(|e| unreadable(e.to_string()))?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| unreadable(e.to_string()))?;
    image.apply_orientation(orientation);
    Ok(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_over_the_pixel_ceiling_is_refused_from_its_header() {
        // A PNG header of 20,000 x 20,000 pixels (its data is not even there): decoding it
        // would take 1.2 GB; it is refused before a pixel is read.
        let mut png = Vec::new();
        png.extend_from_slice(b"\x89PNG\r\n\x1a\n");
        let mut header = Vec::new();
        header.extend_from_slice(b"IHDR");
        header.extend_from_slice(&20_000u32.to_be_bytes());
        header.extend_from_slice(&20_000u32.to_be_bytes());
        header.extend_from_slice(&[8, 2, 0, 0, 0]);
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&header);
        png.extend_from_slice(&crc32fast::hash(&header).to_be_bytes());
        // The start of the pixel data (a chunk header the decoder stops at), no pixels.
        for (kind, data) in [(&b"IDAT"[..], &[0x78u8, 0x9c][..]), (&b"IEND"[..], &[][..])] {
            let chunk = [kind, data].concat();
            png.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
            png.extend_from_slice(&chunk);
            png.extend_from_slice(&crc32fast::hash(&chunk).to_be_bytes());
        }
        let err = load_image_bytes(&png, "bomb.png").unwrap_err();
        assert!(err.to_string().contains("20000 x 20000"), "{err}");

        // A small image still decodes.
        let mut small = Vec::new();
        image::RgbImage::new(40, 30).write_to(&mut std::io::Cursor::new(&mut small), image::ImageFormat::Png).unwrap();
        assert_eq!(load_image_bytes(&small, "small.png").unwrap().width(), 40);
    }

    #[test]
    fn installed_models_are_found_beside_the_program_or_in_the_debian_lib_folder() {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("usr").join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        assert_eq!(installed_models_folder(&bin), None, "no models anywhere");

        // The Debian package: /usr/bin/merchant-intake, /usr/lib/merchant-intake/ocr-models/.
        let debian = root.path().join("usr").join("lib").join("merchant-intake").join("ocr-models");
        std::fs::create_dir_all(&debian).unwrap();
        std::fs::write(debian.join(RECOGNITION_MODEL), b"model").unwrap();
        let found = installed_models_folder(&bin).unwrap();
        assert_eq!(found.canonicalize().unwrap(), debian.canonicalize().unwrap());

        // The Windows installer: ocr-models\ beside the program comes first.
        let beside = bin.join("ocr-models");
        std::fs::create_dir_all(&beside).unwrap();
        std::fs::write(beside.join(RECOGNITION_MODEL), b"model").unwrap();
        assert_eq!(installed_models_folder(&bin).unwrap(), beside);
    }
}
