//! The language of an answer (SPEC §4 "Language"): Simplified Chinese by default,
//! exactly the seed's strings, and English when the client prefers it through
//! `Accept-Language`. The language changes texts only, never a `Code` or a status.

use poem::http::{header, HeaderMap};
use poem::{FromRequest, Request, RequestBody};

/// The language of the `Msg` and `Notice` texts of an answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese, the seed's language and the default.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The language a request asks for through its `Accept-Language` header.
    pub fn of_headers(headers: &HeaderMap) -> Self {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .map_or(Self::Zh, Self::from_accept_language)
    }

    /// Picks the supported language with the highest quality in an
    /// `Accept-Language` value (RFC 9110 §12.5.4); on a tie the earlier entry wins,
    /// and anything else (unknown languages only, `*`, garbage) gives Chinese.
    pub fn from_accept_language(value: &str) -> Self {
        let mut best: Option<(Self, u16)> = None;
        for entry in value.split(',') {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let lang = match tag.split('-').next().unwrap_or_default() {
                "zh" => Self::Zh,
                "en" => Self::En,
                _ => continue,
            };
            let quality = parts.find_map(|param| quality_of(param.trim())).unwrap_or(1000);
            if quality > 0 && best.is_none_or(|(_, q)| quality > q) {
                best = Some((lang, quality));
            }
        }
        best.map_or(Self::Zh, |(lang, _)| lang)
    }

    /// Chooses between the Chinese and the English form of a text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }
}

/// Parses `q=0.8` into thousandths (800); `None` when the parameter is not a valid
/// quality, which then counts as the default 1.
fn quality_of(param: &str) -> Option<u16> {
    let raw = param.strip_prefix("q=").or_else(|| param.strip_prefix("Q="))?;
    let value: f32 = raw.trim().parse().ok()?;
    (0.0..=1.0).contains(&value).then(|| (value * 1000.0).round() as u16)
}

/// Handlers take `lang: Lang` to localize their success notices.
impl<'a> FromRequest<'a> for Lang {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self::of_headers(req.headers()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_or_unknown_accept_language_gives_chinese() {
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
        assert_eq!(Lang::from_accept_language("fr-FR, de;q=0.5"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("*"), Lang::Zh);
        assert_eq!(Lang::of_headers(&HeaderMap::new()), Lang::Zh);
    }

    #[test]
    fn accept_language_starting_with_en_gives_english() {
        assert_eq!(Lang::from_accept_language("en"), Lang::En);
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("EN-gb"), Lang::En);
    }

    #[test]
    fn accept_language_qualities_decide_not_the_order() {
        assert_eq!(Lang::from_accept_language("zh;q=0.5, en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("en;q=0.2, zh-CN"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("fr, en;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
    }

    #[test]
    fn a_quality_of_zero_refuses_the_language() {
        assert_eq!(Lang::from_accept_language("en;q=0"), Lang::Zh);
    }
}
