#!/usr/bin/env bash
# The headless crates' tests built for Windows (x86_64-pc-windows-gnu) and run under Wine:
# installs what is missing (scripts/wine-env.sh), makes the project's Wine prefix in
# target/wine, then `cargo test --target x86_64-pc-windows-gnu` with Wine as the runner.
# Extra arguments go to cargo test (e.g. `scripts/test-windows.sh -p intake-core -- lock`).
#
# A green run here is a smoke test of the Windows code paths, not proof: Wine differs from
# Windows in places (../shared/notes/windows.md); tests skipped under Wine say why.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# shellcheck source=wine-env.sh
source scripts/wine-env.sh

# Skipped under Wine, for Wine's reason and not Windows's: each of these tests runs an
# independent Linux program (the Python checkers of .venv: bagit, jsonschema, coord-convert,
# python3; the openssl command; the s3s-fs S3 server and curl of the upload tests; cargo
# itself), and a Windows process under Wine cannot start a Linux executable (its CreateProcess
# runs Windows programs only). On a Windows machine with those tools they run
# (.github/workflows/windows.yml). Everything else runs.
needs_linux_programs=(
  # .venv's Python, openssl (intake-core)
  package::bagit_py_validates_the_unzipped_package
  package::openssl_verifies_the_sm2_signature
  package::python_jsonschema_accepts_case_json_and_the_schema
  package::the_bag_follows_its_bagit_profile_by_the_bagit_profile_validator
  package::the_key_pair_is_made_once_owner_only_and_openssl_reads_it
  package::the_report_shows_the_thumbnails_cached_at_import
  audit_trail::python_recomputes_every_hash_of_the_chain_from_the_documented_form
  datum::
  identity_types::
  # s3s-fs and curl (intake-cli)
  upload::
  sealed_outbox::an_export_without_out_on_an_encrypted_folder_leaves_no_zip_in_clear_and_uploads_sealed_resuming
  sealed_outbox::a_package_queued_under_exports_by_an_older_version_still_uploads
  # `cargo tree` (intake-bag)
  dependencies::the_verifier_builds_without_the_store_the_runtime_or_the_s3_client
)
skips=()
for name in "${needs_linux_programs[@]}"; do
  skips+=(--skip "$name")
done
echo "test-windows: skipped under Wine (they start Linux programs): ${needs_linux_programs[*]}" >&2

# ts-rs exports the bindings during the tests to .cargo/config.toml's TS_RS_EXPORT_DIR, an
# absolute Linux path, which a Windows process does not resolve: under Wine it wrote them
# into each crate's own bindings/ folder. The Windows name of the same folder instead.
TS_RS_EXPORT_DIR="$("$wine_bin" winepath -w "$root/ui/src/bindings" | tr -d '\r')"
export TS_RS_EXPORT_DIR

