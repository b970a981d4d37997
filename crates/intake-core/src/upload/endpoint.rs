//! Which upload endpoints may be used: packages (ID cards, faces, the signed case) never leave
//! the laptop in clear. An `https://` endpoint is fine; `http://` only to this computer
//! (loopback: `localhost`, `127.0.0.0/8`, `::1`, e.g. a test server or a local tunnel), or when
//! the manager has set `upload.allow_insecure_http` for a branch's internal server. Checked
//! when the endpoint is set and again when it is used (a settings file may come from
//! elsewhere, a flag may override it).

use std::net::IpAddr;

use crate::error::{Error, ErrorKind, Result};

/// `Ok` when packages may be sent to `endpoint`; `insecure_endpoint` for `http://` to another
/// host without `allow_insecure_http`; `invalid_input` for what is not an http(s) URL.
pub fn check_endpoint(endpoint: &str, allow_insecure_http: bool) -> Result<()> {
    let url = url::Url::parse(endpoint.trim()).map_err(|err| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("上传地址无效 the upload endpoint '{endpoint}' is not a URL ({err})"),
        )
    })?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure_http || url.host().is_some_and(|host| is_loopback(&host)) => Ok(()),
        "http" => Err(Error::new(
            ErrorKind::InsecureEndpoint,
            format!(
                "上传地址不加密 / the upload endpoint '{endpoint}' is http://, which would send the packages in clear: \
                 use https://, or for a branch's internal server set upload.allow_insecure_http \
                 (`intake settings --upload-allow-insecure-http true`)"
            ),
        )),
        _ => Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "上传地址须以 http:// 或 https:// 开头 the upload endpoint '{endpoint}' is not an http:// or https:// URL"
            ),
        )),
    }
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(address) => IpAddr::V4(*address).is_loopback(),
        url::Host::Ipv6(address) => IpAddr::V6(*address).is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_and_loopback_http_pass_other_http_needs_the_setting() {
        for ok in [
            "https://oss-cn-shanghai.aliyuncs.com",
            "http://127.0.0.1:9000",
            "http://localhost:3900/",
            "http://[::1]:9000",
            "http://127.8.0.1",
        ] {
            assert!(check_endpoint(ok, false).is_ok(), "{ok}");
        }
        for insecure in [
            "http://oss.example.com",
            "http://10.0.0.5:9000",
            "http://localhost.evil.example",
            "http://127.0.0.1.nip.io",
        ] {
            assert_eq!(check_endpoint(insecure, false).unwrap_err().kind(), ErrorKind::InsecureEndpoint, "{insecure}");
            assert!(check_endpoint(insecure, true).is_ok(), "{insecure} with the setting");
        }
        assert_eq!(check_endpoint("ftp://x", true).unwrap_err().kind(), ErrorKind::InvalidInput);
        assert_eq!(check_endpoint("not a url", false).unwrap_err().kind(), ErrorKind::InvalidInput);
    }
}
