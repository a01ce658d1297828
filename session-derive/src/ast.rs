//! The input as the derive understands it: a struct with named fields, each field
//! with its path, its kind of storage and its default.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, GenericArgument, PathArguments, Type};

use crate::attr::{self, DefaultAttr, SchemaPath, StructAttrs};
use crate::ctxt::Ctxt;

/// A struct deriving `SessionData`.
pub(crate) struct Input<'a> {
    pub(crate) original: &'a DeriveInput,
    pub(crate) attrs: StructAttrs,
    pub(crate) fields: Vec<Field<'a>>,
}

/// One named field.
pub(crate) struct Field<'a> {
    pub(crate) original: &'a syn::Field,
    pub(crate) ident: &'a syn::Ident,
    pub(crate) ty: &'a Type,
    pub(crate) attrs: attr::FieldAttrs,
    pub(crate) kind: Kind<'a>,
    /// The path relative to the struct's root: the attribute's, or the field name.
    pub(crate) path: SchemaPath,
}

/// How a field is kept in the Bag.
pub(crate) enum Kind<'a> {
    /// One value at one path.
    Value,
    /// `Option<T>`: absent when `None`.
    Optional(&'a Type),
    /// A map with string keys, as a sub-Bag of one node per key.
    Map,
    /// A struct that derives `SessionData`, as a sub-Bag.
    Nested,
    /// Not stored.
    Skip,
}

impl<'a> Input<'a> {
    /// Reads the input; `None` when it is not a struct with named fields (the reason
    /// is in `cx`).
    pub(crate) fn from_syn(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let attrs = attr::struct_attrs(cx, &input.attrs);
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => Some(named.named.iter().collect()),
                Fields::Unit => Some(Vec::new()),
                Fields::Unnamed(fields) => {
                    cx.error_spanned_by(
                        fields,
                        "SessionData needs named fields, which name their paths; write `struct Name { field: Type }`",
                    );
                    None
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "SessionData cannot be derived for an enum: use a struct with named fields, and store the enum as one field's value",
                );
                None
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "SessionData cannot be derived for a union: use a struct with named fields",
                );
                None
            }
        };
        let named: Vec<&syn::Field> = named?;
        let fields = named
            .into_iter()
            .map(|field| Field::from_syn(cx, field))
            .collect();
        Some(Input {
            original: input,
            attrs,
            fields,
        })
    }

    /// The fields that live in the Bag.
    pub(crate) fn stored(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields
            .iter()
            .filter(|field| !matches!(field.kind, Kind::Skip))
    }
}

impl<'a> Field<'a> {
    fn from_syn(cx: &Ctxt, field: &'a syn::Field) -> Self {
        let ident = field.ident.as_ref().expect("named fields have names");
        let attrs = attr::field_attrs(cx, &field.attrs);
        let ty = &field.ty;
        let kind = if attrs.skip.is_some() {
            Kind::Skip
        } else if attrs.nested.is_some() {
            Kind::Nested
        } else if let Some(inner) = option_inner(ty) {
            Kind::Optional(inner)
        } else if attrs.map.is_some() || (attrs.leaf.is_none() && is_string_keyed_map(ty)) {
            Kind::Map
        } else {
            Kind::Value
        };
        let path = attrs
            .path
            .as_ref()
            .map(|path| SchemaPath {
                labels: path.labels.clone(),
                span: path.span,
            })
            .unwrap_or_else(|| SchemaPath {
                labels: vec![ident.unraw().to_string()],
                span: ident.span(),
            });
        Field {
            original: field,
            ident,
            ty,
            attrs,
            kind,
            path,
        }
    }

    /// The function that gives a missing path its value, if not `Default`.
    pub(crate) fn default_function(&self) -> Option<&syn::ExprPath> {
        match &self.attrs.default {
            Some((_, DefaultAttr::Function(function))) => Some(function),
            _ => None,
        }
    }

    /// Where errors about the field's type point.
    pub(crate) fn type_span(&self) -> Span {
        self.ty.span()
    }
}

/// `T` when `ty` is written `Option<T>` (or with its `std`/`core` path).
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let is_option = matches!(
        segments
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["Option"] | ["std" | "core", "option", "Option"]
    );
    if !is_option {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// True for `BTreeMap<..>`, `HashMap<..>` and `IndexMap<..>`, whatever their path.
fn is_string_keyed_map(ty: &Type) -> bool {
    let Type::Path(path) = ty else { return false };
    path.qself.is_none()
        && path.path.segments.last().is_some_and(|last| {
            matches!(
                last.ident.to_string().as_str(),
                "BTreeMap" | "HashMap" | "IndexMap"
            ) && matches!(last.arguments, PathArguments::AngleBracketed(_))
        })
}
