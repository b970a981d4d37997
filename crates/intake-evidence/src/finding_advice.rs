//! What each finding means for the manager at the counter: a short label, one line on what it
//! costs the case, one line on what to do. The finding's own message (with the numbers that
//! tripped it) stays the detail.
//!
//! Kept as data beside the codes, not in the window, so that every front-end says the same:
//! the app shows it (`finding_advice` command), and the CLI and the package's report can use
//! it too. Every code has its advice: the `match` below is exhaustive within the crate, so a
//! new code does not compile without one.

use serde::Serialize;
use ts_rs::TS;

use super::findings::{FindingCode, Severity};

/// The advice for one finding code, Simplified Chinese first, English second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FindingAdvice {
    /// The code it explains.
    pub code: FindingCode,
    /// The code's default severity: `error` blocks the submission.
    pub severity: Severity,
    /// A few words naming the problem (距离经营场所过远).
    pub label_zh: String,
    #[allow(missing_docs)]
    pub label_en: String,
    /// What it means for the case (不能提交…).
    pub consequence_zh: String,
    #[allow(missing_docs)]
    pub consequence_en: String,
    /// What the manager should do now (请在现场重拍).
    pub action_zh: String,
    #[allow(missing_docs)]
    pub action_en: String,
}

/// Every finding code, in the order of `interfaces.md`'s table.
pub const ADVISED_CODES: [FindingCode; 27] = [
    FindingCode::Unreadable,
    FindingCode::ExifMissing,
    FindingCode::ExifDamaged,
    FindingCode::GpsMissing,
    FindingCode::EditedSoftware,
    FindingCode::TimeGpsMismatch,
    FindingCode::FutureTimestamp,
    FindingCode::LowResolution,
    FindingCode::TooDark,
    FindingCode::Blurry,
    FindingCode::OutsideSiteRadius,
    FindingCode::OutsideVisitWindow,
    FindingCode::ApartFromOtherPhotos,
    FindingCode::DuplicateInCase,
    FindingCode::DuplicateOtherCase,
    FindingCode::ForwardedCopy,
    FindingCode::NearDuplicate,
    FindingCode::DocumentNotRead,
    FindingCode::LicenceUsccMismatch,
    FindingCode::IdNumberMismatch,
    FindingCode::LicenceNameMismatch,
    FindingCode::LegalRepNameMismatch,
    FindingCode::DocumentExpired,
    FindingCode::IdBirthDateMismatch,
    FindingCode::ScreenshotOutsideSiteRadius,
    FindingCode::ScreenshotPositionOffered,
    FindingCode::WrongFileType,
];

