//! Whether a value would serialize to a given leaf, decided without building the leaf:
//! the check behind [`Bag::set_as`](super::Bag::set_as)'s "an equal value is not a
//! change" for scalars and strings. Anything else answers "don't know", and the caller
//! builds the value and compares it.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::Value;

/// True only when `value` serializes (as `serde_json::to_value` would) to `current`.
/// `false` means "different, or not a scalar": the caller takes the general path.
pub(super) fn serializes_to<T: Serialize + ?Sized>(value: &T, current: &Value) -> bool {
    value.serialize(Equals(current)).unwrap_or(false)
}

/// Not a scalar: the general path decides.
#[derive(Debug)]
struct Unknown;

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a scalar")
    }
}

impl std::error::Error for Unknown {}

impl ser::Error for Unknown {
    fn custom<M: fmt::Display>(_: M) -> Self {
        Unknown
    }
}

struct Equals<'a>(&'a Value);

impl Equals<'_> {
    fn equal_to(self, value: Value) -> Result<bool, Unknown> {
        Ok(*self.0 == value)
    }

    fn equal_to_str(self, text: &str) -> Result<bool, Unknown> {
        Ok(self.0.as_str() == Some(text))
    }
}

impl<'a> ser::Serializer for Equals<'a> {
    type Ok = bool;
    type Error = Unknown;
    type SerializeSeq = Impossible<bool, Unknown>;
    type SerializeTuple = Impossible<bool, Unknown>;
    type SerializeTupleStruct = Impossible<bool, Unknown>;
    type SerializeTupleVariant = Impossible<bool, Unknown>;
    type SerializeMap = Impossible<bool, Unknown>;
    type SerializeStruct = Impossible<bool, Unknown>;
    type SerializeStructVariant = Impossible<bool, Unknown>;

    fn serialize_bool(self, v: bool) -> Result<bool, Unknown> {
        self.equal_to(Value::Bool(v))
    }

    fn serialize_i8(self, v: i8) -> Result<bool, Unknown> {
        self.equal_to(Value::from(v))
    }

    fn serialize_i16(self, v: i16) -> Result<bool, Unknown> {
        self.equal_to(Value::from(v))
    }

    fn serialize_i32(self, v: i32) -> Result<bool, Unknown> {
        self.equal_to(Value::from(v))
    }

    fn serialize_i64(self, v: i64) -> Result<bool, Unknown> {
        self.equal_to(Value::from(v))
    }

    fn serialize_u8(self, v: u8) -> Result<bool, Unknown> {
        self.equal_to(Value::from(v))
    }

    fn serialize_u16(self, v: u16) -> Result<bool, Unknown> {
        self.equal_to(Value::from(v))
    }

    fn serialize_u32(self, v: u32) -> Result<bool, Unknown> {
        self.equal_to(Value::from(v))
    }

    fn serialize_u64(self, v: u64) -> Result<bool, Unknown> {
        self.equal_to(Value::from(v))
    }

    fn serialize_f32(self, v: f32) -> Result<bool, Unknown> {
        // As serde_json: an f32 is widened; a non-finite one becomes null.
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<bool, Unknown> {
        self.equal_to(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn serialize_char(self, v: char) -> Result<bool, Unknown> {
        self.equal_to_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<bool, Unknown> {
        self.equal_to_str(v)
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<bool, Unknown> {
        Err(Unknown)
    }

    fn serialize_none(self) -> Result<bool, Unknown> {
        self.equal_to(Value::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<bool, Unknown> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<bool, Unknown> {
        self.equal_to(Value::Null)
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<bool, Unknown> {
        self.equal_to(Value::Null)
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<bool, Unknown> {
        self.equal_to_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<bool, Unknown> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<bool, Unknown> {
        Err(Unknown)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Unknown> {
        Err(Unknown)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unknown> {
        Err(Unknown)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Unknown> {
        Err(Unknown)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unknown> {
        Err(Unknown)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unknown> {
        Err(Unknown)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Unknown> {
        Err(Unknown)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unknown> {
        Err(Unknown)
    }

    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<bool, Unknown> {
        // Display output would have to be built to compare: let the general path do it.
        let _ = value;
        Err(Unknown)
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde_json::{Value, json};

    use super::serializes_to;

    fn agrees<T: Serialize>(value: T, leaves: &[Value]) {
        let built = serde_json::to_value(&value).unwrap();
        for leaf in leaves {
            let fast = serializes_to(&value, leaf);
            if fast {
                assert_eq!(&built, leaf, "claimed equal");
            }
        }
        // Scalars must be recognised as equal to what they serialize to.
        if !(built.is_array() || built.is_object()) {
            assert!(serializes_to(&value, &built), "{built}");
        }
    }

    #[test]
    fn agrees_with_to_value() {
        let leaves = [
            json!(null),
            json!(true),
            json!(0),
            json!(5),
            json!(-5),
            json!(5.0),
            json!(5.5),
            json!("5"),
            json!("x"),
            json!([5]),
            json!({"a": 5}),
        ];
        agrees(5_u64, &leaves);
        agrees(5_i32, &leaves);
        agrees(-5_i64, &leaves);
        agrees(5.0_f64, &leaves);
        agrees(5.5_f32, &leaves);
        agrees(f64::NAN, &leaves);
        agrees(true, &leaves);
        agrees("x", &leaves);
        agrees('x', &leaves);
        agrees(String::from("5"), &leaves);
        agrees(None::<u8>, &leaves);
        agrees(Some(5_u8), &leaves);
        agrees((), &leaves);
        agrees(vec![5], &leaves);
        agrees(std::collections::BTreeMap::from([("a", 5)]), &leaves);
    }
}
