//! Loading the rule file: TOML, checked as a whole before anything uses it.
//!
//! The format is described at the top of `assets/checklist/rules.toml`. Everything a person
//! can get wrong when correcting the file is caught here and reported with its line: a TOML
//! syntax error, an unknown field, stage, provider or mark, a condition naming an unknown
//! attribute or value, a duplicate or malformed key, a variant or alternative pointing
//! nowhere. A broken file yields an [`Error`] of kind [`ErrorKind::InvalidRules`], never a
//! panic, and is refused as a whole, so a checklist is never derived from half a file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use toml::Spanned;

use super::expression::{self, Answers, Attribute, AttributeType, ChoiceFields, Expr};
use super::fields::{ChoiceOption, FieldKind};
use super::{Checklist, ChecklistField, ChecklistGroup, ChecklistItem, Mark, Place, Provider, Stage};
use crate::case::CaseAttributes;
use crate::data_folder::validate_material_key;
use crate::database::CaseFieldRecord;
use crate::error::{Error, ErrorKind, Result};
use crate::tray::FileKind;

/// The rule-file format this program reads.
pub const RULES_FORMAT_VERSION: u32 = 1;

/// The rule file shipped with the program.
const EMBEDDED_RULES: &str = include_str!("../../../../assets/checklist/rules.toml");
const EMBEDDED_NAME: &str = "assets/checklist/rules.toml (embedded)";

/// How many problems one error message lists before it says "and N more".
const MAX_PROBLEMS_LISTED: usize = 8;

/// A checked rule file.
#[derive(Debug, Clone)]
pub struct Rules {
    version: u32,
    source: String,
    groups: Vec<GroupRule>,
    materials: Vec<MaterialRule>,
    fields: Vec<FieldRule>,
}

#[derive(Debug, Clone)]
struct Condition {
    text: String,
    expr: Expr,
}

impl Condition {
    fn holds(&self, answers: &Answers<'_>) -> bool {
        self.expr.evaluate(answers)
    }
}

#[derive(Debug, Clone)]
struct GroupRule {
    key: String,
    title_zh: String,
    title_en: String,
    when: Option<Condition>,
}

#[derive(Debug, Clone)]
struct MaterialRule {
    key: String,
    group: usize,
    stage: Stage,
    provided_by: Provider,
    title_zh: String,
    title_en: String,
    instructions_zh: String,
    instructions_en: String,
    guide_zh: String,
    stamps: Vec<Mark>,
    attest: Vec<Mark>,
    min_files: u32,
    optional: bool,
    alternative_to: Option<String>,
    /// Where it is taken: at the premises during the visit (subject to the position and
    /// visit-date checks and expected to carry EXIF), or nowhere in particular (`None`).
    place: Option<Place>,
    /// Shows an identity document (ID card): the package may carry a watermarked copy.
    identity_document: bool,
    /// Shows the two sides of a card: a file attested `both_sides` counts for two.
    two_sided: bool,
    /// What kind of file it usually is (`file_kinds`), for the 未分类 tray's suggestions.
    file_kinds: Vec<FileKind>,
    when: Condition,
    variants: Vec<VariantRule>,
}

#[derive(Debug, Clone)]
struct VariantRule {
    when: Condition,
    title_zh: Option<String>,
    title_en: Option<String>,
    instructions_zh: Option<String>,
    instructions_en: Option<String>,
    stamps: Option<Vec<Mark>>,
    attest: Option<Vec<Mark>>,
    min_files: Option<u32>,
    identity_document: Option<bool>,
    two_sided: Option<bool>,
}

#[derive(Debug, Clone)]
struct FieldRule {
    key: String,
    group: usize,
    kind: FieldKind,
    personal: bool,
    title_zh: String,
    title_en: String,
    guide_zh: String,
    options: Vec<ChoiceOption>,
    id_type_field: Option<String>,
    attribute: Option<Attribute>,
    default: Option<String>,
    optional: bool,
    when: Condition,
}

// ── The file as written ──────────────────────────────────────────────────────────────────

