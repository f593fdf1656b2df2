//! English and Spanish through Fluent (`locales/{en,es}/console.ftl`, compiled into the binary),
//! chosen per request by `Accept-Language`; English when neither is asked for.

use std::convert::Infallible;
use std::sync::LazyLock;

use axum::extract::FromRequestParts;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use http::{HeaderMap, header, request::Parts};

/// A language the console speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
}

struct Catalogue {
    en: FluentBundle<FluentResource>,
    es: FluentBundle<FluentResource>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| Catalogue {
    en: bundle("en", include_str!("../locales/en/console.ftl")),
    es: bundle("es-ES", include_str!("../locales/es/console.ftl")),
});

fn bundle(tag: &str, source: &'static str) -> FluentBundle<FluentResource> {
    let resource = FluentResource::try_new(source.to_owned()).expect("the .ftl files parse");
    let mut bundle = FluentBundle::new_concurrent(vec![tag.parse().expect("a language tag")]);
    // No bidi isolation marks: both languages are left to right.
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).expect("no message twice");
    bundle
}

impl Lang {
    /// The best of `Accept-Language` (by `q`, then order) that the console speaks.
    pub fn negotiate(headers: &HeaderMap) -> Lang {
        let Some(value) = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
        else {
            return Lang::En;
        };
        let mut ranges: Vec<(u16, Lang)> = value
            .split(',')
            .filter_map(|range| {
                let mut parts = range.split(';');
                let tag = parts.next()?.trim().to_ascii_lowercase();
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .filter_map(|q| q.parse::<f32>().ok())
                    .next()
                    .unwrap_or(1.0);
                let primary = tag.split('-').next()?;
                let lang = match primary {
                    "es" => Lang::Es,
                    "en" => Lang::En,
                    _ => return None,
                };
                Some(((q.clamp(0.0, 1.0) * 1000.0) as u16, lang))
            })
            .filter(|(q, _)| *q > 0)
            .collect();
        // Stable: equal weights keep the client's order.
        ranges.sort_by_key(|r| std::cmp::Reverse(r.0));
        ranges.first().map(|(_, lang)| *lang).unwrap_or(Lang::En)
    }

    /// The `lang` attribute of pages in this language.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es-ES",
        }
    }

    /// Message `id`.
    pub fn t(self, id: &str) -> String {
        self.format(id, None)
    }

    /// Message `id` with its variables.
    pub fn t_with(self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, value.clone());
        }
        self.format(id, Some(&fluent))
    }

    fn format(self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = match self {
            Lang::En => &CATALOGUE.en,
            Lang::Es => &CATALOGUE.es,
        };
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            // A missing message is a bug the tests catch; the page still renders.
            return id.to_owned();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Lang, Infallible> {
        Ok(Lang::negotiate(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn lang(accept: &str) -> Lang {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(accept).unwrap(),
        );
        Lang::negotiate(&headers)
    }

    #[test]
    fn accept_language_picks_the_best_language_spoken() {
        assert_eq!(lang("es-ES,es;q=0.9,en;q=0.8"), Lang::Es);
        assert_eq!(lang("fr-FR, en;q=0.5, es;q=0.7"), Lang::Es);
        assert_eq!(lang("de, en-GB"), Lang::En);
        assert_eq!(lang("fr"), Lang::En);
        assert_eq!(lang("es;q=0, en"), Lang::En);
        assert_eq!(Lang::negotiate(&HeaderMap::new()), Lang::En);
    }

    #[test]
    fn every_english_message_has_a_spanish_one_and_both_format() {
        let ids = |source: &str| -> Vec<String> {
            source
                .lines()
                .filter(|l| !l.starts_with([' ', '#']) && l.contains(" ="))
                .map(|l| l.split(" =").next().unwrap().to_owned())
                .collect()
        };
        let en = ids(include_str!("../locales/en/console.ftl"));
        let es = ids(include_str!("../locales/es/console.ftl"));
        assert_eq!(en, es);
        for id in &en {
            assert_ne!(Lang::Es.t(id), *id, "{id}");
        }
        let n = |n: i64| [("n", FluentValue::from(n))];
        assert_eq!(Lang::En.t_with("time-ago-minutes", &n(1)), "1 minute ago");
        assert_eq!(Lang::Es.t_with("time-in-hours", &n(2)), "dentro de 2 horas");
    }
}
