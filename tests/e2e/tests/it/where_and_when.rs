//! Issue 18, item 8 through the window at 1366×768: a photo far from the premises sits on an
//! off-chart strip with its direction and distance (not pinned to the drawing's edge), range
//! rings around the radius, markers that differ by shape (circle inside, triangle outside), the
//! plot numbers on the file cards, and the timeline zoomed to the visit day with another day's
//! photo listed with its date. Screenshots: `tests/e2e/screenshots/where-*.png`.

use crate::harness::{
    AppSession, add_with_cli, click, corpus_file, create_case_at_site_with_cli, scroll_to, wait_until,
};

#[tokio::test]
async fn a_far_photo_is_off_the_chart_with_its_direction_and_the_timeline_zooms_to_the_visit_day() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    // The Google Pixel photo was taken here on this day; the iPhone 4 one in Rome in 2011.
    let case_id = create_case_at_site_with_cli(&home, "远近小店", "2018-07-25", ("50.2996027", "14.8202944"));
    for name in ["google-pixel-gps.jpg", "apple-iphone-4-gps.jpg"] {
        let path = corpus_file(name);
        add_with_cli(&home, &case_id, "storefront_photo", &[&path]);
    }
    let session = AppSession::start("where", &home, work.path()).await;
    click(&session, &format!("tr[data-case-id='{case_id}'] [data-testid='open-case']"), "open the case").await;

    // The Pixel photo on the drawing, a circle; the Rome photo off the chart, with where it is.
    session.wait_for("[data-testid='plot-dot'][data-number='1'][data-inside='true'] circle", "#1, a circle").await;
    let far = session
        .wait_for("[data-testid='plot-off-chart'] [data-testid='plot-dot'][data-number='2']", "#2 off the chart")
        .await;
    let text = far.text().await.unwrap();
    assert!(text.contains("南") && text.contains("公里"), "direction and distance: {text:?}");
    let pinned = session
        .client
        .find_all(fantoccini::Locator::Css("svg [data-testid='plot-dot'][data-number='2']"))
        .await
        .unwrap();
    assert!(pinned.is_empty(), "the far photo is not drawn on the drawing's edge");
    wait_until(&session, "return document.querySelectorAll(\"[data-testid='plot-ring']\").length >= 1;", "range rings")
        .await;

    // The timeline shows the visit day; the other day's photo is listed with its date.
    session.wait_for("[data-testid='plot-timeline'][data-zoomed='true']", "the visit day zoomed").await;
    let other = session
        .wait_for("[data-testid='plot-other-days'] [data-testid='plot-capture'][data-number='2']", "#2 listed")
        .await;
    assert!(other.text().await.unwrap().contains("2011-01-13"), "with its date");

    // Each card carries its number.
    let storefront = "[data-testid='slot-storefront_photo']";
    for (name, number) in [("google-pixel-gps.jpg", "1"), ("apple-iphone-4-gps.jpg", "2")] {
        let card = format!("{storefront} [data-file-name='{name}'] [data-testid='plot-number']");
        let shown = session.wait_for(&card, "the plot number on the card").await;
        assert_eq!(shown.attr("data-number").await.unwrap().as_deref(), Some(number), "{name}");
    }
    scroll_to(&session, "[data-testid='plot-positions']").await;
    session.save_screenshot("1-off-chart-and-rings").await;
    scroll_to(&session, "[data-testid='plot-timeline']").await;
    session.save_screenshot("2-visit-day-zoomed").await;
    scroll_to(&session, &format!("{storefront} [data-file-name='google-pixel-gps.jpg']")).await;
    session.save_screenshot("3-numbers-on-cards").await;
    session.close().await;
}