started=$(date +%s)
if (($#)); then
  cargo test --target "$windows_target" "$@"
else
  cargo test --no-fail-fast --target "$windows_target" \
    -p intake-domain -p intake-evidence -p intake-bag -p intake-core -p intake-cli -- "${skips[@]}"
fi
echo "test-windows: the Windows build of the tests and their run under Wine took $(($(date +%s) - started)) s" >&2

# --- The installer, installed and uninstalled silently under Wine -------------------------
# The CLI-only installer of the dev build above (the app's Windows build is in
# scripts/build-windows.sh only: the GUI cannot run under Wine, there is no WebView2 runtime).
[ -n "${INTAKE_SKIP_INSTALLER_TEST:-}" ] && exit 0
fail() {
  echo "test-windows: installer: $*" >&2
  exit 1
}
setup="$(scripts/build-windows.sh --cli-only --dev | tail -n 1)"
[ -f "$setup" ] || fail "build-windows.sh made no installer"

local_app_data="$("$wine_bin" cmd /c echo %LOCALAPPDATA% | tr -d '\r')"
local_app_data_unix="$("$wine_bin" winepath -u "$local_app_data" | tr -d '\r')"
install_dir="$local_app_data_unix/Programs/Merchant Intake"
data_folder="$local_app_data_unix/merchant-intake"
rm -rf "$install_dir" "$data_folder"

wine_run "$setup" /S || fail "the silent install exited with $?"
for file in intake.exe intake-verify.exe uninstall.exe README.txt; do
  [ -f "$install_dir/$file" ] || fail "$install_dir/$file was not installed"
done
"$wine_bin" reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\MerchantIntake' /v UninstallString \
  >/dev/null 2>&1 || fail "no uninstall entry under HKCU"

# The installed CLI, with its default data folder (%LOCALAPPDATA%\merchant-intake), a Chinese
# merchant name, a photo with a Chinese file name in a Chinese folder, and a package export.
intake="$install_dir/intake.exe"
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
work="$local_app_data_unix/Temp/资料 测试"
rm -rf "$work"
mkdir -p "$work"
convert -size 1200x900 plasma:fractal -seed 20 "$work/门头照片.jpg"
work_win="$local_app_data\\Temp\\资料 测试"
case_id="$(wine_run "$intake" case new --merchant-name '沪上小面馆' --opens-payment --json | json_field id)" ||
  fail "intake case new failed"
[ -f "$data_folder/intake.sqlite3" ] || fail "the default data folder is not $data_folder"
added="$(wine_run "$intake" add --case "$case_id" --material storefront_photo "$work_win\\门头照片.jpg" --json)" ||
  fail "intake add failed: $added"
grep -q '"added"' <<<"$added" || fail "the photo was not added: $added"
grep -q '门头照片.jpg' <<<"$added" || fail "the Chinese file name was not kept: $added"
# A package names who submits it.
wine_run "$intake" settings --branch '上海分公司' --manager '张三' >/dev/null || fail "intake settings failed"
exported="$(wine_run "$intake" export --case "$case_id" --out "$work_win\\$case_id.zip" --allow-incomplete \
  --reason '安装测试' --json)" || fail "intake export failed: $exported"
[ -f "$work/$case_id.zip" ] || fail "no package at $work/$case_id.zip"
# Verified against the key the export says it signed with (a package verifies only against a trusted key).
key="$(json_field public_key_sha256 <<<"$exported")"
wine_run "$intake" verify "$work_win\\$case_id.zip" --expect-key "$key" --json >/dev/null ||
  fail "the package does not verify"

# The OCR models the installer carries (issue 21) read a licence with the installed intake.exe:
# the models named by their installed place, so a missing or damaged one fails here.
for model in assets/ocr/models/*.onnx; do
  cmp -s "$model" "$install_dir/ocr-models/$(basename "$model")" || fail "$(basename "$model") is not installed in ocr-models"
done
cp crates/intake-ocr/tests/fixtures/business_license-01-clean.jpg "$work/营业执照.jpg"
read_json="$(INTAKE_OCR_MODELS="$("$wine_bin" winepath -w "$install_dir/ocr-models" | tr -d '\r')" \
  wine_run "$intake" read "$work_win\\营业执照.jpg" --as business_license --json)" || fail "intake read failed: $read_json"
grep -q '91440106RFRYG5GG5Q' <<<"$read_json" || fail "the licence's credit code was not read: $read_json"

# The NSIS uninstaller copies itself to %TEMP% and returns at once: wait for its work.
wine_run "$install_dir/uninstall.exe" /S || fail "the silent uninstall exited with $?"
for _ in $(seq 60); do
  [ -e "$install_dir" ] || break
  sleep 0.5
done
[ ! -e "$install_dir" ] || fail "$install_dir is still there after uninstalling: $(ls -A "$install_dir")"
if "$wine_bin" reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\MerchantIntake' >/dev/null 2>&1; then
  fail "the uninstall entry is still there"
fi
[ -f "$data_folder/intake.sqlite3" ] || fail "uninstalling removed the data folder"
rm -rf "$work" "$data_folder"
echo "test-windows: the installer installs, the installed intake.exe imports, exports, verifies and reads a licence with the installed OCR models, the uninstaller removes it" >&2
