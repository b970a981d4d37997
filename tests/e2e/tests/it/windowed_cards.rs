//! Issue 19 item 3 through the window: a slot holding many files renders its cards in full only
//! near the view. Every card keeps its place (its item, its name and the button that opens the
//! viewer), the far ones without their contents or their thumbnails; scrolling brings them in
//! and lets those left far behind go (their pictures too); Tab goes from a shown card to the
//! next one, which then fills in. Screenshot: `tests/e2e/screenshots/windowed-*.png`.

use fantoccini::key::Key;

use crate::harness::{
    AppSession, add_with_cli, click, corpus_file, create_case_at_site_with_cli, scroll_to, wait_until,
};

/// More than the slot's windowing threshold (MaterialSlot's `WINDOWED_FROM`, 24).
const FILES: usize = 40;

/// `FILES` tiny JPEGs that differ in their bytes (a comment segment after the start marker), so
/// each is its own piece of evidence: 841 bytes each, quick to import and to thumbnail.
fn distinct_photos(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    let jpeg = std::fs::read(corpus_file("orientation-1.jpg")).unwrap();
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a JPEG starts with SOI");
    std::fs::create_dir_all(folder).unwrap();
    (1..=FILES)
        .map(|number| {
            let comment = format!("photo {number}");
            let length = u16::try_from(comment.len() + 2).unwrap().to_be_bytes();
            let mut bytes = jpeg[..2].to_vec();
            bytes.extend_from_slice(&[0xFF, 0xFE, length[0], length[1]]);
            bytes.extend_from_slice(comment.as_bytes());
            bytes.extend_from_slice(&jpeg[2..]);
            let path = folder.join(format!("内景-{number:02}.jpg"));
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect()
}

/// How many of the slot's cards are there, and how many of them are shown in full / hold a
/// thumbnail.
const CARDS: &str = r#"
    const cards = [...document.querySelectorAll("[data-testid='slot-interior_photo'] [data-testid='file']")];
    return [cards.length,
            cards.filter((card) => card.querySelector('.file__body') !== null).length,
            cards.filter((card) => card.querySelector("[data-testid='thumbnail-image']") !== null).length];
"#;

async fn cards(session: &AppSession) -> (u64, u64, u64) {
    let answer = session.client.execute(CARDS, vec![]).await.unwrap();
    let count = |index: usize| answer[index].as_u64().unwrap();
    (count(0), count(1), count(2))
}

fn card(number: usize) -> String {
    format!("[data-testid='slot-interior_photo'] [data-testid='file'][data-file-name='内景-{number:02}.jpg']")
}

#[tokio::test]
async fn a_slot_of_many_files_renders_only_the_cards_near_the_view() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let case_id = create_case_at_site_with_cli(&home, "四十张内景", "2026-12-06", ("31.2304", "121.4737"));
    let photos = distinct_photos(&work.path().join("photos"));
    let paths: Vec<&std::path::Path> = photos.iter().map(|path| path.as_path()).collect();
    add_with_cli(&home, &case_id, "interior_photo", &paths);
    let session = AppSession::start("windowed", &home, work.path()).await;
    click(&session, &format!("tr[data-case-id='{case_id}'] [data-testid='open-case']"), "open the case").await;

    // Every card has its place; those near the view are shown with their thumbnails, the last
    // ones (several screens down) are not.
    scroll_to(&session, &card(1)).await;
    session.wait_for(&format!("{} [data-testid='thumbnail-image']", card(1)), "the first card's thumbnail").await;
    let (all, shown, pictures) = cards(&session).await;
    assert_eq!(all, FILES as u64, "every file has its card");
    assert!(shown > 0 && shown < all, "only the cards near the view are shown in full: {shown} of {all}");
    assert!(pictures <= shown, "no thumbnail on a card not shown: {pictures} for {shown}");
    let last = session.wait_for(&card(FILES), "the last card's place").await;
    assert_eq!(last.attr("data-far").await.unwrap().as_deref(), Some("true"), "the last card is far");
    assert!(
        last.find(fantoccini::Locator::Css("[data-testid='open-viewer']")).await.is_ok(),
        "a far card keeps the button that opens the viewer"
    );

    // Scrolled to the end: the last cards fill in with their thumbnails, the first ones go,
    // their pictures let go.
    scroll_to(&session, &card(FILES)).await;
    session.wait_for(&format!("{} [data-testid='thumbnail-image']", card(FILES)), "the last card's thumbnail").await;
    session.wait_for(&format!("{}[data-far]", card(1)), "the first card, far now").await;
    let first = session.wait_for(&card(1), "the first card").await;
    assert!(
        first.find(fantoccini::Locator::Css("img")).await.is_err(),
        "the first card's thumbnail is let go once far"
    );
    session.save_screenshot("1-scrolled-to-the-end").await;

    // Tab from the last control of a shown card reaches the next card's button, which fills in.
    scroll_to(&session, &card(1)).await;
    session.wait_for(&format!("{} .file__body", card(1)), "the first card, shown again").await;
    let next_far = session
        .client
        .execute(
            "const cards = [...document.querySelectorAll(\"[data-testid='slot-interior_photo'] [data-testid='file']\")];
             const index = cards.findIndex((card) => card.dataset.far !== undefined);
             const controls = cards[index - 1].querySelectorAll('button, input, select, textarea, a[href]');
             controls[controls.length - 1].focus();
             return cards[index].dataset.fileName;",
            vec![],
        )
        .await
        .unwrap();
    let next_far = next_far.as_str().expect("a far card after the shown ones").to_string();
    let focused = session.client.active_element().await.unwrap();
    focused.send_keys(&Key::Tab.to_string()).await.unwrap();
    wait_until(
        &session,
        &format!(
            "const card = document.activeElement.closest(\"[data-testid='file']\");
             return document.activeElement.dataset.testid === 'open-viewer' && card.dataset.fileName === '{next_far}'
                    && card.querySelector('.file__body') !== null;"
        ),
        "Tab on the next card's button, the card filled in",
    )
    .await;
    session.close().await;
}
