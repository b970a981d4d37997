//! The events the shell sends to the window, each declared once: its name and the type of its
//! payload together, as one [`ShellEvent`] constant.
//!
//! The shell sends them only through [`ShellEvent::send`] and [`ShellEvent::send_to_window`],
//! which take the declared payload type, so an event cannot be sent with another payload. The
//! front-end's table of events (`ui/src/bindings/Events.ts`, used by `onEvent` in `api.ts`) is
//! generated from the constants of this file by the shell's `ipc_surface` test, the same way as
//! its command table: a renamed event or a changed payload fails `tsc` in the UI.
//!
//! Keep every event here, as `pub const NAME: ShellEvent<Payload> = ShellEvent::new("name");`
//! with a doc comment (it becomes the TypeScript comment): the generator reads that form.

use std::marker::PhantomData;

use intake_core::ImportProgress;
use intake_core::data_folder::PixelCheckProgress;
use intake_core::documents::DocumentReadOutcome;
use intake_core::encryption::EncryptionProgress;
use intake_core::package::ExportProgress;
use intake_core::upload::UploadProgress;
use serde::Serialize;
use tauri::{Emitter, Runtime, Window};

use crate::{DragPosition, DroppedPaths};

/// An event of the shell: its name on the wire and, in its type, the payload it carries.
pub struct ShellEvent<Payload> {
    /// The name the front-end listens to.
    pub name: &'static str,
    payload: PhantomData<fn(&Payload)>,
}

impl<Payload: Serialize> ShellEvent<Payload> {
    const fn new(name: &'static str) -> Self {
        ShellEvent { name, payload: PhantomData }
    }

    /// Sends the event to every listener of the app. A window that is gone is not an error
    /// the sender could do anything about, so failures are ignored.
    pub fn send<R: Runtime>(&self, to: &impl Emitter<R>, payload: &Payload) {
        let _ = to.emit(self.name, payload);
    }

    /// Sends the event to `window` only (the window a drag or drop happened on).
    pub fn send_to_window<R: Runtime>(&self, window: &Window<R>, payload: &Payload) {
        let _ = window.emit_to(window.label(), self.name, payload);
    }
}

/// One document read after an import (营业执照, 法人身份证, 定位截图).
pub const DOCUMENT_READ: ShellEvent<DocumentReadOutcome> = ShellEvent::new("document-read");

/// Files being dragged over the window, with the pointer's position in CSS pixels, so the
/// front-end can light up the material slot they would land on (松开添加到: …). No path is
/// sent before the drop.
pub const DRAG_OVER: ShellEvent<DragPosition> = ShellEvent::new("drag-over");

/// The drag left the window, was dropped or cancelled.
pub const DRAG_LEFT: ShellEvent<()> = ShellEvent::new("drag-left");

/// An export's progress: at each phase, after each file written into the zip, and every few
/// MiB inside a large one.
pub const EXPORT_PROGRESS: ShellEvent<ExportProgress> = ShellEvent::new("export-progress");

/// 设置密码 encrypting the folder in place: after each vault file, files done of all.
pub const ENCRYPTION_PROGRESS: ShellEvent<EncryptionProgress> = ShellEvent::new("encryption-progress");

/// After each file of an import.
pub const IMPORT_PROGRESS: ShellEvent<ImportProgress> = ShellEvent::new("import-progress");

/// Files or folders dropped on the window: folders already expanded into files (see
/// [`intake_core::data_folder::files_in_folder`]), and where, in CSS pixels, so the front-end
/// can tell which material slot they were dropped on.
pub const PATHS_DROPPED: ShellEvent<DroppedPaths> = ShellEvent::new("paths-dropped");

/// One file's pixel checks done (the second phase of an import, or their resumption after
/// unlocking): its card fills in.
pub const PIXEL_CHECKS_PROGRESS: ShellEvent<PixelCheckProgress> = ShellEvent::new("pixel-checks-progress");

/// The shell locked the data folder after the idle time (its key is gone).
pub const LOCKED: ShellEvent<()> = ShellEvent::new("locked");

/// An upload's progress: after each part, while the stored object is read back, and when a
/// package is done or failed.
pub const UPLOAD_PROGRESS: ShellEvent<UploadProgress> = ShellEvent::new("upload-progress");
