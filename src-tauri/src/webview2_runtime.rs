//! Windows only: the app's window is Microsoft's WebView2, a runtime that ships with Windows 11
//! and current Windows 10 but may be missing on an old or locked-down laptop. Without it
//! Tauri cannot open the window, and a release build has no console to print why
//! (`windows_subsystem = "windows"`), so the manager would see nothing happen. Checked
//! before the window is made: when missing, a message box says so in Chinese, with what to
//! do. The installer says the same (packaging/windows/installer.nsi).

use windows_sys::Win32::UI::WindowsAndMessaging::{MB_ICONEXCLAMATION, MB_OK, MessageBoxW};

/// What the manager reads when the runtime is missing.
pub const MISSING_MESSAGE: &str = "这台电脑没有安装 Microsoft Edge WebView2 运行时，商户入网资料采集的窗口需要它才能打开。\n\n\
请联系 IT 部门安装，或在能上网的电脑上从 https://go.microsoft.com/fwlink/p/?LinkId=2124703 \
下载“WebView2 Evergreen Bootstrapper”并运行，然后再打开本程序。\n\n\
资料仍在数据文件夹中，命令行工具 intake.exe 不需要 WebView2，可照常使用。\n\n\
The Microsoft Edge WebView2 runtime is missing: ask IT to install it, then start Merchant Intake again.";

/// `Err` with the runtime loader's reason when no WebView2 runtime is installed.
pub fn require() -> Result<String, String> {
    tauri::webview_version().map_err(|err| err.to_string())
}

/// Shows `text` in a message box and waits for OK: no window of the app exists yet.
pub fn show_message(title: &str, text: &str) {
    let wide = |text: &str| text.encode_utf16().chain(std::iter::once(0)).collect::<Vec<u16>>();
    let (title, text) = (wide(title), wide(text));
    // SAFETY: both buffers are NUL-terminated UTF-16 that live across the call; no owner window.
    unsafe {
        MessageBoxW(std::ptr::null_mut(), text.as_ptr(), title.as_ptr(), MB_OK | MB_ICONEXCLAMATION);
    }
}