/// The advice for `code`.
pub fn finding_advice(code: FindingCode) -> FindingAdvice {
    // (label, consequence, action), each (zh, en).
    let texts: [(&str, &str); 3] = match code {
        FindingCode::Unreadable => [
            ("文件无法读取", "File cannot be read"),
            ("总部无法查看此文件,案件不能提交", "Head office cannot open it; the case cannot be submitted"),
            ("请从原设备重新导出或重新拍摄后再添加", "Export it again from the device, or take it again, and add it"),
        ],
        FindingCode::ExifMissing => [
            ("照片没有拍摄信息", "Photo has no capture data"),
            (
                "无法证明拍摄时间和地点,审核可能退回",
                "Its time and place cannot be proven; head office may return the case",
            ),
            ("请用数据线导出原图,不要经微信发送", "Copy the original over a cable; do not send it through WeChat"),
        ],
        FindingCode::ExifDamaged => [
            ("拍摄信息已损坏", "Capture data is damaged"),
            ("无法读取拍摄时间和地点", "Its capture time and place cannot be read"),
            ("请从手机重新导出原图", "Export the original from the phone again"),
        ],
        FindingCode::GpsMissing => [
            ("照片没有位置信息", "Photo has no position"),
            ("无法核对是否在经营场所拍摄", "It cannot be checked against the premises"),
            ("请打开相机的定位功能,在现场重拍", "Turn on the camera's location setting and retake it on site"),
        ],
        FindingCode::EditedSoftware => [
            ("照片经过修图软件处理", "Photo was edited"),
            ("审核会怀疑照片被改动", "Head office will suspect the photo was altered"),
            ("请提交相机拍摄的原图,不要修图或加滤镜", "Submit the camera's original, without editing or filters"),
        ],
        FindingCode::TimeGpsMismatch => [
            ("拍摄时间与定位时间不一致", "Capture time and GPS time disagree"),
            ("手机时间可能被改过,审核会核查", "The phone's clock may have been changed; head office will check"),
            ("请把手机时间设为自动,在现场重拍", "Set the phone's clock to automatic and retake it on site"),
        ],
        FindingCode::FutureTimestamp => [
            ("拍摄日期晚于今天", "Dated in the future"),
            ("拍摄时间不可信,案件不能提交", "The capture time cannot be trusted; the case cannot be submitted"),
            ("请校正手机的日期和时间后重拍", "Correct the phone's date and time, then retake it"),
        ],
        FindingCode::LowResolution => [
            ("分辨率太低", "Resolution too low"),
            ("文字和细节可能看不清", "Text and details may not be readable"),
            (
                "请用相机原图,不要用截图或压缩后的图片",
                "Use the camera's original, not a screenshot or a compressed copy",
            ),
        ],
        FindingCode::TooDark => [
            ("照片太暗", "Too dark"),
            ("审核看不清照片内容", "Head office cannot see what it shows"),
            ("请开灯或打开闪光灯重拍", "Turn on the light or the flash and retake it"),
        ],
        FindingCode::Blurry => [
            ("照片模糊", "Blurry"),
            ("审核看不清照片内容", "Head office cannot see what it shows"),
            ("请拿稳手机、对焦后重拍", "Hold the phone still, focus, and retake it"),
        ],
        FindingCode::OutsideSiteRadius => [
            ("距离经营场所过远", "Too far from the premises"),
            (
                "不能证明在经营场所拍摄,案件不能提交",
                "Not shown to be taken at the premises; the case cannot be submitted",
            ),
            (
                "请在经营场所现场重拍;若经营场所位置填错,请更正案件信息",
                "Retake it at the premises; if the premises' position is wrong, correct the case",
            ),
        ],
        FindingCode::OutsideVisitWindow => [
            ("拍摄日期不是考察日", "Not taken on the visit day"),
            ("不能证明是本次考察所拍,案件不能提交", "Not shown to be from this visit; the case cannot be submitted"),
            (
                "请在现场重拍;若考察日期填错,请更正案件信息",
                "Retake it on site; if the visit date is wrong, correct the case",
            ),
        ],
        FindingCode::ApartFromOtherPhotos => [
            ("与其他现场照片拍摄时间相隔过久", "Taken hours apart from the other site photos"),
            ("可能不是本次考察所拍,审核会核查", "Possibly not from this visit; head office will check"),
            (
                "请确认是本次考察所拍,否则在现场重拍;确认无误可接受并说明原因",
                "Make sure it is from this visit, else retake it on site; if it is, accept it with the reason",
            ),
        ],
        FindingCode::DuplicateInCase => [
            ("与本案另一份资料是同一文件", "Same file as another material of this case"),
            (
                "同一个文件不能充当两份资料,案件不能提交",
                "One file cannot stand for two materials; the case cannot be submitted",
            ),
            ("请为每份资料分别拍摄,撤回放错位置的一份", "Take each material separately; withdraw the misplaced copy"),
        ],
        FindingCode::DuplicateOtherCase => [
            ("与其他案件的文件相同", "Same file as in another case"),
            (
                "疑似挪用其他商户的资料,案件不能提交",
                "Looks like another merchant's material; the case cannot be submitted",
            ),
            ("请在本商户现场重新拍摄", "Take it again at this merchant's premises"),
        ],
        FindingCode::ForwardedCopy => [
            ("疑似聊天软件转发", "Looks forwarded by a chat app"),
            ("转发会压缩图片并去掉拍摄信息", "Forwarding compresses the picture and strips its capture data"),
            ("请用数据线导出原图,不要经微信发送", "Copy the original over a cable; do not send it through WeChat"),
        ],
        FindingCode::NearDuplicate => [
            ("与另一张照片几乎相同", "Nearly identical to another photo"),
            ("疑似同一张照片重复使用", "The same photo may be used twice"),
            ("请确认没有放错,必要时重拍", "Check it is not misplaced; retake it if needed"),
        ],
        FindingCode::DocumentNotRead => [
            ("未能读出证件内容", "Document could not be read"),
            (
                "无法与填写的信息核对,审核可能看不清",
                "It cannot be checked against what was typed; head office may not read it either",
            ),
            ("请正对证件、四角入镜、避免反光后重拍", "Retake it straight on, all four corners in frame, without glare"),
        ],
        FindingCode::LicenceUsccMismatch => [
            ("执照信用代码与填写不一致", "Licence credit code differs from the one typed"),
            ("总部会因代码不符退回", "Head office returns a case whose code does not match"),
            (
                "请核对执照原件,改正填写的统一社会信用代码或换成本商户的执照",
                "Check the original; correct the code typed, or use this merchant's licence",
            ),
        ],
        FindingCode::IdNumberMismatch => [
            ("身份证号码与填写不一致", "ID number differs from the one typed"),
            ("总部会因证件号码不符退回", "Head office returns a case whose ID number does not match"),
            (
                "请核对身份证原件,改正填写的证件号码或换成法人本人的身份证",
                "Check the original card; correct the number typed, or use the legal representative's own card",
            ),
        ],
        FindingCode::LicenceNameMismatch => [
            ("执照名称与商户名称不同", "Licence name differs from the merchant name"),
            ("可能拿错执照,或商户名称填写有误", "The licence may be another merchant's, or the name was typed wrong"),
            (
                "请核对;招牌名与注册名不同属正常,确认后可接受",
                "Check it; a shop-sign name differing from the registered name is normal: accept it then",
            ),
        ],
        FindingCode::LegalRepNameMismatch => [
            ("法定代表人与身份证姓名不同", "Legal representative differs from the name on the ID card"),
            ("身份证可能不是法定代表人本人的", "The ID card may not be the legal representative's"),
            ("请换成执照上法定代表人本人的身份证", "Use the ID card of the legal representative named on the licence"),
        ],
        FindingCode::DocumentExpired => [
            ("证件已过期", "Document has expired"),
            ("过期证件不能用于入网,案件不能提交", "An expired document cannot be used; the case cannot be submitted"),
            ("请商户提供有效期内的证件", "Ask the merchant for a document still valid"),
        ],
        FindingCode::IdBirthDateMismatch => [
            ("出生日期与身份证号码不符", "Birth date disagrees with the ID number"),
            ("证件可能被改动或读错", "The card may have been altered, or was misread"),
            ("请核对身份证原件,必要时重拍", "Check the original card; retake it if needed"),
        ],
        FindingCode::ScreenshotOutsideSiteRadius => [
            ("定位截图离经营场所过远", "Position screenshot far from the premises"),
            (
                "无法证明在经营场所现场定位,审核会退回",
                "It does not show the position at the premises; head office returns it",
            ),
            (
                "请在经营场所现场重新定位截图,或核对经营场所坐标",
                "Take the screenshot again at the premises, or check the premises' position",
            ),
        ],
        FindingCode::ScreenshotPositionOffered => [
            ("可用截图位置作为经营场所坐标", "Screenshot position offered as the premises'"),
            (
                "案件还没有经营场所坐标,现场照片的位置无法核对",
                "The case has no premises position, so site photos cannot be checked",
            ),
            ("确认后采用截图中的位置作为经营场所坐标", "Confirm to take the screenshot's position as the premises'"),
        ],
        FindingCode::WrongFileType => [
            ("文件类型不符", "Wrong type of file"),
            (
                "这份资料不收这种文件,案件不能提交",
                "This material does not take this type of file; the case cannot be submitted",
            ),
            (
                "请移到正确的资料,或换成要求的文件(照片、截图、扫描件或视频)",
                "Move it to the right material, or replace it with the type asked for (photo, screenshot, scan or video)",
            ),
        ],
    };
    let [(label_zh, label_en), (consequence_zh, consequence_en), (action_zh, action_en)] = texts;
    FindingAdvice {
        code,
        severity: code.severity(),
        label_zh: label_zh.to_string(),
        label_en: label_en.to_string(),
        consequence_zh: consequence_zh.to_string(),
        consequence_en: consequence_en.to_string(),
        action_zh: action_zh.to_string(),
        action_en: action_en.to_string(),
    }
}

