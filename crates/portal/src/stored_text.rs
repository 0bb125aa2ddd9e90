//! [`stored_as_text!`]: the sqlx impls of an enum kept as its text on both databases (the
//! columns are `TEXT`). They delegate to `str`, so one set serves SQLite and PostgreSQL; text
//! that names no value is a decode error, never a guess. Used by `roles::Role` and
//! `idp::alg::SigningAlg`.

/// `stored_as_text!(Type, parse)`: `Type` has `as_str(&self) -> &str`, and `parse` is a
/// `fn(&str) -> Result<Type, E>` with `E` an error.
macro_rules! stored_as_text {
    ($ty:ty, $parse:expr) => {
        impl<DB: ::sqlx::Database> ::sqlx::Type<DB> for $ty
        where
            str: ::sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as ::sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as ::sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: ::sqlx::Database> ::sqlx::Encode<'q, DB> for $ty
        where
            &'q str: ::sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as ::sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <&'q str as ::sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }

        impl<'r, DB: ::sqlx::Database> ::sqlx::Decode<'r, DB> for $ty
        where
            &'r str: ::sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as ::sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, ::sqlx::error::BoxDynError> {
                let stored = <&'r str as ::sqlx::Decode<'r, DB>>::decode(value)?;
                let parse: fn(&str) -> Result<$ty, _> = $parse;
                Ok(parse(stored)?)
            }
        }
    };
}
pub(crate) use stored_as_text;
