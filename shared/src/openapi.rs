//! OpenAPI schemas of the types whose JSON is not what a derive would describe (typed
//! ids, keys, decimals, date limits, rejection codes): only with the `openapi` feature,
//! which the server turns on to publish `/api/v1/openapi.json`.

use utoipa::openapi::{
    schema::{ObjectBuilder, SchemaFormat, SchemaType, Type},
    RefOr, Schema,
};

/// A JSON string, with an optional format, pattern and description.
pub(crate) fn string(
    format: Option<&str>,
    pattern: Option<&str>,
    description: &str,
) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .format(format.map(|f| SchemaFormat::Custom(f.to_owned())))
        .pattern(pattern)
        .description(Some(description))
        .into()
}

/// A JSON string or number (a decimal, which the server always writes as a string).
pub(crate) fn string_or_number(pattern: &str, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::String, Type::Number]))
        .pattern(Some(pattern))
        .description(Some(description))
        .into()
}

/// Implements `ToSchema` for a type whose JSON is described by `$schema`.
macro_rules! manual_schema {
    ($ty:ty, $schema:expr) => {
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
                $schema
            }
        }

        impl utoipa::ToSchema for $ty {}
    };
}
pub(crate) use manual_schema;
