//! Where the main window opens: where the manager last left it, if that is still on a
//! screen; else at its configured size, centred, when that fits the screen's work area; else
//! (a 1366×768 laptop, whose 768 px are less than the window's 800) filling the work area,
//! maximized.
//!
//! The last placement is kept in `window-placement.json` in the app's per-user config folder,
//! not in the data folder: it says nothing about a merchant, it must be known before the
//! (encrypted) data folder is unlocked, and it belongs to the screen, not to the cases.
//! Written when the window closes. Losing the file costs only the placement, so it is
//! written temp → rename without fsync.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tauri::{Manager, PhysicalPosition, PhysicalSize, Runtime, WebviewWindow, WindowEvent};

/// The file, in the app's config folder.
pub const PLACEMENT_FILE: &str = "window-placement.json";

/// A window's place and size, and whether it was maximized. The file keeps the rectangle's
/// fields at the top level (`{"x", "y", "width", "height", "maximized"}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowPlacement {
    /// Outer position and inner size, as Tauri sets them.
    #[serde(flatten)]
    pub area: ScreenArea,
    #[allow(missing_docs)]
    pub maximized: bool,
}

/// A rectangle of the screen in physical pixels: a monitor's work area (without task bars), or
/// where a window stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreenArea {
    #[allow(missing_docs)]
    pub x: i32,
    #[allow(missing_docs)]
    pub y: i32,
    #[allow(missing_docs)]
    pub width: u32,
    #[allow(missing_docs)]
    pub height: u32,
}

impl ScreenArea {
    fn contains(&self, x: i32, y: i32, width: u32, height: u32) -> bool {
        let right = i64::from(self.x) + i64::from(self.width);
        let bottom = i64::from(self.y) + i64::from(self.height);
        x >= self.x
            && y >= self.y
            && i64::from(x) + i64::from(width) <= right
            && i64::from(y) + i64::from(height) <= bottom
    }
}

/// What to do with the window at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Put it back where it was.
    Restore(WindowPlacement),
    /// Leave the configured size, centred on the work area.
    Centre,
    /// Fill the work area (inner size = area less the frame) and maximize.
    FillWorkArea(ScreenArea),
}

/// Chooses the placement. `saved` is restored when its whole outer rectangle (inner size plus
/// `frame`) lies on one of `monitors`' work areas; a saved maximized window is restored
/// maximized on whatever screen it is. Otherwise `outer` (the configured window with its frame)
/// is centred when it fits `work_area`, and the work area is filled when it does not.
pub fn choose_placement(
    saved: Option<WindowPlacement>,
    outer: (u32, u32),
    frame: (u32, u32),
    work_area: ScreenArea,
    monitors: &[ScreenArea],
) -> Placement {
    if let Some(saved) = saved {
        let on_a_screen = monitors.iter().any(|area| {
            let at = saved.area;
            area.contains(at.x, at.y, at.width.saturating_add(frame.0), at.height.saturating_add(frame.1))
        });
        if on_a_screen && saved.area.width > 0 && saved.area.height > 0 {
            return Placement::Restore(saved);
        }
    }
    if outer.0 <= work_area.width && outer.1 <= work_area.height {
        Placement::Centre
    } else {
        Placement::FillWorkArea(work_area)
    }
}

fn area_of(monitor: &tauri::Monitor) -> ScreenArea {
    let rect = monitor.work_area();
    ScreenArea { x: rect.position.x, y: rect.position.y, width: rect.size.width, height: rect.size.height }
}

fn placement_path<R: Runtime>(window: &WebviewWindow<R>) -> Option<PathBuf> {
    window.app_handle().path().app_config_dir().ok().map(|dir| dir.join(PLACEMENT_FILE))
}

fn read_placement(path: &Path) -> Option<WindowPlacement> {
    // A missing or damaged file only means the window opens fitted to the screen.
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn write_placement(path: &Path, placement: &WindowPlacement) -> std::io::Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let temp = path.with_extension("json.part");
    std::fs::write(&temp, serde_json::to_vec_pretty(placement).map_err(std::io::Error::other)?)?;
    std::fs::rename(&temp, path)
}

/// The placement as last seen (kept up to date by the window's move and resize events),
/// written when the window closes.
#[derive(Default)]
pub struct LastPlacement(Mutex<Option<WindowPlacement>>);

/// Places the main window at start (see the module documentation). Failures to learn the
/// screen leave the window as configured.
pub fn place_at_start<R: Runtime>(window: &WebviewWindow<R>) {
    let saved = placement_path(window).as_deref().and_then(read_placement);
    let (Ok(outer), Ok(inner)) = (window.outer_size(), window.inner_size()) else { return };
    let monitor = window.current_monitor().ok().flatten().or_else(|| window.primary_monitor().ok().flatten());
    let Some(monitor) = monitor else { return };
    let monitors: Vec<ScreenArea> =
        window.available_monitors().map(|all| all.iter().map(area_of).collect()).unwrap_or_default();
    let frame = (outer.width.saturating_sub(inner.width), outer.height.saturating_sub(inner.height));
    match choose_placement(saved, (outer.width, outer.height), frame, area_of(&monitor), &monitors) {
        Placement::Restore(placement) => {
            let area = placement.area;
            let _ = window.set_size(PhysicalSize::new(area.width, area.height));
            let _ = window.set_position(PhysicalPosition::new(area.x, area.y));
            if placement.maximized {
                let _ = window.maximize();
            }
        }
        Placement::Centre => {}
        Placement::FillWorkArea(area) => {
            // Sized and placed by hand as well as maximized: without a window manager (Xvfb)
            // or where maximizing is refused, the window still fits the screen. The whole work
            // area, not less the frame: the frame of a window not yet shown is not known (GTK
            // reported 208 px of it under Xvfb, which shrank the window to its 560 px minimum);
            // where there is a frame, the window manager maximizes the window into the area.
            let _ = window.set_size(PhysicalSize::new(area.width.max(1), area.height.max(1)));
            let _ = window.set_position(PhysicalPosition::new(area.x, area.y));
            let _ = window.maximize();
        }
    }
    remember(window);
}

/// Notes the window's current placement. While it is maximized the size and place it had
/// before are kept, so that un-maximizing after a restart gives them back.
fn remember<R: Runtime>(window: &WebviewWindow<R>) {
    let state = window.state::<LastPlacement>();
    let mut last = state.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let maximized = window.is_maximized().unwrap_or(false);
    if maximized && let Some(last) = last.as_mut() {
        last.maximized = true;
        return;
    }
    let (Ok(position), Ok(size)) = (window.outer_position(), window.inner_size()) else { return };
    let area = ScreenArea { x: position.x, y: position.y, width: size.width, height: size.height };
    *last = Some(WindowPlacement { area, maximized });
}

/// Follows the main window's moves and resizes, and writes the placement when it closes.
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    let Some(webview_window) = window.app_handle().get_webview_window(window.label()) else { return };
    match event {
        WindowEvent::Moved(_) | WindowEvent::Resized(_) => remember(&webview_window),
        WindowEvent::CloseRequested { .. } | WindowEvent::Destroyed => {
            let placement = *window.state::<LastPlacement>().0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let (Some(placement), Some(path)) = (placement, placement_path(&webview_window)) {
                let _ = write_placement(&path, &placement);
            }
        }
        _ => {}
    }
}
