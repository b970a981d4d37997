//! A file of a type its material does not take (`wrong_file_type`): a scanned licence saved as
//! a PDF and dropped on 经营门头照片 shows, on its card, 文件类型不符 with what the slot takes;
//! moved (移到…) to 营业证件照片, which takes documents, the finding is gone. Screenshots at
//! 1366x768: `tests/e2e/screenshots/wrong-type-*.png`. The PDF's card shows the drawn document icon.

use crate::harness::{AppSession, add_with_cli, click, create_case_with_cli, scroll_to};

#[tokio::test(flavor = "current_thread")]
async fn a_pdf_on_a_photo_slot_is_named_the_wrong_type_until_moved_to_a_document_slot() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let case_id = create_case_with_cli(&home, "沪上小面馆");
    let pdf = work.path().join("营业执照.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").unwrap();
    add_with_cli(&home, &case_id, "storefront_photo", &[&pdf]);

    let session = AppSession::start("wrong-type", &home, work.path()).await;
    session.client.set_window_size(1366, 768).await.expect("the window can be resized");
    click(&session, &format!("tr[data-case-id='{case_id}'] button"), "the case").await;
    let card = "[data-testid='slot-storefront_photo'] [data-file-name='营业执照.pdf']";
    let finding = format!("{card} [data-testid='finding'][data-code='wrong_file_type']");
    scroll_to(&session, &finding).await;
    let shown = session.wait_for(&finding, "the wrong-type finding on the card").await.text().await.unwrap();
    assert!(shown.contains("文件类型不符"), "the label: {shown:?}");
    assert!(shown.contains("此文件是 PDF 文档"), "what the file is: {shown:?}");
    let slot = session.wait_for("[data-testid='slot-storefront_photo']", "the storefront slot").await;
    assert_ne!(slot.attr("data-status").await.unwrap().as_deref(), Some("ok"), "an error keeps the slot from ok");
    // A PDF has no thumbnail: its card shows the document icon, drawn, not an emoji that a
    // machine without an emoji font shows as a box.
    session.wait_for(&format!("{card} [data-testid='kind-icon-document']"), "the document icon on the card").await;
    session.save_screenshot("1-pdf-on-the-storefront").await;

    click(&session, &format!("{card} [data-testid='file-move']"), "移到… on the PDF").await;
    session
        .wait_for("[data-testid='move-target'] option[value='business_license']", "营业证件照片 among the targets")
        .await
        .click()
        .await
        .unwrap();
    click(&session, "[data-testid='move-confirm']", "move").await;
    let moved = "[data-testid='slot-business_license'] [data-file-name='营业执照.pdf']";
    session.wait_for(moved, "the PDF in the licence slot").await;
    session.wait_until_gone(&finding, "the PDF out of the storefront slot").await;
    let findings = session.client.find_all(fantoccini::Locator::Css(&format!("{moved} [data-testid='finding']"))).await;
    assert_eq!(findings.unwrap().len(), 0, "a PDF is what a licence slot takes");
    scroll_to(&session, moved).await;
    session.save_screenshot("2-moved-to-the-licence").await;
}
