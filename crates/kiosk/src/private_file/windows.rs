//! Windows: an explicit ACL granting the current user (the token's user SID) full access and
//! nobody else anything, protected from inheriting the parent's entries. New files get it
//! before a byte is written; existing ones get it again on every read and write.
//!
//! Compiled only on Windows (CI); the calls follow the Win32 documentation for
//! `OpenProcessToken`, `GetTokenInformation(TokenUser)`, `InitializeAcl`,
//! `AddAccessAllowedAceEx` and `SetNamedSecurityInfoW`.

// The one place in the crate that calls the OS directly: there is no safe std API for ACLs.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::path::Path;
use std::ptr::{null, null_mut};

use windows_sys::Win32::Foundation::{CloseHandle, ERROR_SUCCESS, HANDLE};
use windows_sys::Win32::Security::Authorization::{SE_FILE_OBJECT, SetNamedSecurityInfoW};
use windows_sys::Win32::Security::{
    ACCESS_ALLOWED_ACE, ACL, ACL_REVISION, AddAccessAllowedAceEx, CONTAINER_INHERIT_ACE,
    DACL_SECURITY_INFORMATION, GetLengthSid, GetTokenInformation, InitializeAcl,
    OBJECT_INHERIT_ACE, PROTECTED_DACL_SECURITY_INFORMATION, TOKEN_QUERY, TOKEN_USER, TokenUser,
};
use windows_sys::Win32::Storage::FileSystem::FILE_ALL_ACCESS;
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

pub fn create_file(path: &Path) -> io::Result<File> {
    let file = File::create_new(path)?;
    restrict(path, false)?;
    Ok(file)
}

pub fn create_dir(path: &Path) -> io::Result<()> {
    std::fs::create_dir(path)?;
    restrict(path, true)
}

pub fn restrict_file(path: &Path) -> io::Result<()> {
    restrict(path, false)
}

pub fn restrict_dir(path: &Path) -> io::Result<()> {
    restrict(path, true)
}

/// The current process token's `TOKEN_USER`, in a buffer aligned for it.
struct TokenUserBuf(Vec<u64>);

impl TokenUserBuf {
    fn current() -> io::Result<Self> {
        let mut token: HANDLE = null_mut();
        // SAFETY: GetCurrentProcess returns a pseudo handle; `token` is a valid out pointer.
        if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
            return Err(io::Error::last_os_error());
        }
        let mut len = 0u32;
        // SAFETY: a size query: a null buffer of length 0, `len` receives the size needed.
        unsafe { GetTokenInformation(token, TokenUser, null_mut(), 0, &mut len) };
        let mut buf = vec![0u64; (len as usize).div_ceil(8).max(1)];
        // SAFETY: `buf` holds at least `len` bytes, 8-byte aligned (more than TOKEN_USER needs).
        let ok = unsafe {
            GetTokenInformation(token, TokenUser, buf.as_mut_ptr().cast(), len, &mut len)
        };
        let error = io::Error::last_os_error();
        // SAFETY: `token` was opened above and is closed once.
        unsafe { CloseHandle(token) };
        if ok == 0 {
            return Err(error);
        }
        Ok(Self(buf))
    }

    fn sid(&self) -> *mut core::ffi::c_void {
        // SAFETY: GetTokenInformation(TokenUser) filled the buffer with a TOKEN_USER whose SID
        // points into the same buffer, which lives as long as `self`.
        unsafe { (*self.0.as_ptr().cast::<TOKEN_USER>()).User.Sid }
    }
}

fn restrict(path: &Path, dir: bool) -> io::Result<()> {
    let user = TokenUserBuf::current()?;
    let sid = user.sid();
    // SAFETY: `sid` is a valid SID from the token (see TokenUserBuf::sid).
    let sid_len = unsafe { GetLengthSid(sid) } as usize;
    // One ACE: the ACE header and mask, then the SID in place of its `SidStart` field.
    let acl_len = size_of::<ACL>() + size_of::<ACCESS_ALLOWED_ACE>() - size_of::<u32>() + sid_len;
    let acl_len_u32 = u32::try_from(acl_len).map_err(io::Error::other)?;
    let mut acl_buf = vec![0u64; acl_len.div_ceil(8)];
    let acl = acl_buf.as_mut_ptr().cast::<ACL>();
    // SAFETY: `acl_buf` is at least `acl_len` bytes and 8-byte aligned.
    if unsafe { InitializeAcl(acl, acl_len_u32, ACL_REVISION) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // A directory passes the entry on to the files created in it.
    let inherit = if dir {
        OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE
    } else {
        0
    };
    // SAFETY: `acl` was initialised with room for exactly this ACE; `sid` is valid.
    if unsafe { AddAccessAllowedAceEx(acl, ACL_REVISION, inherit, FILE_ALL_ACCESS, sid) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let wide: Vec<u16> = path
        .as_os_str()
        .encode_wide()
        .chain(std::iter::once(0))
        .collect();
    // SAFETY: `wide` is NUL-terminated; owner and group are left alone (null); `acl` is valid.
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
    if status != ERROR_SUCCESS {
        return Err(io::Error::from_raw_os_error(status as i32));
    }
    Ok(())
}
