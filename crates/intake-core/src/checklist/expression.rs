//! The condition language of the rule file: when is a material required?
//!
//! ```text
//! opens_payment and merchant_type != "individual"
//! opens_payment and ("online_website" in channels or "online_app" in channels)
//! merchant_type in ["enterprise", "public_institution"]
//! not parent_child_same_entity
//! ```
//!
//! Grammar (lowest precedence first):
//!
//! ```text
//! or      := and ("or" and)*
//! and     := unary ("and" unary)*
//! unary   := "not" unary | primary
//! primary := "(" or ")" | "true" | "false"
//!          | FLAG                              a yes/no attribute
//!          | ATTRIBUTE ("==" | "!=") STRING    a one-of-several attribute
//!          | ATTRIBUTE "in" "[" STRING ("," STRING)* "]"
//!          | STRING "in" SET                   a set attribute contains a value
//!          | CHOICE ("==" | "!=") STRING       a choice field (only where the caller allows:
//!          | CHOICE "in" "[" STRING ("," STRING)* "]"    a variant's condition)
//! ```
//!
//! A choice field is compared with the option recorded for the case, or its default while none
//! is: the legal representative's ID type decides whether the ID slot asks for two sides or
//! a passport's one page. Only a variant's condition may read one, so that which materials
//! and fields a case needs follows from its attributes alone (and a field's own condition can
//! never depend on what is recorded in it).
//!
//! Hand-written on purpose. Crates such as `evalexpr` evaluate dynamically typed expressions:
//! they would accept `merchant_type == "individul"` and quietly evaluate it to false, which is
//! exactly the mistake operations staff will make when they correct the file. Here every name
//! is resolved against the case attributes and every quoted value against that attribute's
//! keys when the rule file is loaded, with the column of the mistake; that needs a typed syntax
//! tree, and with one in hand the parser itself is a few dozen lines.

use std::collections::BTreeMap;
use std::fmt;

use crate::case::{CaseAttributes, Channel, Edition, MerchantType, NonstandardRequest};

/// What kind of value an attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeType {
    /// Yes or no.
    Flag,
    /// Exactly one of the listed keys.
    OneOf(&'static [&'static str]),
    /// A set of the listed keys.
    SetOf(&'static [&'static str]),
}

/// Declares the case attributes a condition may name, each with its type and how to read it.
macro_rules! attributes {
    ($($variant:ident => $name:literal : $kind:ident),+ $(,)?) => {
        /// An attribute of [`CaseAttributes`] that a condition may name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)] // the names are the fields of CaseAttributes
        pub enum Attribute { $($variant),+ }

        impl Attribute {
            /// Every attribute, in the order of `CaseAttributes`.
            pub const ALL: &'static [Attribute] = &[$(Attribute::$variant),+];

            /// The attribute's name: the field of `CaseAttributes`, the key of `domain.md`.
            pub fn name(self) -> &'static str {
                match self { $(Attribute::$variant => $name),+ }
            }
        }
    };
}

attributes! {
    MerchantType => "merchant_type": OneOf,
    Channels => "channels": SetOf,
    Edition => "edition": OneOf,
    OpensPayment => "opens_payment": Flag,
    OpensAccount => "opens_account": Flag,
    Syb => "syb": Flag,
    SybSft => "syb_sft": Flag,
    PayoutOrCustody => "payout_or_custody": Flag,
    RegulatedIndustry => "regulated_industry": Flag,
    RemoteVisit => "remote_visit": Flag,
    ChainOrFranchise => "chain_or_franchise": Flag,
    Nonstandard => "nonstandard": SetOf,
    ParentChildSameEntity => "parent_child_same_entity": Flag,
}

/// The value of one attribute of a case.
enum Value {
    Flag(bool),
    Key(&'static str),
    Keys(Vec<&'static str>),
}

fn keys_of<T: Copy>(all: &[T], key: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|value| key(*value)).collect()
}

impl Attribute {
    /// The attribute with this name, if any.
    pub fn from_name(name: &str) -> Option<Attribute> {
        Attribute::ALL.iter().copied().find(|attribute| attribute.name() == name)
    }

