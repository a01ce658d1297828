//! Parsing of `#[session(...)]` attributes, on the struct and on its fields, and of
//! the schema paths they hold.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, LitStr, Token};

use crate::ctxt::Ctxt;

const STRUCT_KEYS: &str = "`root = \"a.b\"` or `crate = \"path\"`";
const FIELD_KEYS: &str =
    "`path = \"a.b\"`, `default`, `default = \"function\"`, `nested`, `skip`, `map` or `leaf`";

/// A field path or root, already split into labels.
pub(crate) struct SchemaPath {
    pub(crate) labels: Vec<String>,
    /// The literal it was written in (or the field name it came from).
    pub(crate) span: Span,
}

impl SchemaPath {
    /// The path as text, labels escaped the way Bag paths write them.
    pub(crate) fn display(&self) -> String {
        self.labels
            .iter()
            .map(|label| escape(label))
            .collect::<Vec<_>>()
            .join(".")
    }
}

fn escape(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for (i, c) in label.chars().enumerate() {
        if matches!(c, '.' | '?' | '\\') || (i == 0 && c == '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The attributes of the struct.
#[derive(Default)]
pub(crate) struct StructAttrs {
    pub(crate) root: Option<SchemaPath>,
    pub(crate) krate: Option<syn::Path>,
}

/// How a missing path gets its value.
pub(crate) enum DefaultAttr {
    /// `#[session(default)]`: `Default::default()`.
    Trait,
    /// `#[session(default = "function")]`.
    Function(syn::ExprPath),
}

/// The attributes of one field; each remembers where it was written.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) path: Option<SchemaPath>,
    pub(crate) default: Option<(Span, DefaultAttr)>,
    pub(crate) nested: Option<Span>,
    pub(crate) skip: Option<Span>,
    pub(crate) map: Option<Span>,
    pub(crate) leaf: Option<Span>,
}

/// Parses the `#[session(...)]` attributes of the struct.
pub(crate) fn struct_attrs(cx: &Ctxt, attrs: &[Attribute]) -> StructAttrs {
    let mut out = StructAttrs::default();
    for attr in session_attrs(attrs) {
        let result = attr.parse_nested_meta(|meta| {
            let key = key_name(&meta);
            match key.as_str() {
                "root" => {
                    let lit: LitStr = meta.value()?.parse()?;
                    let path = parse_schema_path(cx, &lit);
                    set_once(cx, &meta, &mut out.root, path);
                }
                "crate" => {
                    let lit: LitStr = meta.value()?.parse()?;
                    match lit.parse::<syn::Path>() {
                        Ok(path) => set_once(cx, &meta, &mut out.krate, Some(path)),
                        Err(_) => cx.error_spanned_by(
                            &lit,
                            "`crate` expects a path to the session runtime, such as `\"::session_axum::core\"`",
                        ),
                    }
                }
                _ => unknown_key(cx, &meta, &key, "struct", STRUCT_KEYS)?,
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    out
}

/// Parses the `#[session(...)]` attributes of one field.
pub(crate) fn field_attrs(cx: &Ctxt, attrs: &[Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for attr in session_attrs(attrs) {
        let result = attr.parse_nested_meta(|meta| {
            let key = key_name(&meta);
            let span = meta.path.span();
            match key.as_str() {
                "path" => {
                    let lit: LitStr = meta.value()?.parse()?;
                    let path = parse_schema_path(cx, &lit);
                    set_once(cx, &meta, &mut out.path, path);
                }
                "default" => {
                    let default = if meta.input.peek(Token![=]) {
                        let lit: LitStr = meta.value()?.parse()?;
                        match lit.parse::<syn::ExprPath>() {
                            Ok(function) => Some(DefaultAttr::Function(function)),
                            Err(_) => {
                                cx.error_spanned_by(
                                    &lit,
                                    "`default` expects the path of a function, such as `default = \"default_currency\"`",
                                );
                                None
                            }
                        }
                    } else {
                        Some(DefaultAttr::Trait)
                    };
                    set_once(cx, &meta, &mut out.default, default.map(|d| (span, d)));
                }
                "nested" => set_once(cx, &meta, &mut out.nested, Some(span)),
                "skip" => set_once(cx, &meta, &mut out.skip, Some(span)),
                "map" => set_once(cx, &meta, &mut out.map, Some(span)),
                "leaf" => set_once(cx, &meta, &mut out.leaf, Some(span)),
                _ => unknown_key(cx, &meta, &key, "field", FIELD_KEYS)?,
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    out
}

fn session_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|attr| attr.path().is_ident("session"))
}

fn key_name(meta: &ParseNestedMeta<'_>) -> String {
    meta.path
        .get_ident()
        .map(|ident| ident.to_string())
        .unwrap_or_else(|| {
            let path = &meta.path;
            quote::quote!(#path).to_string().replace(' ', "")
        })
}

/// Stores `value` unless the key was already given, which is an error at the second
/// occurrence.
fn set_once<T>(cx: &Ctxt, meta: &ParseNestedMeta<'_>, slot: &mut Option<T>, value: Option<T>) {
    if slot.is_some() {
        let key = key_name(meta);
        cx.error_spanned_by(
            &meta.path,
            format!("duplicate session attribute `{key}`: give it once per item"),
        );
        return;
    }
    if value.is_some() {
        *slot = value;
    }
}

/// Reports an unknown key and skips its value, so that the keys after it are still
/// checked.
fn unknown_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    key: &str,
    on: &str,
    allowed: &str,
) -> syn::Result<()> {
    cx.error_spanned_by(
        &meta.path,
        format!("unknown session attribute `{key}` on a {on}; expected {allowed}"),
    );
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _ = meta.parse_nested_meta(|inner| {
            if inner.input.peek(Token![=]) {
                inner.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
    }
    Ok(())
}

/// Splits a schema path into labels: `a.b`, `\.` for a dot inside a label. Positional
/// `#N` steps and `?attribute` parts do not name a stable place, so they are refused.
pub(crate) fn parse_schema_path(cx: &Ctxt, lit: &LitStr) -> Option<SchemaPath> {
    let text = lit.value();
    let fail = |message: String| {
        cx.error_spanned_by(lit, message);
        None
    };
    if text.is_empty() {
        return fail(
            "empty session path: write labels separated by dots, such as \"user.name\"".into(),
        );
    }
    let mut labels = Vec::new();
    let mut current = String::new();
    let mut escaped_start = false;
    let mut chars = text.chars();
    let mut finish = |current: &mut String, escaped_start: bool| -> Result<(), String> {
        if current.is_empty() {
            return Err(format!(
                "empty label in session path \"{text}\": labels between dots cannot be empty; write `a.b`, not `a..b`"
            ));
        }
        if !escaped_start && current.starts_with('#') {
            return Err(format!(
                "`{current}` in session path \"{text}\" addresses a node by position, which moves; use a label, or `\\\\#` for a label starting with `#`"
            ));
        }
        labels.push(std::mem::take(current));
        Ok(())
    };
    while let Some(c) = chars.next() {
        let step = match c {
            '\\' => match chars.next() {
                Some(escaped @ ('.' | '?' | '\\' | '#')) => {
                    if escaped == '#' && current.is_empty() {
                        escaped_start = true;
                    }
                    current.push(escaped);
                    Ok(())
                }
                Some(other) => Err(format!(
                    "unknown escape `\\{other}` in session path \"{text}\": only `\\.`, `\\?`, `\\#` and `\\\\` are escapes"
                )),
                None => Err(format!(
                    "session path \"{text}\" ends with a backslash that escapes nothing"
                )),
            },
            '.' => {
                let done = finish(&mut current, escaped_start);
                escaped_start = false;
                done
            }
            '?' => Err(format!(
                "session path \"{text}\" names an attribute (`?{}`); a field needs a node path, so drop the `?` part",
                chars.as_str()
            )),
            _ => {
                current.push(c);
                Ok(())
            }
        };
        if let Err(message) = step {
            return fail(message);
        }
    }
    if let Err(message) = finish(&mut current, escaped_start) {
        return fail(message);
    }
    Some(SchemaPath {
        labels,
        span: lit.span(),
    })
}
