//! The data folder readable by its owner alone, on Windows as on Unix (where it is mode 0700).
//!
//! A folder under `%LOCALAPPDATA%` inherits the user profile's ACL (the user, SYSTEM,
//! Administrators); a folder given with `--home` elsewhere (`D:\采集`, a shared drive) inherits
//! its parent's, which may let every user of the laptop read the ID cards inside. So the folder
//! is given a protected DACL (nothing inherited from above) with one entry: the current user,
//! full control, inherited by everything created inside.
//!
//! Written against the Win32 API directly (windows-sys, already in the tree through tokio and
//! others): the crates that wrap ACLs (`windows-acl`, `windows-permissions`) are unmaintained
//! or pull in a second copy of the bindings, and this is four calls.

use std::io;
use std::path::Path;

/// Gives `folder` a DACL that admits the current user only, inherited by what is inside and
/// not by what is above. Nothing on Unix, where the folder is created with mode 0700.
#[cfg(windows)]
pub(crate) fn restrict_to_current_user(folder: &Path) -> io::Result<()> {
    windows::restrict_to_current_user(folder)
}

#[cfg(not(windows))]
pub(crate) fn restrict_to_current_user(_folder: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(windows)]
mod windows {
    use std::ffi::c_void;
    use std::io;
    use std::os::windows::ffi::OsStrExt;
    use std::path::Path;
    use std::ptr::{null, null_mut};

    use windows_sys::Win32::Foundation::{
        CloseHandle, ERROR_INVALID_FUNCTION, ERROR_NOT_SUPPORTED, ERROR_SUCCESS, HANDLE, LocalFree,
    };
    use windows_sys::Win32::Security::Authorization::{
        EXPLICIT_ACCESS_W, NO_MULTIPLE_TRUSTEE, SE_FILE_OBJECT, SET_ACCESS, SetEntriesInAclW, SetNamedSecurityInfoW,
        TRUSTEE_IS_SID, TRUSTEE_IS_USER, TRUSTEE_W,
    };
    use windows_sys::Win32::Security::{
        ACL, DACL_SECURITY_INFORMATION, GetTokenInformation, PROTECTED_DACL_SECURITY_INFORMATION,
        SUB_CONTAINERS_AND_OBJECTS_INHERIT, TOKEN_QUERY, TOKEN_USER, TokenUser,
    };
    use windows_sys::Win32::Storage::FileSystem::FILE_ALL_ACCESS;
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

    pub(super) fn restrict_to_current_user(folder: &Path) -> io::Result<()> {
        let user = CurrentUser::query()?;
        let entry = EXPLICIT_ACCESS_W {
            // The specific rights rather than GENERIC_ALL: generic bits in an object's own ACE
            // are not mapped by every path that reads it back.
            grfAccessPermissions: FILE_ALL_ACCESS,
            grfAccessMode: SET_ACCESS,
            grfInheritance: SUB_CONTAINERS_AND_OBJECTS_INHERIT,
            Trustee: TRUSTEE_W {
                pMultipleTrustee: null_mut(),
                MultipleTrusteeOperation: NO_MULTIPLE_TRUSTEE,
                TrusteeForm: TRUSTEE_IS_SID,
                TrusteeType: TRUSTEE_IS_USER,
                ptstrName: user.sid() as *mut u16,
            },
        };
        let mut acl: *mut ACL = null_mut();
        // SAFETY: one valid entry whose SID lives in `user` for the call; `acl` receives a
        // LocalAlloc'd ACL that is freed below.
        let status = unsafe { SetEntriesInAclW(1, &entry, null(), &mut acl) };
        if status != ERROR_SUCCESS {
            return Err(io::Error::from_raw_os_error(status as i32));
        }
        let wide: Vec<u16> = folder.as_os_str().encode_wide().chain(Some(0)).collect();
        // SAFETY: a NUL-terminated path and the ACL just built; owner and group unchanged.
        let status = unsafe {
            SetNamedSecurityInfoW(
                wide.as_ptr(),
                SE_FILE_OBJECT,
                DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                null_mut(),
                null_mut(),
                acl,
                null(),
            )
        };
        // SAFETY: allocated by SetEntriesInAclW above and not used after this.
        unsafe { LocalFree(acl as *mut c_void) };
        match status {
            ERROR_SUCCESS => Ok(()),
            // FAT and exFAT (a USB stick as the data folder) keep no ACLs at all: there is
            // nothing to restrict, and refusing the folder would leave the manager with none.
            ERROR_NOT_SUPPORTED | ERROR_INVALID_FUNCTION => Ok(()),
            _ => Err(io::Error::from_raw_os_error(status as i32)),
        }
    }

    /// The process token's TOKEN_USER, whose SID points into the same buffer.
    struct CurrentUser {
        // u64 elements: TOKEN_USER holds pointers, so the buffer must be pointer-aligned.
        buffer: Vec<u64>,
    }