    /// The attribute's type, with the keys it may take.
    pub fn attribute_type(self) -> AttributeType {
        use std::sync::LazyLock;
        static MERCHANT_TYPES: LazyLock<Vec<&'static str>> =
            LazyLock::new(|| keys_of(MerchantType::ALL, MerchantType::key));
        static CHANNELS: LazyLock<Vec<&'static str>> = LazyLock::new(|| keys_of(Channel::ALL, Channel::key));
        static EDITIONS: LazyLock<Vec<&'static str>> = LazyLock::new(|| keys_of(Edition::ALL, Edition::key));
        static REQUESTS: LazyLock<Vec<&'static str>> =
            LazyLock::new(|| keys_of(NonstandardRequest::ALL, NonstandardRequest::key));
        match self {
            Attribute::MerchantType => AttributeType::OneOf(MERCHANT_TYPES.as_slice()),
            Attribute::Edition => AttributeType::OneOf(EDITIONS.as_slice()),
            Attribute::Channels => AttributeType::SetOf(CHANNELS.as_slice()),
            Attribute::Nonstandard => AttributeType::SetOf(REQUESTS.as_slice()),
            _ => AttributeType::Flag,
        }
    }

    fn value(self, case: &CaseAttributes) -> Value {
        match self {
            Attribute::MerchantType => Value::Key(case.merchant_type.key()),
            Attribute::Channels => Value::Keys(case.channels.iter().map(|channel| channel.key()).collect()),
            Attribute::Edition => Value::Key(case.edition.key()),
            Attribute::OpensPayment => Value::Flag(case.opens_payment),
            Attribute::OpensAccount => Value::Flag(case.opens_account),
            Attribute::Syb => Value::Flag(case.syb),
            Attribute::SybSft => Value::Flag(case.syb_sft),
            Attribute::PayoutOrCustody => Value::Flag(case.payout_or_custody),
            Attribute::RegulatedIndustry => Value::Flag(case.regulated_industry),
            Attribute::RemoteVisit => Value::Flag(case.remote_visit),
            Attribute::ChainOrFranchise => Value::Flag(case.chain_or_franchise),
            Attribute::Nonstandard => Value::Keys(case.nonstandard.iter().map(|request| request.key()).collect()),
            // Holds only when answered yes: unanswered lists the stricter variant, as "no" does.
            Attribute::ParentChildSameEntity => Value::Flag(case.parent_child_same_entity == Some(true)),
        }
    }

    /// The answer of a yes/no attribute: `Some(None)` while `parent_child_same_entity` is not
    /// yet answered; `None` for attributes that are not yes/no.
    pub fn answer(self, case: &CaseAttributes) -> Option<Option<bool>> {
        match self {
            Attribute::ParentChildSameEntity => Some(case.parent_child_same_entity),
            _ => self.flag(case).map(Some),
        }
    }

    /// The value of a yes/no attribute; `None` for the others.
    pub fn flag(self, case: &CaseAttributes) -> Option<bool> {
        match self.value(case) {
            Value::Flag(flag) => Some(flag),
            _ => None,
        }
    }
}

/// What a condition reads: the case attributes, and the option chosen in each choice field of
/// the rule file (recorded for the case, else the field's default; a field with neither is
/// absent).
#[derive(Debug, Clone, Copy)]
pub struct Answers<'a> {
    /// The case attributes.
    pub attributes: &'a CaseAttributes,
    /// Choice field key → option key.
    pub choices: &'a BTreeMap<String, String>,
}

/// The choice fields a condition may compare, each with its option keys.
pub type ChoiceFields = BTreeMap<String, Vec<String>>;

