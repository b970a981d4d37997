/* A stand-in for bcryptprimitives.dll's ProcessPrng, for Wine 8.0 only.
 *
 * Rust 1.78 and later link the standard library's random source (HashMap seeds, among
 * others) to ProcessPrng, which Wine 8.0 does not export: every Rust .exe then stops at
 * start with status 53 (rust-lang/rust#128066). Real Windows 10/11 have it, so this file is
 * built and copied into the test prefix by scripts/test-windows.sh, never shipped.
 *
 * Documented signature: BOOL WINAPI ProcessPrng(PBYTE pbData, SIZE_T cbData), always TRUE.
 * Built on advapi32's SystemFunction036 (RtlGenRandom), which Wine has; it takes a ULONG
 * length, so larger requests are served in pieces. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG piece = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, piece)) {
            /* Rust ignores the result (Windows documents it as always TRUE), so a failure
             * here must not hand back the unwritten buffer as random bytes. */
            ExitProcess(0xC0000001); /* STATUS_UNSUCCESSFUL */
        }
        data += piece;
        length -= piece;
    }
    return TRUE;
}