/// The advice for every code.
pub fn all_finding_advice() -> Vec<FindingAdvice> {
    ADVISED_CODES.iter().map(|code| finding_advice(*code)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_distinct_nonempty_advice() {
        let all = all_finding_advice();
        let mut codes: Vec<&str> = all.iter().map(|advice| advice.code.key()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ADVISED_CODES.len(), "each code listed once");
        let mut labels: Vec<&str> = all.iter().map(|advice| advice.label_zh.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), all.len(), "no two codes share a label");
        for advice in &all {
            for text in [
                &advice.label_zh,
                &advice.label_en,
                &advice.consequence_zh,
                &advice.consequence_en,
                &advice.action_zh,
                &advice.action_en,
            ] {
                assert!(!text.trim().is_empty(), "{}: every text is written", advice.code.key());
            }
            assert!(!advice.label_zh.is_ascii(), "{}: the label is Chinese", advice.code.key());
        }
    }

    #[test]
    fn every_code_is_advised() {
        let advised: Vec<&str> = ADVISED_CODES.iter().map(|code| code.key()).collect();
        for code in FindingCode::ALL {
            assert!(advised.contains(&code.key()), "{} has no advice in ADVISED_CODES", code.key());
        }
    }

    #[test]
    fn the_issue_s_wording_is_kept() {
        assert_eq!(finding_advice(FindingCode::OutsideSiteRadius).label_zh, "距离经营场所过远");
        assert_eq!(finding_advice(FindingCode::OutsideVisitWindow).label_zh, "拍摄日期不是考察日");
        assert_eq!(finding_advice(FindingCode::ForwardedCopy).label_zh, "疑似聊天软件转发");
        assert_eq!(finding_advice(FindingCode::OutsideSiteRadius).severity, Severity::Error);
    }
}