/// A parsed condition, every name and value already checked against the case model.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `true` or `false`.
    Constant(bool),
    /// A yes/no attribute.
    Flag(Attribute),
    /// `attribute == "key"`, or `!=` when `negated`.
    Equals {
        /// A one-of-several attribute.
        attribute: Attribute,
        /// One of its keys.
        value: String,
        /// `!=` rather than `==`.
        negated: bool,
    },
    /// `attribute in ["a", "b"]`.
    OneOf {
        /// A one-of-several attribute.
        attribute: Attribute,
        /// Some of its keys.
        values: Vec<String>,
    },
    /// `"key" in set_attribute`.
    Contains {
        /// A set attribute.
        attribute: Attribute,
        /// One of its keys.
        value: String,
    },
    /// `field == "key"`, `field != "key"` (`negated`) or `field in ["a", "b"]`: a choice
    /// field's option. A field with no option chosen equals nothing.
    Choice {
        /// The choice field's key.
        field: String,
        /// Some of its option keys.
        values: Vec<String>,
        /// `!=` rather than `==`.
        negated: bool,
    },
    /// `not …`
    Not(Box<Expr>),
    /// `… and …`
    And(Box<Expr>, Box<Expr>),
    /// `… or …`
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Whether the condition holds for a case.
    pub fn evaluate(&self, answers: &Answers<'_>) -> bool {
        let case = answers.attributes;
        match self {
            Expr::Constant(value) => *value,
            Expr::Flag(attribute) => attribute.flag(case).unwrap_or(false),
            Expr::Equals { attribute, value, negated } => match attribute.value(case) {
                Value::Key(key) => (key == value) != *negated,
                _ => false,
            },
            Expr::OneOf { attribute, values } => match attribute.value(case) {
                Value::Key(key) => values.iter().any(|value| value == key),
                _ => false,
            },
            Expr::Contains { attribute, value } => match attribute.value(case) {
                Value::Keys(keys) => keys.contains(&value.as_str()),
                _ => false,
            },
            Expr::Choice { field, values, negated } => {
                let chosen = answers.choices.get(field).is_some_and(|chosen| values.contains(chosen));
                chosen != *negated
            }
            Expr::Not(inner) => !inner.evaluate(answers),
            Expr::And(left, right) => left.evaluate(answers) && right.evaluate(answers),
            Expr::Or(left, right) => left.evaluate(answers) || right.evaluate(answers),
        }
    }

    /// The attributes the condition reads.
    pub fn attributes(&self) -> Vec<Attribute> {
        let mut found = Vec::new();
        self.collect_attributes(&mut found);
        found
    }

    fn collect_attributes(&self, found: &mut Vec<Attribute>) {
        match self {
            Expr::Constant(_) | Expr::Choice { .. } => {}
            Expr::Flag(attribute)
            | Expr::Equals { attribute, .. }
            | Expr::OneOf { attribute, .. }
            | Expr::Contains { attribute, .. } => {
                if !found.contains(attribute) {
                    found.push(*attribute);
                }
            }
            Expr::Not(inner) => inner.collect_attributes(found),
            Expr::And(left, right) | Expr::Or(left, right) => {
                left.collect_attributes(found);
                right.collect_attributes(found);
            }
        }
    }
}

/// Why a condition could not be parsed, and where (1-based character column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// 1-based, in characters.
    pub column: usize,
    /// What is wrong, in English.
    pub message: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Equal,
    NotEqual,
    Open,
    Close,
    OpenList,
    CloseList,
    Comma,
    End,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Word(word) => format!("'{word}'"),
            Token::Text(text) => format!("\"{text}\""),
            Token::Equal => "'=='".into(),
            Token::NotEqual => "'!='".into(),
            Token::Open => "'('".into(),
            Token::Close => "')'".into(),
            Token::OpenList => "'['".into(),
            Token::CloseList => "']'".into(),
            Token::Comma => "','".into(),
            Token::End => "the end of the condition".into(),
        }
    }
}

