; The Windows installer of Merchant Intake, built by scripts/build-windows.sh with makensis:
;
;   makensis -DVERSION=0.1.0 -DSTAGE=<folder with the files> -DOUTFILE=<setup.exe> installer.nsi
;
; Project-owned rather than Tauri's NSIS bundler: run off Windows, that bundler downloads a
; plugin from GitHub and includes Win\RestartManager.nsh, which Debian's NSIS lacks
; (../../../shared/notes/windows.md). A hosted Windows runner builds Tauri's own NSIS and MSI
; installers too (.github/workflows/windows.yml).
;
; Per-user: installs under %LOCALAPPDATA%\Programs without administrator rights (branch
; laptops are locked down), a Start-menu entry, and an uninstaller registered under HKCU.
; The data folder (%LOCALAPPDATA%\merchant-intake) is the manager's evidence and is never
; touched by installing, updating or uninstalling.

Unicode true
Target amd64-unicode
ManifestDPIAware true
ManifestSupportedOS all
RequestExecutionLevel user
; -DFAST (scripts/build-windows.sh --dev): the test installer of an unoptimised build, whose
; exes are hundreds of MB, is packed with zlib; LZMA took minutes on them.
!ifdef FAST
  SetCompressor zlib
!else
  SetCompressor /SOLID lzma
!endif

!ifndef VERSION
  !error "give -DVERSION=x.y.z"
!endif
!ifndef STAGE
  !error "give -DSTAGE=<folder holding intake.exe and the rest>"
!endif
!ifndef OUTFILE
  !define OUTFILE "Merchant-Intake-${VERSION}-setup.exe"
!endif

!define PRODUCT "Merchant Intake"
!define PRODUCT_ZH "商户入网资料采集"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\MerchantIntake"
; The WebView2 runtime's client key (Microsoft: "Detect if a WebView2 Runtime is already
; installed"): per-machine under WOW6432Node on 64-bit Windows, or per-user under HKCU.
!define WEBVIEW2_CLIENT "Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${PRODUCT_ZH} ${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
ShowInstDetails show
ShowUninstDetails show
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=2052 "ProductName" "${PRODUCT_ZH} ${PRODUCT}"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileDescription" "${PRODUCT_ZH} 安装程序"
VIAddVersionKey /LANG=2052 "LegalCopyright" "${PRODUCT}"

!include "MUI2.nsh"
!include "LogicLib.nsh"

!define MUI_ICON "${STAGE}\icon.ico"
!define MUI_UNICON "${STAGE}\icon.ico"
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_FUNCTION RunApp
!define MUI_FINISHPAGE_RUN_TEXT "启动${PRODUCT_ZH}"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

Var WebView2Version

; Sets $WebView2Version to the installed runtime's version, or "" when there is none (a
; missing value and "0.0.0.0" both mean not installed).
!macro FindWebView2
  StrCpy $WebView2Version ""
  SetRegView 64
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\${WEBVIEW2_CLIENT}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKLM "SOFTWARE\${WEBVIEW2_CLIENT}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\${WEBVIEW2_CLIENT}" "pv"
  ${EndIf}
  ${If} $0 != ""
  ${AndIf} $0 != "0.0.0.0"
    StrCpy $WebView2Version $0
  ${EndIf}
!macroend

Function .onInit
  SetShellVarContext current
  ; The managers' language; English follows the Chinese in the messages that matter.
  StrCpy $LANGUAGE 2052
FunctionEnd

Function RunApp
  ${If} ${FileExists} "$INSTDIR\merchant-intake.exe"
    Exec '"$INSTDIR\merchant-intake.exe"'
  ${EndIf}
FunctionEnd

Section "Install"
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  ; An open app would keep its exe: say so rather than leave a half-updated folder.
  ClearErrors
  File /nonfatal "${STAGE}\merchant-intake.exe"
  File /nonfatal "${STAGE}\WebView2Loader.dll"
  File "${STAGE}\intake.exe"
  File "${STAGE}\intake-verify.exe"
  File "${STAGE}\icon.ico"
  File "${STAGE}\README.txt"
  ${If} ${Errors}
    MessageBox MB_OK|MB_ICONSTOP "无法写入 $INSTDIR：请先关闭正在运行的${PRODUCT_ZH}，再运行安装程序。$\r$\nCannot write to $INSTDIR: close ${PRODUCT} and run the installer again." /SD IDOK
    Abort
  ${EndIf}
  SetOutPath "$INSTDIR\ocr-models"
  File /nonfatal /r "${STAGE}\ocr-models\*.*"
  SetOutPath "$INSTDIR"

  WriteUninstaller "$INSTDIR\uninstall.exe"
  ${If} ${FileExists} "$INSTDIR\merchant-intake.exe"
    CreateShortcut "$SMPROGRAMS\${PRODUCT_ZH}.lnk" "$INSTDIR\merchant-intake.exe" "" "$INSTDIR\icon.ico" 0
  ${EndIf}

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT_ZH} ${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\icon.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1

  ; The desktop app needs Microsoft's WebView2 runtime (part of Windows 11 and of current
  ; Windows 10). Without it the app cannot open its window: say so and what to do, and
  ; install anyway (the intake command line works without it). Not downloaded from here:
  ; branch laptops often have no internet, and IT installs software.
  !insertmacro FindWebView2
  ${If} $WebView2Version == ""
    DetailPrint "未找到 Microsoft Edge WebView2 运行时 (WebView2 runtime not found)"
    MessageBox MB_OK|MB_ICONEXCLAMATION "这台电脑没有安装 Microsoft Edge WebView2 运行时，${PRODUCT_ZH}的窗口需要它才能打开。$\r$\n$\r$\n请联系 IT 部门安装，或在能上网的电脑上从 https://go.microsoft.com/fwlink/p/?LinkId=2124703 下载“WebView2 Evergreen Bootstrapper”并运行，然后再启动${PRODUCT_ZH}。Windows 11 与已更新的 Windows 10 自带此运行时。$\r$\n$\r$\n命令行工具 intake.exe 不需要它，已照常安装。$\r$\n$\r$\nThe Microsoft Edge WebView2 runtime is missing: ask IT to install it (Evergreen Bootstrapper, link above), then start ${PRODUCT}." /SD IDOK
  ${Else}
    DetailPrint "WebView2 $WebView2Version"
  ${EndIf}
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${PRODUCT_ZH}.lnk"
  Delete "$INSTDIR\merchant-intake.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\intake.exe"
  Delete "$INSTDIR\intake-verify.exe"
  Delete "$INSTDIR\icon.ico"
  Delete "$INSTDIR\README.txt"
  RMDir /r "$INSTDIR\ocr-models"
  Delete "$INSTDIR\uninstall.exe"
  ; Only if empty: anything the manager put there stays. The data folder is elsewhere
  ; (%LOCALAPPDATA%\merchant-intake) and is never removed by the uninstaller.
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
