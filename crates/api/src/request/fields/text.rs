//! [`Field`] and [`Optional`]: a text field under a [`FieldRule`] as poem-openapi
//! documents it (the rule's named schema) and as serde and poem-openapi read it
//! (JSON scalars per the rule's [`Scalars`], form and multipart text as is).

use std::borrow::Cow;
use std::marker::PhantomData;

use poem::web::Field as PoemField;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromMultipartField, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde::de::{Error as _, Unexpected};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{FieldRule, Scalars};

/// A text field under rule `R`, as the client sent it.
pub struct Field<R>(String, PhantomData<fn() -> R>);

impl<R> Field<R> {
    /// The text as sent (numbers and booleans written as text).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<R> From<String> for Field<R> {
    fn from(text: String) -> Self {
        Self(text, PhantomData)
    }
}

impl<R> Default for Field<R> {
    fn default() -> Self {
        String::new().into()
    }
}

impl<R> std::fmt::Debug for Field<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Field").field(&self.0).finish()
    }
}

impl<R: FieldRule> Type for Field<R> {
    const IS_REQUIRED: bool = true;

    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        Cow::Borrowed(R::NAME)
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference(R::NAME.to_owned())
    }

    fn register(registry: &mut Registry) {
        registry.create_schema::<Self, _>(R::NAME.to_owned(), |_| R::schema());
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl<R: FieldRule> ParseFromJSON for Field<R> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        let value = value.unwrap_or_default();
        match value {
            Value::Null => Ok(Self::default()),
            value => Self::from_scalar(&value).ok_or_else(|| ParseError::expected_type(value)),
        }
    }
}

impl<R: FieldRule> Field<R> {
    /// The text of a JSON scalar as this rule reads it; `None` for what it
    /// refuses: objects, arrays, and the scalars its [`Scalars`] leaves out.
    fn from_scalar(value: &Value) -> Option<Self> {
        match value {
            Value::String(text) => Some(text.clone().into()),
            scalar if R::SCALARS.reads(scalar) => Some(scalar.to_string().into()),
            _ => None,
        }
    }
}

impl<R: FieldRule> ToJSON for Field<R> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

impl<R: FieldRule> ParseFromParameter for Field<R> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Ok(value.to_owned().into())
    }
}

impl<R: FieldRule> ParseFromMultipartField for Field<R> {
    async fn parse_from_multipart(field: Option<PoemField>) -> ParseResult<Self> {
        match field {
            Some(field) => Ok(field.text().await.map_err(ParseError::custom)?.into()),
            None => Ok(Self::default()),
        }
    }
}

impl<'de, R: FieldRule> Deserialize<'de> for Field<R> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Null => Ok(Self::default()),
            value => Self::from_scalar(&value).ok_or_else(|| {
                let expected = match R::SCALARS {
                    Scalars::Any => "a string, number or boolean",
                    Scalars::Integers { booleans: true } => "a string, an integer within ±2^53 or a boolean",
                    Scalars::Integers { booleans: false } => "a string or an integer within ±2^53",
                };
                D::Error::invalid_type(Unexpected::Other(kind(&value)), &expected)
            }),
        }
    }
}

/// An optional field of a JSON body: absent or `null` is `None` (SPEC §4), as
/// its schema says (`nullable`).
pub struct Optional<R>(pub Option<Field<R>>);

impl<R> Optional<R> {
    /// The text, if the field was given.
    pub fn into_text(self) -> Option<String> {
        self.0.map(Field::into_inner)
    }
}

impl<R> Default for Optional<R> {
    fn default() -> Self {
        Self(None)
    }
}

impl<R> std::fmt::Debug for Optional<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Optional").field(&self.0).finish()
    }
}

impl<R: FieldRule> Type for Optional<R> {
    const IS_REQUIRED: bool = false;

    type RawValueType = Field<R>;
    type RawElementValueType = Field<R>;

    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Optional<{}>", R::NAME))
    }

    fn schema_ref() -> MetaSchemaRef {
        let schema = MetaSchema { all_of: vec![Field::<R>::schema_ref()], nullable: true, ..MetaSchema::ANY };
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn register(registry: &mut Registry) {
        Field::<R>::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        self.0.as_ref()
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.0.iter())
    }

    fn is_none(&self) -> bool {
        self.0.is_none()
    }
}

impl<R: FieldRule> ParseFromJSON for Optional<R> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            None | Some(Value::Null) => Ok(Self(None)),
            value => Field::parse_from_json(value).map(|field| Self(Some(field))).map_err(ParseError::propagate),
        }
    }
}

impl<R: FieldRule> ToJSON for Optional<R> {
    fn to_json(&self) -> Option<Value> {
        self.0.as_ref().and_then(ToJSON::to_json)
    }
}

impl<'de, R: FieldRule> Deserialize<'de> for Optional<R> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<Field<R>>::deserialize(deserializer).map(Self)
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a fraction",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
