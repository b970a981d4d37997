//! Reads documents and prints, per file, the seconds taken, the lines and the fields as JSON:
//! `cargo run -p intake-ocr --example read_document -- KIND FILE...`. For trying the engine
//! without the CLI; `intake read` is the supported way.

use std::path::Path;
use std::time::Instant;

use intake_ocr::documents::FieldsMap;
use intake_ocr::{DocumentKind, OcrEngine, read_document};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let kind: DocumentKind = args.next().ok_or("usage: read_document KIND FILE...")?.parse()?;
    let mut engine = OcrEngine::load_default()?;
    if let Ok(width) = std::env::var("MIN_WIDTH") {
        engine.min_line_width = width.parse()?;
    }
    if let Ok(t) = std::env::var("BOX_THRESH") {
        engine.detection.box_threshold = t.parse()?;
    }
    if let Ok(t) = std::env::var("THRESH") {
        engine.detection.threshold = t.parse()?;
    }
    if let Ok(t) = std::env::var("MAX_SIDE") {
        engine.detection.max_side = t.parse()?;
    }
    for file in args {
        let started = Instant::now();
        let (lines, times) = engine.read_text_timed(&intake_ocr::load_image(Path::new(&file))?)?;
        let document = read_document(kind, &lines);
        let json = serde_json::json!({
            "file": file,
            "seconds": started.elapsed().as_secs_f64(),
            "stages": format!("{times:?}"),
            "fields": FieldsMap(&document.fields),
            "lines": lines,
        });
        println!("{}", serde_json::to_string(&json)?);
    }
    Ok(())
}