/// Splits a condition into tokens, each with its 1-based column.
fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, ExprError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    let error = |index: usize, message: String| ExprError { column: index + 1, message };
    while index < chars.len() {
        let start = index;
        let c = chars[index];
        match c {
            c if c.is_whitespace() => index += 1,
            '(' | ')' | '[' | ']' | ',' => {
                tokens.push((
                    start + 1,
                    match c {
                        '(' => Token::Open,
                        ')' => Token::Close,
                        '[' => Token::OpenList,
                        ']' => Token::CloseList,
                        _ => Token::Comma,
                    },
                ));
                index += 1;
            }
            '=' | '!' => {
                if chars.get(index + 1) == Some(&'=') {
                    tokens.push((start + 1, if c == '=' { Token::Equal } else { Token::NotEqual }));
                    index += 2;
                } else if c == '=' {
                    return Err(error(start, "'=' compares nothing: write '==' to compare".into()));
                } else {
                    return Err(error(start, "write 'not' rather than '!'".into()));
                }
            }
            '&' | '|' => {
                let word = if c == '&' { "and" } else { "or" };
                return Err(error(start, format!("write '{word}' rather than '{c}'")));
            }
            '"' | '\'' => {
                let quote = c;
                index += 1;
                let mut value = String::new();
                loop {
                    match chars.get(index) {
                        Some(&next) if next == quote => break,
                        Some(&next) => value.push(next),
                        None => return Err(error(start, format!("the text opened here is never closed with {quote}"))),
                    }
                    index += 1;
                }
                index += 1;
                tokens.push((start + 1, Token::Text(value)));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                // A dot within a word: the key of a choice field of a request's group.
                while index < chars.len()
                    && (chars[index].is_ascii_alphanumeric() || chars[index] == '_' || chars[index] == '.')
                {
                    index += 1;
                }
                tokens.push((start + 1, Token::Word(chars[start..index].iter().collect())));
            }
            other => return Err(error(start, format!("unexpected character '{other}'"))),
        }
    }
    tokens.push((chars.len() + 1, Token::End));
    Ok(tokens)
}

/// The most words, values and signs a condition may have. The longest of the rule file has
/// about 30; parsing, evaluating and dropping a condition recurse over its tree, so a rule
/// file with a condition of 100,000 `and`s would end the program on a stack overflow (the
/// main thread's stack is 1 MiB on Windows) rather than be refused with its line.
const MAX_TOKENS: usize = 1_000;

/// The deepest nesting of parentheses and `not`s a condition may have (see [`MAX_TOKENS`]).
const MAX_DEPTH: usize = 32;

/// Parses and checks a condition over the case attributes.
pub fn parse(text: &str) -> Result<Expr, ExprError> {
    parse_in(text, &ChoiceFields::new(), false)
}

/// Parses and checks a condition of a rule file whose choice fields are `choices`; it may
/// compare them when `may_read_fields` (a variant's condition), and naming one elsewhere is
/// refused with that reason rather than as an unknown attribute.
pub fn parse_in(text: &str, choices: &ChoiceFields, may_read_fields: bool) -> Result<Expr, ExprError> {
    let tokens = tokenize(text)?;
    if let Some((column, _)) = tokens.get(MAX_TOKENS) {
        return Err(ExprError {
            column: *column,
            message: format!("the condition is too long (more than {MAX_TOKENS} words, values and signs)"),
        });
    }
    let mut parser = Parser { tokens, position: 0, depth: 0, choices, may_read_fields };
    let expr = parser.or()?;
    match parser.peek() {
        Token::End => Ok(expr),
        other => Err(parser.error_here(format!("expected 'and', 'or' or the end, found {}", other.describe()))),
    }
}

struct Parser<'a> {
    tokens: Vec<(usize, Token)>,
    /// The rule file's choice fields, with their options.
    choices: &'a ChoiceFields,
    /// Whether this condition may compare them.
    may_read_fields: bool,
    position: usize,
    /// How many parentheses and `not`s enclose the current position.
    depth: usize,
}