#[derive(Deserialize)]
struct VersionOnly {
    version: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[allow(dead_code)] // read by VersionOnly first
    version: i64,
    #[serde(default)]
    group: Vec<RawGroup>,
    #[serde(default)]
    material: Vec<RawMaterial>,
    #[serde(default)]
    field: Vec<RawField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    key: Spanned<String>,
    title_zh: String,
    title_en: String,
    when: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaterial {
    key: Spanned<String>,
    group: Spanned<String>,
    stage: Stage,
    provided_by: Provider,
    title_zh: Spanned<String>,
    title_en: Spanned<String>,
    #[serde(default)]
    instructions_zh: String,
    #[serde(default)]
    instructions_en: String,
    #[serde(default)]
    guide_zh: String,
    #[serde(default)]
    stamps: Vec<Mark>,
    #[serde(default)]
    attest: Vec<Mark>,
    min_files: Option<Spanned<i64>>,
    #[serde(default)]
    optional: bool,
    alternative_to: Option<Spanned<String>>,
    /// The older spelling of `place = "premises"`.
    #[serde(default)]
    site_photo: bool,
    place: Option<Place>,
    #[serde(default)]
    identity_document: bool,
    #[serde(default)]
    two_sided: bool,
    file_kinds: Option<Vec<FileKind>>,
    when: Spanned<String>,
    #[serde(default)]
    variant: Vec<RawVariant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    when: Spanned<String>,
    title_zh: Option<String>,
    title_en: Option<String>,
    instructions_zh: Option<String>,
    instructions_en: Option<String>,
    stamps: Option<Vec<Mark>>,
    attest: Option<Vec<Mark>>,
    min_files: Option<Spanned<i64>>,
    identity_document: Option<bool>,
    two_sided: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    key: Spanned<String>,
    group: Spanned<String>,
    kind: Spanned<FieldKind>,
    #[serde(default)]
    personal: bool,
    title_zh: String,
    title_en: String,
    #[serde(default)]
    guide_zh: String,
    #[serde(default)]
    options: Vec<ChoiceOption>,
    id_type_field: Option<Spanned<String>>,
    attribute: Option<Spanned<String>>,
    default: Option<Spanned<String>>,
    #[serde(default)]
    optional: bool,
    when: Spanned<String>,
}

/// Problems found so far, each with its 1-based line.
struct Problems<'a> {
    text: &'a str,
    found: Vec<(usize, String)>,
}

impl<'a> Problems<'a> {
    fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        self.text.as_bytes()[..offset].iter().filter(|byte| **byte == b'\n').count() + 1
    }

    fn at(&mut self, span: std::ops::Range<usize>, message: impl Into<String>) {
        let line = self.line_of(span.start);
        self.found.push((line, message.into()));
    }

    /// The condition `when` of `owner`, which may compare the choice fields `choices` when
    /// `may_read_fields` (a variant's).
    fn condition(
        &mut self,
        when: &Spanned<String>,
        owner: &str,
        choices: &ChoiceFields,
        may_read_fields: bool,
    ) -> Option<Condition> {
        match expression::parse_in(when.get_ref(), choices, may_read_fields) {
            Ok(expr) => Some(Condition { text: when.get_ref().trim().to_string(), expr }),
            Err(err) => {
                self.at(when.span(), format!("the condition of {owner}, \"{}\": {err}", quoted_start(when.get_ref())));
                None
            }
        }
    }

    fn min_files(&mut self, value: &Option<Spanned<i64>>, owner: &str) -> Option<u32> {
        let value = value.as_ref()?;
        match u32::try_from(*value.get_ref()) {
            Ok(count @ 1..=50) => Some(count),
            _ => {
                self.at(value.span(), format!("min_files of {owner} must be a whole number from 1 to 50"));
                None
            }
        }
    }
}

fn deduplicated(marks: Vec<Mark>) -> Vec<Mark> {
    let mut seen = Vec::new();
    for mark in marks {
        if !seen.contains(&mark) {
            seen.push(mark);
        }
    }
    seen
}

