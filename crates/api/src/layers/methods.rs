//! Which methods each route takes, for the `Allow` header of E1005 answers
//! (RFC 9110 §15.5.6). poem's router knows a route's methods but says only "405";
//! this table is built from the same sources (the OpenAPI operations and the
//! documentation routes), so it cannot drift from them.

use std::collections::BTreeSet;

use poem::http::Method;
use poem_openapi::OpenApi;

#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param,
}

/// Route patterns (`/images/{id}`) and their methods.
#[derive(Debug, Default)]
pub struct MethodTable {
    routes: Vec<(Vec<Segment>, BTreeSet<String>)>,
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

fn pattern(path: &str) -> Vec<Segment> {
    segments(path)
        .map(|s| if s.starts_with('{') || s.starts_with(':') { Segment::Param } else { Segment::Literal(s.to_owned()) })
        .collect()
}

impl MethodTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `path` (with `{param}` segments) takes `method`; a route that
    /// takes GET takes HEAD too, as poem's router answers it.
    pub fn add(&mut self, path: &str, method: &Method) {
        let pattern = pattern(path);
        let index = match self.routes.iter().position(|(p, _)| *p == pattern) {
            Some(index) => index,
            None => {
                self.routes.push((pattern, BTreeSet::new()));
                self.routes.len() - 1
            }
        };
        if let Some((_, methods)) = self.routes.get_mut(index) {
            methods.insert(method.to_string());
            if method == Method::GET {
                methods.insert(Method::HEAD.to_string());
            }
        }
    }

    /// Records every operation of an `#[OpenApi]` type.
    pub fn add_api<T: OpenApi>(&mut self) {
        for api in T::meta() {
            for path in api.paths {
                for operation in path.operations {
                    self.add(&path.path, &operation.method);
                }
            }
        }
    }

    /// The value of `Allow` for a request path, if a route matches it.
    pub fn allow(&self, path: &str) -> Option<String> {
        let wanted: Vec<&str> = segments(path).collect();
        let (_, methods) = self.routes.iter().find(|(pattern, _)| {
            pattern.len() == wanted.len()
                && pattern.iter().zip(&wanted).all(|(segment, actual)| match segment {
                    Segment::Literal(literal) => literal == actual,
                    Segment::Param => true,
                })
        })?;
        Some(methods.iter().map(String::as_str).collect::<Vec<_>>().join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_the_methods_of_the_matching_route() {
        let mut table = MethodTable::new();
        table.add("/user/update", &Method::PUT);
        table.add("/images/{id}", &Method::GET);
        assert_eq!(table.allow("/user/update").as_deref(), Some("PUT"));
        assert_eq!(table.allow("/images/abc/").as_deref(), Some("GET, HEAD"));
        assert_eq!(table.allow("/images"), None);
    }
}
