//! The verifier's memory on hostile packages (issue 15, item 9): a package made of problems
//! (a manifest of thousands of bad lines, thousands of stray entries) lists at most
//! `MAX_PROBLEMS_PER_CODE` of each code and counts the others, so the report, and the memory
//! that holds it, does not grow with the package (measured in README "Security").

use std::io::{Cursor, Write};

use intake_core::package::codes::VerifyCode;
use intake_core::package::verify::{self, MAX_PROBLEMS_PER_CODE, VerifyOptions};

fn zip_of(build: impl FnOnce(&mut zip::ZipWriter<Cursor<Vec<u8>>>)) -> tempfile::NamedTempFile {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    build(&mut writer);
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&writer.finish().unwrap().into_inner()).unwrap();
    file
}

#[test]
fn thousands_of_problems_of_one_kind_are_listed_up_to_the_limit_and_counted() {
    let options = || zip::write::SimpleFileOptions::default().unix_permissions(0o644).system(zip::System::Unix);
    let stray = 3 * MAX_PROBLEMS_PER_CODE + 7;
    let bad_lines = 5000;
    let file = zip_of(|writer| {
        for index in 0..stray {
            writer.start_file(format!("junk/{index:05}.bin"), options()).unwrap();
            writer.write_all(b"x").unwrap();
        }
        writer.start_file("manifest-sha256.txt", options()).unwrap();
        for index in 0..bad_lines {
            writeln!(writer, "not a hash {index}").unwrap();
        }
    });
    let report = verify::verify_package(file.path(), &VerifyOptions::default()).unwrap();
    assert!(!report.valid);
    let of = |code: VerifyCode| report.problems.iter().filter(|problem| problem.code == code).collect::<Vec<_>>();
    for (code, found) in [(VerifyCode::UnexpectedTagFile, stray), (VerifyCode::BadManifestLine, bad_lines)] {
        let listed = of(code);
        assert_eq!(listed.len(), MAX_PROBLEMS_PER_CODE + 1, "{code}: the limit and one count");
        let last = listed.last().unwrap();
        assert!(last.message.contains(&format!("{} more", found - MAX_PROBLEMS_PER_CODE)), "{code}: {}", last.message);
    }
    // A code under the limit is listed whole, with no count.
    assert!(of(VerifyCode::MissingFile).iter().all(|problem| !problem.message.contains("more problems like these")));
    assert!(report.problems.len() < 4 * (MAX_PROBLEMS_PER_CODE + 1), "{} problems", report.problems.len());
}