const KEYWORDS: &[&str] = &["and", "or", "not", "in", "true", "false"];

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.position].1
    }

    fn column(&self) -> usize {
        self.tokens[self.position].0
    }

    fn advance(&mut self) -> Token {
        let token = self.tokens[self.position].1.clone();
        if self.position + 1 < self.tokens.len() {
            self.position += 1;
        }
        token
    }

    fn error_here(&self, message: String) -> ExprError {
        ExprError { column: self.column(), message }
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Token::Word(found) if found == word)
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.and()?;
        while self.is_word("or") {
            self.advance();
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.unary()?;
        while self.is_word("and") {
            self.advance();
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if self.is_word("not") {
            self.deeper()?;
            self.advance();
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    /// One level deeper (a parenthesis, a `not`), refused past [`MAX_DEPTH`].
    fn deeper(&mut self) -> Result<(), ExprError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error_here(format!("nested more than {MAX_DEPTH} deep (parentheses and 'not')")));
        }
        self.depth += 1;
        Ok(())
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let column = self.column();
        match self.advance() {
            Token::Open => {
                self.deeper()?;
                let inner = self.or()?;
                self.depth -= 1;
                let close_column = self.column();
                match self.advance() {
                    Token::Close => Ok(inner),
                    other => Err(ExprError {
                        column: close_column,
                        message: format!("expected ')', found {}", other.describe()),
                    }),
                }
            }
            Token::Word(word) if word == "true" => Ok(Expr::Constant(true)),
            Token::Word(word) if word == "false" => Ok(Expr::Constant(false)),
            Token::Word(word) if KEYWORDS.contains(&word.as_str()) => {
                Err(ExprError { column, message: format!("'{word}' cannot start a condition") })
            }
            // The rule file's choice fields outlive the parser: their options are not borrowed
            // from it.
            Token::Word(name) => match self.choices.get(&name).filter(|_| Attribute::from_name(&name).is_none()) {
                Some(options) if self.may_read_fields => self.after_choice(&name, options),
                Some(_) => Err(ExprError {
                    column,
                    message: format!(
                        "'{name}' is a field: only a variant's condition may compare a field (which \
                         materials and fields a case needs follows from its attributes)"
                    ),
                }),
                None => self.after_attribute(column, &name),
            },
            Token::Text(value) => {
                if !self.is_word("in") {
                    return Err(self.error_here(format!(
                        "a quoted value must be followed by 'in' and a set attribute, found {}",
                        self.peek().describe()
                    )));
                }
                self.advance();
                let set_column = self.column();
                let name = match self.advance() {
                    Token::Word(name) => name,
                    other => {
                        return Err(ExprError {
                            column: set_column,
                            message: format!("expected a set attribute after 'in', found {}", other.describe()),
                        });
                    }
                };
                let attribute = resolve(set_column, &name)?;
                match attribute.attribute_type() {
                    AttributeType::SetOf(keys) => {
                        check_value(column, attribute, keys, &value)?;
                        Ok(Expr::Contains { attribute, value })
                    }
                    _ => Err(ExprError {
                        column: set_column,
                        message: format!("'{name}' is not a set; use {name} == \"…\" to compare it"),
                    }),
                }
            }
            other => Err(ExprError { column, message: format!("expected a condition, found {}", other.describe()) }),
        }
    }

    fn after_attribute(&mut self, column: usize, name: &str) -> Result<Expr, ExprError> {
        let attribute = resolve(column, name)?;
        match attribute.attribute_type() {
            AttributeType::Flag => match self.peek() {
                Token::Equal | Token::NotEqual | Token::OpenList => Err(self
                    .error_here(format!("'{name}' is yes/no: write '{name}' or 'not {name}', without a comparison"))),
                _ => Ok(Expr::Flag(attribute)),
            },
            AttributeType::SetOf(_) => {
                Err(ExprError { column, message: format!("'{name}' is a set: write \"value\" in {name}") })
            }
            AttributeType::OneOf(keys) => {
                let operator_column = self.column();
                match self.advance() {
                    operator @ (Token::Equal | Token::NotEqual) => {
                        let value_column = self.column();
                        let value = self.expect_text()?;
                        check_value(value_column, attribute, keys, &value)?;
                        Ok(Expr::Equals { attribute, value, negated: operator == Token::NotEqual })
                    }
                    Token::Word(word) if word == "in" => {
                        let values =
                            self.quoted_list(|value_column, value| check_value(value_column, attribute, keys, value))?;
                        Ok(Expr::OneOf { attribute, values })
                    }
                    other => Err(ExprError {
                        column: operator_column,
                        message: format!(
                            "'{name}' must be compared: {name} == \"…\", != \"…\" or in [\"…\"], found {}",
                            other.describe()
                        ),
                    }),
                }
            }
        }
    }

    fn after_choice(&mut self, name: &str, options: &[String]) -> Result<Expr, ExprError> {
        let check = |value_column: usize, value: &str| -> Result<(), ExprError> {
            if options.iter().any(|option| option == value) {
                Ok(())
            } else {
                Err(ExprError {
                    column: value_column,
                    message: format!(
                        "\"{value}\" is not an option of field {name}; expected one of: {}",
                        options.join(", ")
                    ),
                })
            }
        };
        let operator_column = self.column();
        match self.advance() {
            operator @ (Token::Equal | Token::NotEqual) => {
                let value_column = self.column();
                let value = self.expect_text()?;
                check(value_column, &value)?;
                Ok(Expr::Choice { field: name.to_string(), values: vec![value], negated: operator == Token::NotEqual })
            }
            Token::Word(word) if word == "in" => {
                let values = self.quoted_list(|value_column, value| check(value_column, value))?;
                Ok(Expr::Choice { field: name.to_string(), values, negated: false })
            }
            other => Err(ExprError {
                column: operator_column,
                message: format!(
                    "field '{name}' must be compared: {name} == \"…\", != \"…\" or in [\"…\"], found {}",
                    other.describe()
                ),
            }),
        }
    }

    /// `[ "a", "b" ]` after `in`, each value checked by `check`.
    fn quoted_list(&mut self, check: impl Fn(usize, &str) -> Result<(), ExprError>) -> Result<Vec<String>, ExprError> {
        let list_column = self.column();
        if self.advance() != Token::OpenList {
            return Err(ExprError { column: list_column, message: "expected '[' after 'in'".into() });
        }
        let mut values = Vec::new();
        loop {
            let value_column = self.column();
            let value = self.expect_text()?;
            check(value_column, &value)?;
            values.push(value);
            let separator_column = self.column();
            match self.advance() {
                Token::Comma => continue,
                Token::CloseList => break,
                other => {
                    return Err(ExprError {
                        column: separator_column,
                        message: format!("expected ',' or ']', found {}", other.describe()),
                    });
                }
            }
        }
        Ok(values)
    }

    fn expect_text(&mut self) -> Result<String, ExprError> {
        let column = self.column();
        match self.advance() {
            Token::Text(value) => Ok(value),
            other => Err(ExprError { column, message: format!("expected a quoted value, found {}", other.describe()) }),
        }
    }
}

fn resolve(column: usize, name: &str) -> Result<Attribute, ExprError> {
    Attribute::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Attribute::ALL.iter().map(|attribute| attribute.name()).collect();
        ExprError { column, message: format!("unknown attribute '{name}'; the attributes are: {}", names.join(", ")) }
    })
}

fn check_value(column: usize, attribute: Attribute, keys: &[&str], value: &str) -> Result<(), ExprError> {
    if keys.contains(&value) {
        Ok(())
    } else {
        Err(ExprError {
            column,
            message: format!(
                "\"{value}\" is not a value of {}; expected one of: {}",
                attribute.name(),
                keys.join(", ")
            ),
        })
    }
}