    impl CurrentUser {
        fn query() -> io::Result<CurrentUser> {
            let mut token: HANDLE = null_mut();
            // SAFETY: GetCurrentProcess is a pseudo-handle; `token` is closed below.
            if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
                return Err(io::Error::last_os_error());
            }
            let result = Self::from_token(token);
            // SAFETY: opened above, closed once.
            unsafe { CloseHandle(token) };
            result
        }

        fn from_token(token: HANDLE) -> io::Result<CurrentUser> {
            let mut needed = 0u32;
            // SAFETY: the size query: no buffer, the size written to `needed` (the call fails
            // with ERROR_INSUFFICIENT_BUFFER, as documented).
            unsafe { GetTokenInformation(token, TokenUser, null_mut(), 0, &mut needed) };
            if needed == 0 {
                return Err(io::Error::last_os_error());
            }
            let mut buffer = vec![0u64; (needed as usize).div_ceil(8)];
            // SAFETY: a buffer of at least `needed` bytes.
            let ok = unsafe {
                GetTokenInformation(token, TokenUser, buffer.as_mut_ptr() as *mut c_void, needed, &mut needed)
            };
            if ok == 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(CurrentUser { buffer })
        }

        fn sid(&self) -> *mut c_void {
            // SAFETY: the buffer holds a TOKEN_USER written by GetTokenInformation.
            unsafe { (*(self.buffer.as_ptr() as *const TOKEN_USER)).User.Sid }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use windows_sys::Win32::Security::Authorization::{ConvertSidToStringSidW, GetNamedSecurityInfoW};
        use windows_sys::Win32::Security::{
            ACCESS_ALLOWED_ACE, ACL_SIZE_INFORMATION, AclSizeInformation, EqualSid, GetAce, GetAclInformation,
            GetSecurityDescriptorControl, PSECURITY_DESCRIPTOR, SE_DACL_PROTECTED,
        };

        #[test]
        fn the_folder_admits_its_owner_alone_and_inherits_nothing() {
            let parent = tempfile::tempdir().unwrap();
            let folder = parent.path().join("数据");
            std::fs::create_dir(&folder).unwrap();
            restrict_to_current_user(&folder).unwrap();

            let wide: Vec<u16> = folder.as_os_str().encode_wide().chain(Some(0)).collect();
            let mut dacl: *mut ACL = null_mut();
            let mut descriptor: PSECURITY_DESCRIPTOR = null_mut();
            // SAFETY: the out-pointers are valid; the descriptor is freed at the end.
            let status = unsafe {
                GetNamedSecurityInfoW(
                    wide.as_ptr(),
                    SE_FILE_OBJECT,
                    DACL_SECURITY_INFORMATION,
                    null_mut(),
                    null_mut(),
                    &mut dacl,
                    null_mut(),
                    &mut descriptor,
                )
            };
            assert_eq!(status, ERROR_SUCCESS);
            let mut size = ACL_SIZE_INFORMATION::default();
            let user = CurrentUser::query().unwrap();
            // SAFETY: `dacl` and `descriptor` come from the call above.
            unsafe {
                assert_ne!(
                    GetAclInformation(
                        dacl,
                        &mut size as *mut _ as *mut c_void,
                        std::mem::size_of::<ACL_SIZE_INFORMATION>() as u32,
                        AclSizeInformation,
                    ),
                    0
                );
                // Every entry's SID, in the S-1-5-… form, for the messages below.
                let mut entries = Vec::new();
                let mut users_entry = false;
                for index in 0..size.AceCount {
                    let mut ace: *mut c_void = null_mut();
                    assert_ne!(GetAce(dacl, index, &mut ace), 0);
                    let ace = &*(ace as *const ACCESS_ALLOWED_ACE);
                    let ace_sid = &ace.SidStart as *const u32 as *mut c_void;
                    users_entry |= EqualSid(ace_sid, user.sid()) != 0;
                    let mut text: *mut u16 = null_mut();
                    assert_ne!(ConvertSidToStringSidW(ace_sid, &mut text), 0);
                    let len = (0..).take_while(|&at| *text.add(at) != 0).count();
                    entries.push(String::from_utf16_lossy(std::slice::from_raw_parts(text, len)));
                    LocalFree(text as *mut c_void);
                }
                let mut control = 0u16;
                let mut revision = 0u32;
                assert_ne!(GetSecurityDescriptorControl(descriptor, &mut control, &mut revision), 0);
                if std::env::var_os("INTAKE_UNDER_WINE").is_some() {
                    // Wine 8 here does not give back the DACL set: it answers with one made
                    // from the Unix mode (measured: SYSTEM, the user and Everyone, not
                    // protected). Under Wine this test shows only that the calls succeed; the
                    // DACL itself can be checked on Windows alone.
                    eprintln!(
                        "owner_only under Wine: the DACL Wine reports is {entries:?}, protected: {}",
                        control & SE_DACL_PROTECTED != 0
                    );
                } else {
                    assert!(users_entry, "the current user has an entry: {entries:?}");
                    assert_eq!(entries.len(), 1, "one entry, the current user's: {entries:?}");
                    assert_ne!(control & SE_DACL_PROTECTED, 0, "nothing inherited from the parent");
                }
                LocalFree(descriptor);
            }
        }
    }
}