fn is_word(key: &str) -> bool {
    !key.contains('.') && validate_material_key(key).is_ok()
}

impl Rules {
    /// The rule file shipped with the program, checked once and then shared.
    pub fn embedded() -> Result<Arc<Rules>> {
        static EMBEDDED: OnceLock<Result<Arc<Rules>>> = OnceLock::new();
        EMBEDDED.get_or_init(|| Rules::parse(EMBEDDED_RULES, EMBEDDED_NAME).map(Arc::new)).clone()
    }

    /// The text of the rule file shipped with the program, e.g. to start a correction from.
    pub fn embedded_text() -> &'static str {
        EMBEDDED_RULES
    }

    /// Reads and checks a rule file.
    pub fn load(path: &Path) -> Result<Rules> {
        let bytes = crate::evidence::user_file::read(path)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::for_file(ErrorKind::InvalidRules, path, "is not UTF-8 text"))?;
        // Edited by hand, perhaps in Notepad: its BOM and CRLF line ends are not errors.
        Rules::parse(&crate::user_text::normalized(&text), &path.display().to_string())
    }

    /// Checks the text of a rule file; `source` names it in error messages.
    pub fn parse(text: &str, source: &str) -> Result<Rules> {
        let mut problems = Problems { text, found: Vec::new() };
        let rules = Rules::parse_collecting(text, source, &mut problems);
        match rules {
            Some(rules) if problems.found.is_empty() => Ok(rules),
            _ => {
                problems.found.sort_by_key(|(line, _)| *line);
                let listed: Vec<String> = problems
                    .found
                    .iter()
                    .take(MAX_PROBLEMS_LISTED)
                    .map(|(line, message)| format!("line {line}: {message}"))
                    .collect();
                let more = problems.found.len().saturating_sub(MAX_PROBLEMS_LISTED);
                let tail = if more > 0 { format!("; and {more} more") } else { String::new() };
                Err(Error::new(
                    ErrorKind::InvalidRules,
                    format!("{source}: the checklist rule file is invalid: {}{tail}", listed.join("; ")),
                ))
            }
        }
    }

    fn parse_collecting(text: &str, source: &str, problems: &mut Problems<'_>) -> Option<Rules> {
        let toml_error = |problems: &mut Problems<'_>, err: toml::de::Error| {
            let span = err.span().unwrap_or(0..0);
            problems.at(span, err.message().trim().to_string());
        };
        // The version first, so a newer file is refused as newer rather than for the fields
        // this program has never heard of.
        let version = match toml::from_str::<VersionOnly>(text) {
            Ok(VersionOnly { version: Some(version) }) => version,
            Ok(VersionOnly { version: None }) => {
                problems.at(0..0, format!("the file must start with `version = {RULES_FORMAT_VERSION}`"));
                return None;
            }
            Err(err) => {
                toml_error(problems, err);
                return None;
            }
        };
        if *version.get_ref() != i64::from(RULES_FORMAT_VERSION) {
            problems.at(
                version.span(),
                format!(
                    "version {} is not a format this program reads (it reads version {RULES_FORMAT_VERSION})",
                    version.get_ref()
                ),
            );
            return None;
        }
        let raw: RawRules = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(err) => {
                toml_error(problems, err);
                return None;
            }
        };

        // The choice fields first: a variant's condition may compare them.
        let choices: ChoiceFields = raw
            .field
            .iter()
            .filter(|field| *field.kind.get_ref() == FieldKind::Choice)
            .map(|field| (field.key.get_ref().clone(), field.options.iter().map(|option| option.key.clone()).collect()))
            .collect();
        let groups = Rules::check_groups(raw.group, &choices, problems);
        let group_index: HashMap<String, usize> =
            groups.iter().enumerate().map(|(index, group)| (group.key.clone(), index)).collect();
        let materials = Rules::check_materials(raw.material, &groups, &group_index, &choices, problems);
        let fields = Rules::check_fields(raw.field, &groups, &group_index, &choices, problems);
        Some(Rules { version: RULES_FORMAT_VERSION, source: source.to_string(), groups, materials, fields })
    }

    fn check_groups(raw: Vec<RawGroup>, choices: &ChoiceFields, problems: &mut Problems<'_>) -> Vec<GroupRule> {
        let mut groups: Vec<GroupRule> = Vec::new();
        for group in raw {
            let key = group.key.get_ref().clone();
            if !is_word(&key) {
                problems.at(group.key.span(), format!("group key '{key}' must be a snake_case word"));
            }
            if groups.iter().any(|existing| existing.key == key) {
                problems.at(group.key.span(), format!("group '{key}' is declared twice"));
            }
            let when = group
                .when
                .as_ref()
                .and_then(|when| problems.condition(when, &format!("group '{key}'"), choices, false));
            groups.push(GroupRule { key, title_zh: group.title_zh, title_en: group.title_en, when });
        }
        groups
    }

    /// The index of the group a material or field names; an undeclared one is reported (with
    /// the groups there are) and stands as the first, so that checking goes on to the end.
    fn declared_group(
        group: &Spanned<String>,
        owner: &str,
        groups: &[GroupRule],
        group_index: &HashMap<String, usize>,
        problems: &mut Problems<'_>,
    ) -> usize {
        if let Some(index) = group_index.get(group.get_ref()) {
            return *index;
        }
        let known: Vec<&str> = groups.iter().map(|group| group.key.as_str()).collect();
        problems.at(
            group.span(),
            format!(
                "{owner} names group '{}', which is not declared; the groups are: {}",
                group.get_ref(),
                known.join(", ")
            ),
        );
        0
    }

    fn check_materials(
        raw: Vec<RawMaterial>,
        groups: &[GroupRule],
        group_index: &HashMap<String, usize>,
        choices: &ChoiceFields,
        problems: &mut Problems<'_>,
    ) -> Vec<MaterialRule> {
        let mut materials: Vec<MaterialRule> = Vec::new();
        let mut alternatives: Vec<(String, Spanned<String>)> = Vec::new();
        for material in raw {
            let key = material.key.get_ref().clone();
            let owner = format!("material '{key}'");
            if let Err(err) = validate_material_key(&key) {
                problems.at(material.key.span(), err.message().to_string());
            }
            if key == crate::tray::UNSORTED_MATERIAL {
                problems.at(material.key.span(), format!("'{key}' is the 未分类 tray's key, not a material's"));
            }
            if materials.iter().any(|existing| existing.key == key) {
                problems.at(material.key.span(), format!("material '{key}' is declared twice"));
            }
            let group = Rules::declared_group(&material.group, &owner, groups, group_index, problems);
            // `<request>.<material>`: the prefix is the group, so keys cannot drift from groups.
            if let Some((prefix, _)) = key.split_once('.')
                && prefix != material.group.get_ref()
            {
                problems.at(
                    material.key.span(),
                    format!("{owner} is keyed under '{prefix}' but listed in group '{}'", material.group.get_ref()),
                );
            }
            for (title, what) in [(&material.title_zh, "title_zh"), (&material.title_en, "title_en")] {
                if title.get_ref().trim().is_empty() {
                    problems.at(title.span(), format!("{what} of {owner} is empty"));
                }
            }
            let min_files = problems.min_files(&material.min_files, &owner).unwrap_or(1);
            let when = problems.condition(&material.when, &owner, choices, false);
            let mut variants = Vec::new();
            for variant in material.variant {
                let variant_when = problems.condition(&variant.when, &format!("a variant of {owner}"), choices, true);
                let variant_min_files = problems.min_files(&variant.min_files, &format!("a variant of {owner}"));
                if let Some(when) = variant_when {
                    variants.push(VariantRule {
                        when,
                        title_zh: variant.title_zh,
                        title_en: variant.title_en,
                        instructions_zh: variant.instructions_zh,
                        instructions_en: variant.instructions_en,
                        stamps: variant.stamps.map(deduplicated),
                        attest: variant.attest.map(deduplicated),
                        min_files: variant_min_files,
                        identity_document: variant.identity_document,
                        two_sided: variant.two_sided,
                    });
                }
            }
            if let Some(alternative_to) = &material.alternative_to {
                alternatives.push((key.clone(), alternative_to.clone()));
                if !material.optional {
                    problems.at(
                        alternative_to.span(),
                        format!("{owner} stands in for another material, so it must be `optional = true`"),
                    );
                }
            }
            materials.push(MaterialRule {
                key,
                group,
                stage: material.stage,
                provided_by: material.provided_by,
                title_zh: material.title_zh.into_inner(),
                title_en: material.title_en.into_inner(),
                instructions_zh: material.instructions_zh,
                instructions_en: material.instructions_en,
                guide_zh: material.guide_zh,
                stamps: deduplicated(material.stamps),
                attest: deduplicated(material.attest),
                min_files,
                optional: material.optional,
                alternative_to: material.alternative_to.map(Spanned::into_inner),
                place: material.place.or(material.site_photo.then_some(Place::Premises)),
                identity_document: material.identity_document,
                two_sided: material.two_sided,
                // Without `file_kinds`: what is taken at the premises is a camera photo, the
                // rest a document (scan, PDF, photo of a form).
                file_kinds: material.file_kinds.unwrap_or_else(|| {
                    let at_premises = material.place.is_some() || material.site_photo;
                    vec![if at_premises { FileKind::CameraPhoto } else { FileKind::Document }]
                }),
                when: when.unwrap_or(Condition { text: "false".into(), expr: Expr::Constant(false) }),
                variants,
            });
        }
        for (key, target) in alternatives {
            if target.get_ref() == &key {
                problems.at(target.span(), format!("material '{key}' cannot stand in for itself"));
            } else if !materials.iter().any(|material| &material.key == target.get_ref()) {
                problems.at(
                    target.span(),
                    format!(
                        "material '{key}' stands in for '{}', which is not a material of this file",
                        target.get_ref()
                    ),
                );
            }
        }
        materials
    }

    fn check_fields(
        raw: Vec<RawField>,
        groups: &[GroupRule],
        group_index: &HashMap<String, usize>,
        choices: &ChoiceFields,
        problems: &mut Problems<'_>,
    ) -> Vec<FieldRule> {
        let mut fields: Vec<FieldRule> = Vec::new();
        let mut id_type_links: Vec<(String, Spanned<String>)> = Vec::new();
        for field in raw {
            let key = field.key.get_ref().clone();
            let owner = format!("field '{key}'");
            if let Err(err) = validate_material_key(&key) {
                problems.at(field.key.span(), err.message().replace("material key", "field key"));
            }
            if fields.iter().any(|existing| existing.key == key) {
                problems.at(field.key.span(), format!("field '{key}' is declared twice"));
            }
            let group = Rules::declared_group(&field.group, &owner, groups, group_index, problems);
            let kind = *field.kind.get_ref();
            if kind == FieldKind::Choice {
                let mut seen = HashSet::new();
                if field.options.is_empty() {
                    problems.at(field.kind.span(), format!("{owner} is a choice but lists no options"));
                }
                for option in &field.options {
                    if !seen.insert(option.key.clone()) {
                        problems.at(field.kind.span(), format!("{owner} lists option '{}' twice", option.key));
                    }
                }
            } else if !field.options.is_empty() {
                problems.at(field.kind.span(), format!("{owner} has options but is not a choice"));
            }
            match (&field.id_type_field, kind) {
                (Some(link), FieldKind::IdNumber) => id_type_links.push((key.clone(), link.clone())),
                (None, FieldKind::IdNumber) => {
                    problems.at(field.kind.span(), format!("{owner} is an id_number and needs id_type_field"));
                }
                (Some(link), _) => {
                    problems.at(link.span(), format!("id_type_field only goes with kind = \"id_number\" ({owner})"))
                }
                (None, _) => {}
            }
            let attribute = match (&field.attribute, kind) {
                (Some(name), FieldKind::Attribute) => match Attribute::from_name(name.get_ref()) {
                    Some(attribute) if attribute.attribute_type() == AttributeType::Flag => Some(attribute),
                    Some(_) => {
                        problems.at(
                            name.span(),
                            format!("{owner}: attribute '{}' is not a yes/no attribute", name.get_ref()),
                        );
                        None
                    }
                    None => {
                        problems.at(name.span(), format!("{owner}: unknown attribute '{}'", name.get_ref()));
                        None
                    }
                },
                (None, FieldKind::Attribute) => {
                    problems.at(field.kind.span(), format!("{owner} is an attribute and needs attribute = \"…\""));
                    None
                }
                (Some(name), _) => {
                    problems.at(name.span(), format!("attribute only goes with kind = \"attribute\" ({owner})"));
                    None
                }
                (None, _) => None,
            };
            if let Some(default) = &field.default
                && !(kind == FieldKind::Choice && field.options.iter().any(|option| &option.key == default.get_ref()))
            {
                problems.at(
                    default.span(),
                    format!(
                        "{owner}: default '{}' is not one of its options (default goes with kind = \"choice\")",
                        default.get_ref()
                    ),
                );
            }
            let when = problems.condition(&field.when, &owner, choices, false);
            fields.push(FieldRule {
                key,
                group,
                kind,
                personal: field.personal,
                title_zh: field.title_zh,
                title_en: field.title_en,
                guide_zh: field.guide_zh,
                options: field.options,
                id_type_field: field.id_type_field.map(Spanned::into_inner),
                attribute,
                default: field.default.map(Spanned::into_inner),
                optional: field.optional,
                when: when.unwrap_or(Condition { text: "false".into(), expr: Expr::Constant(false) }),
            });
        }
        for (key, link) in id_type_links {
            let is_choice = fields.iter().any(|field| &field.key == link.get_ref() && field.kind == FieldKind::Choice);
            if !is_choice {
                problems.at(
                    link.span(),
                    format!(
                        "field '{key}' takes its ID type from '{}', which is not a choice field of this file",
                        link.get_ref()
                    ),
                );
            }
        }
        fields
    }

    /// The format version (`version = …`).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Where the rules came from, for messages.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every material key, in the file's order.
    pub fn material_keys(&self) -> Vec<&str> {
        self.materials.iter().map(|material| material.key.as_str()).collect()
    }

    /// Whether `key` is a material of this file.
    pub fn has_material(&self, key: &str) -> bool {
        self.materials.iter().any(|material| material.key == key)
    }

    /// Whether files of this material are taken at the premises during the visit
    /// (`site_photo = true`): the evidence checks compare their position with the premises and
    /// their capture date with the visit date, and expect EXIF. Scans and screenshots are not.
    pub fn is_site_photo(&self, key: &str) -> bool {
        self.place(key).is_some()
    }

    /// Where files of this material are taken (`place`): `Premises` (outside the radius is an
    /// error), `PremisesPreferred` (a warning), `None` for scans, forms and screenshots.
    pub fn place(&self, key: &str) -> Option<Place> {
        self.materials.iter().find(|material| material.key == key).and_then(|material| material.place)
    }

    /// What kind of file this material usually is (`file_kinds`, else camera photos for the
    /// materials taken at the premises and documents for the others): what the 未分类 tray
    /// suggests a file for (`tray`). Empty for a key the rules do not have.
    pub fn file_kinds(&self, key: &str) -> &[FileKind] {
        self.materials.iter().find(|material| material.key == key).map_or(&[], |material| &material.file_kinds)
    }

    /// Material keys that look like `key` (for "did you mean …?"), closest first.
    pub fn close_material_keys(&self, key: &str) -> Vec<&str> {
        let mut scored: Vec<(f64, &str)> = self
            .materials
            .iter()
            .map(|material| {
                let candidate = material.key.as_str();
                let mut score = strsim::jaro_winkler(key, candidate);
                // A bare material name of a request group ("change_approval_form") should
                // suggest every `<request>.change_approval_form`.
                if candidate.rsplit('.').next() == Some(key) || candidate.contains(key) {
                    score = score.max(0.95);
                }
                (score, candidate)
            })
            .filter(|(score, _)| *score >= 0.8)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.into_iter().take(5).map(|(_, candidate)| candidate).collect()
    }

    /// Checks that `key` names a material of this file; the error lists close keys.
    pub fn require_material(&self, key: &str) -> Result<()> {
        validate_material_key(key)?;
        if self.has_material(key) {
            return Ok(());
        }
        let close = self.close_material_keys(key);
        let hint = if close.is_empty() {
            "see `intake checklist` for the keys".to_string()
        } else {
            format!("did you mean: {}?", close.join(", "))
        };
        Err(Error::new(
            ErrorKind::InvalidInput,
            format!("'{key}' is not a material of the checklist (rules version {}); {hint}", self.version),
        ))
    }

    /// The checklist of a case with these attributes before any of its fields is recorded:
    /// each choice field at its default (the legal representative's ID a 居民身份证). What a
    /// new case, or `intake checklist` without a case, is shown.
    pub fn checklist(&self, case: &CaseAttributes) -> Checklist {
        self.checklist_recorded(case, &[])
    }

    /// The checklist of a case with these attributes and these fields recorded: a variant may
    /// depend on a choice recorded (a passport's one page for the legal representative's ID).
    pub fn checklist_recorded(&self, case: &CaseAttributes, recorded: &[CaseFieldRecord]) -> Checklist {
        let choices = self
            .choices(|key| recorded.iter().find(|record| record.field_key == key).map(|record| record.value.as_str()));
        self.checklist_answering(&Answers { attributes: case, choices: &choices })
    }

    /// The checklist of a case with these attributes and these options chosen (`KEY=VALUE`:
    /// a choice field and one of its options), for `intake checklist --choice`. A key that is
    /// not a choice field, or a value not among its options, is `invalid_input` naming those
    /// there are.
    pub fn checklist_choosing(&self, case: &CaseAttributes, chosen: &[(String, String)]) -> Result<Checklist> {
        for (key, value) in chosen {
            let Some(field) = self.fields.iter().find(|field| field.kind == FieldKind::Choice && &field.key == key)
            else {
                let keys: Vec<&str> = self
                    .fields
                    .iter()
                    .filter(|field| field.kind == FieldKind::Choice)
                    .map(|field| field.key.as_str())
                    .collect();
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!("'{key}' is not a choice field; the choice fields are: {}", keys.join(", ")),
                ));
            };
            if !field.options.iter().any(|option| &option.key == value) {
                let options: Vec<&str> = field.options.iter().map(|option| option.key.as_str()).collect();
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!("'{value}' is not an option of {key}; the options are: {}", options.join(", ")),
                ));
            }
        }
        let choices =
            self.choices(|key| chosen.iter().rev().find(|(chosen, _)| chosen == key).map(|(_, value)| value.as_str()));
        Ok(self.checklist_answering(&Answers { attributes: case, choices: &choices }))
    }

    fn checklist_answering(&self, answers: &Answers<'_>) -> Checklist {
        let group_applicable: Vec<bool> =
            self.groups.iter().map(|group| group.when.as_ref().is_none_or(|when| when.holds(answers))).collect();
        let groups = self
            .groups
            .iter()
            .zip(&group_applicable)
            .map(|(group, applicable)| ChecklistGroup {
                key: group.key.clone(),
                title_zh: group.title_zh.clone(),
                title_en: group.title_en.clone(),
                applicable: *applicable,
            })
            .collect();
        let items = self
            .materials
            .iter()
            .map(|material| self.item(material, group_applicable[material.group], answers))
            .collect();
        let fields = self
            .fields
            .iter()
            .map(|field| {
                let applicable = group_applicable[field.group] && field.when.holds(answers);
                ChecklistField {
                    key: field.key.clone(),
                    group: self.groups[field.group].key.clone(),
                    kind: field.kind,
                    title_zh: field.title_zh.clone(),
                    title_en: field.title_en.clone(),
                    required: applicable && !field.optional,
                    applicable,
                    personal: field.personal,
                    options: field.options.clone(),
                    attribute: field.attribute.map(|attribute| attribute.name().to_string()),
                    id_type_field: field.id_type_field.clone(),
                    guide_zh: field.guide_zh.clone(),
                    condition: self.condition_text(field.group, &field.when),
                    default: field.default.clone(),
                    optional: field.optional,
                }
            })
            .collect();
        Checklist { rules_version: self.version, groups, items, fields }
    }

    fn condition_text(&self, group: usize, when: &Condition) -> String {
        match &self.groups[group].when {
            Some(group_when) if when.text == "true" => group_when.text.clone(),
            Some(group_when) => format!("({}) and ({})", group_when.text, when.text),
            None => when.text.clone(),
        }
    }

    /// The option chosen in each choice field: the one `recorded` gives, else the field's
    /// default. A recorded value that is no longer an option (the rule file changed) counts as
    /// none.
    fn choices<'a>(&self, recorded: impl Fn(&str) -> Option<&'a str>) -> BTreeMap<String, String> {
        self.fields
            .iter()
            .filter(|field| field.kind == FieldKind::Choice)
            .filter_map(|field| {
                let chosen = match recorded(&field.key) {
                    Some(value) => field.options.iter().any(|option| option.key == value).then_some(value),
                    None => field.default.as_deref(),
                };
                chosen.map(|chosen| (field.key.clone(), chosen.to_string()))
            })
            .collect()
    }

    fn item(&self, material: &MaterialRule, group_applicable: bool, answers: &Answers<'_>) -> ChecklistItem {
        let applicable = group_applicable && material.when.holds(answers);
        let variant = material.variants.iter().find(|variant| variant.when.holds(answers));
        let pick =
            |base: &String, chosen: Option<&Option<String>>| chosen.and_then(Option::as_ref).unwrap_or(base).clone();
        let stamps = variant.and_then(|variant| variant.stamps.clone()).unwrap_or_else(|| material.stamps.clone());
        let attest = variant.and_then(|variant| variant.attest.clone()).unwrap_or_else(|| material.attest.clone());
        let mut attestations = stamps.clone();
        attestations.extend(attest.into_iter().filter(|mark| !stamps.contains(mark)));
        ChecklistItem {
            key: material.key.clone(),
            stage: material.stage,
            title_zh: pick(&material.title_zh, variant.map(|variant| &variant.title_zh)),
            provided_by: material.provided_by,
            required: applicable && !material.optional,
            stamps,
            alternative_to: material.alternative_to.clone(),
            min_files: variant.and_then(|variant| variant.min_files).unwrap_or(material.min_files),
            title_en: pick(&material.title_en, variant.map(|variant| &variant.title_en)),
            applicable,
            optional: material.optional,
            group: self.groups[material.group].key.clone(),
            attestations,
            alternatives: self
                .materials
                .iter()
                .filter(|other| other.alternative_to.as_deref() == Some(material.key.as_str()))
                .map(|other| other.key.clone())
                .collect(),
            instructions_zh: pick(&material.instructions_zh, variant.map(|variant| &variant.instructions_zh)),
            instructions_en: pick(&material.instructions_en, variant.map(|variant| &variant.instructions_en)),
            guide_zh: material.guide_zh.clone(),
            condition: self.condition_text(material.group, &material.when),
            place: material.place,
            identity_document: variant
                .and_then(|variant| variant.identity_document)
                .unwrap_or(material.identity_document),
            offered_marks: if variant.and_then(|variant| variant.two_sided).unwrap_or(material.two_sided) {
                vec![Mark::BothSides]
            } else {
                Vec::new()
            },
        }
    }
}

/// The start of a condition, for a message: a condition thousands of characters long is
/// shown by its first hundred.
fn quoted_start(condition: &str) -> String {
    const SHOWN: usize = 100;
    match condition.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &condition[..cut]),
        None => condition.to_string(),
    }
}
