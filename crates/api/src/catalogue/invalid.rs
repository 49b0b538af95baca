//! The `Notice` of an E1001 answer: it names the API field and the rule it broke
//! (SPEC §4 "Envelope"), in the client's language. The domain names the rule
//! (`validation::Rule`); the sentences live here, at the edge.

use chatroom_domain::validation::{InvalidInput, Rule};

use crate::language::Lang;

/// The sentence for a field that broke a rule of SPEC §3.
pub fn invalid_input_notice(invalid: &InvalidInput, lang: Lang) -> String {
    let field = invalid.field;
    match (&invalid.rule, lang) {
        (Rule::Required, Lang::Zh) => format!("{field}不能为空"),
        (Rule::Required, Lang::En) => format!("{field} is required"),
        (Rule::Length { min, max }, Lang::Zh) => format!("{field}的长度须为{min}到{max}个字符"),
        (Rule::Length { min, max }, Lang::En) => format!("{field} must be {min} to {max} characters long"),
        (Rule::IdentifierCharset, Lang::Zh) => format!("{field}只能包含字母、数字、下划线、点和连字符"),
        (Rule::IdentifierCharset, Lang::En) => {
            format!("{field} may contain only letters, digits, '_', '.' and '-'")
        }
        (Rule::NoControlCharacters, Lang::Zh) => format!("{field}不能包含控制字符"),
        (Rule::NoControlCharacters, Lang::En) => format!("{field} must not contain control characters"),
        (Rule::EmailFormat, Lang::Zh) => format!("{field}不是有效的邮箱地址"),
        (Rule::EmailFormat, Lang::En) => format!("{field} must be an email address such as name@example.com"),
        (Rule::IntegerRange { min, max }, Lang::Zh) => format!("{field}须为{min}到{max}之间的整数"),
        (Rule::IntegerRange { min, max }, Lang::En) => format!("{field} must be an integer from {min} to {max}"),
        (Rule::Boolean, Lang::Zh) => format!("{field}须为true、false、1或0"),
        (Rule::Boolean, Lang::En) => format!("{field} must be true, false, 1 or 0"),
        (Rule::AtLeastOneField, Lang::Zh) => format!("至少需要提供一个要修改的字段（如{field}）"),
        (Rule::AtLeastOneField, Lang::En) => format!("give at least one field to change (such as {field})"),
        (Rule::Digits, Lang::Zh) => format!("{field}只能包含数字"),
        (Rule::Digits, Lang::En) => format!("{field} may contain only digits"),
        (Rule::SameAs { other }, Lang::Zh) => format!("{field}和{other}指向不同的房间"),
        (Rule::SameAs { other }, Lang::En) => format!("{field} and {other} name different rooms"),
    }
}

/// The sentence for a request that could not be parsed at all: a missing or
/// mistyped parameter (`field` known) or an unreadable body. `reason` is the
/// parser's own explanation, which is about the client's input only.
pub fn malformed_notice(field: Option<&str>, reason: Option<&str>, lang: Lang) -> String {
    let head = match (field, lang) {
        (Some(field), Lang::Zh) => format!("参数{field}缺失或格式错误"),
        (Some(field), Lang::En) => format!("parameter {field} is missing or malformed"),
        (None, Lang::Zh) => "请求体缺失或格式错误".to_owned(),
        (None, Lang::En) => "the request body is missing or malformed".to_owned(),
    };
    match (reason, lang) {
        (Some(reason), Lang::Zh) => format!("{head}：{reason}"),
        (Some(reason), Lang::En) => format!("{head}: {reason}"),
        (None, _) => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_rule() -> Vec<Rule> {
        vec![
            Rule::Required,
            Rule::Length { min: 8, max: 128 },
            Rule::IdentifierCharset,
            Rule::NoControlCharacters,
            Rule::EmailFormat,
            Rule::IntegerRange { min: 1, max: 500 },
            Rule::Boolean,
            Rule::AtLeastOneField,
            Rule::Digits,
        ]
    }

    #[test]
    fn e1001_notice_names_the_field_for_every_rule_in_both_languages() {
        for rule in every_rule() {
            let invalid = InvalidInput::new("userEmail", rule.clone());
            for lang in [Lang::Zh, Lang::En] {
                let notice = invalid_input_notice(&invalid, lang);
                assert!(notice.contains("userEmail"), "{rule:?} {lang:?}: {notice}");
            }
        }
    }

    #[test]
    fn e1001_notice_states_the_bounds_of_a_length_rule() {
        let invalid = InvalidInput::new("userPwd", Rule::Length { min: 8, max: 128 });
        assert_eq!(invalid_input_notice(&invalid, Lang::Zh), "userPwd的长度须为8到128个字符");
        assert_eq!(invalid_input_notice(&invalid, Lang::En), "userPwd must be 8 to 128 characters long");
    }

    #[test]
    fn e1001_notice_of_an_unparseable_parameter_names_it() {
        let notice = malformed_notice(Some("roomName"), None, Lang::Zh);
        assert_eq!(notice, "参数roomName缺失或格式错误");
        let notice = malformed_notice(None, Some("expected object"), Lang::En);
        assert_eq!(notice, "the request body is missing or malformed: expected object");
    }
}
