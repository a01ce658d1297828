//! Code generation: the `SessionData` impl and the struct of typed path handles.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::{DeriveInput, GenericParam};

use crate::ast::{Field, Input, Kind};
use crate::attr::StructAttrs;
use crate::ctxt::Ctxt;
use crate::{krate, valid};

/// Parses, validates and expands; on invalid input, the errors and a minimal impl.
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::default();
    let parsed = crate::ast::Input::from_syn(&cx, input);
    if let Some(parsed) = &parsed {
        valid::check(&cx, parsed);
    }
    match (cx.check(), parsed) {
        (Ok(()), Some(parsed)) => expand(&parsed),
        (Err(errors), parsed) => {
            let attrs = parsed.map(|p| p.attrs).unwrap_or_default();
            let mut out = errors.to_compile_error();
            out.extend(fallback(input, &attrs));
            out
        }
        (Ok(()), None) => unreachable!("a refused input always records why"),
    }
}

/// An impl that compiles whatever the struct looks like, so that the user sees the
/// derive's errors and not a wall of "SessionData is not implemented" elsewhere.
fn fallback(input: &DeriveInput, attrs: &StructAttrs) -> TokenStream {
    let krate = krate::runtime_path(attrs.krate.as_ref());
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let private = quote!(#krate::__private);
    quote! {
        const _: () = {
            impl #impl_generics #private::SessionData for #ident #ty_generics #where_clause {
                type Paths = ();
                fn paths() -> Self::Paths {}
                fn schema() -> ::std::vec::Vec<#private::SchemaField> {
                    ::std::unimplemented!("#[derive(SessionData)] failed")
                }
                fn from_bag(_: &#private::Bag) -> ::core::result::Result<Self, #private::BagError> {
                    ::std::unimplemented!("#[derive(SessionData)] failed")
                }
                fn write_to_bag(&self, _: &mut #private::Bag) -> ::core::result::Result<(), #private::BagError> {
                    ::std::unimplemented!("#[derive(SessionData)] failed")
                }
            }
        };
    }
}

fn expand(input: &Input<'_>) -> TokenStream {
    let krate = krate::runtime_path(input.attrs.krate.as_ref());
    let private = quote!(#krate::__private);
    let original = input.original;
    let ident = &original.ident;
    let paths_ident = format_ident!("{}Paths", ident);

    let (impl_generics, ty_generics, _) = original.generics.split_for_impl();
    let mut generics = original.generics.clone();
    {
        let where_clause = generics.make_where_clause();
        for field in &input.fields {
            where_clause.predicates.push(field_bound(field, &private));
        }
    }
    let (_, _, where_clause) = generics.split_for_impl();

    let stored: Vec<&Field<'_>> = input.stored().collect();

    // The path table: labels of the root and of each stored field.
    let root_labels = input
        .attrs
        .root
        .as_ref()
        .map(|root| root.labels.clone())
        .unwrap_or_default();
    let field_labels = stored.iter().map(|field| {
        let labels = &field.path.labels;
        quote!(&[#(#labels),*])
    });
    let table = quote! {
        fn __session_table() -> &'static #private::PathTable {
            static TABLE: #private::OnceLock<#private::PathTable> = #private::OnceLock::new();
            TABLE.get_or_init(|| #private::PathTable::new(&[#(#root_labels),*], &[#(#field_labels),*]))
        }
    };

    // Reading: one expression per field, in declaration order.
    let mut index = 0usize;
    let read_fields = input.fields.iter().map(|field| {
        let name = field.ident;
        let ty = field.ty;
        let value = match &field.kind {
            Kind::Skip => quote!(::core::default::Default::default()),
            kind => {
                let i = index;
                index += 1;
                let path = quote!(&__table.at(#i, __base));
                let default = match field.default_function() {
                    Some(function) => quote!(#function()),
                    None => quote!(::core::default::Default::default()),
                };
                match kind {
                    Kind::Value => quote! {
                        match #private::read_value::<#ty>(__bag, #path)? {
                            ::core::option::Option::Some(value) => value,
                            ::core::option::Option::None => #default,
                        }
                    },
                    Kind::Optional(inner) => quote! {
                        match #private::read_optional::<#inner>(__bag, #path)? {
                            ::core::option::Option::Some(value) => value,
                            ::core::option::Option::None => #default,
                        }
                    },
                    Kind::Map => quote! {
                        match #private::read_map::<#ty>(__bag, #path)? {
                            ::core::option::Option::Some(value) => value,
                            ::core::option::Option::None => #default,
                        }
                    },
                    Kind::Nested => quote! {
                        <#ty as #private::SessionData>::__read(__bag, #private::Base::At(#path))?
                    },
                    Kind::Skip => unreachable!(),
                }
            }
        };
        quote!(#name: #value)
    });
    let read_fields: Vec<TokenStream> = read_fields.collect();

    let write_fields = stored.iter().enumerate().map(|(i, field)| {
        let name = field.ident;
        let ty = field.ty;
        let path = quote!(&__table.at(#i, __base));
        match &field.kind {
            Kind::Value => quote!(#private::write_value::<#ty>(__bag, #path, &self.#name)?;),
            Kind::Optional(inner) => {
                quote!(#private::write_optional::<#inner>(__bag, #path, &self.#name)?;)
            }
            Kind::Map => quote!(#private::write_map::<#ty>(__bag, #path, &self.#name)?;),
            Kind::Nested => quote! {
                <#ty as #private::SessionData>::__write(&self.#name, __bag, #private::Base::At(#path))?;
            },
            Kind::Skip => unreachable!("skipped fields are not stored"),
        }
    });

    let handle_types: Vec<TokenStream> = stored
        .iter()
        .map(|field| {
            let ty = field.ty;
            match &field.kind {
                Kind::Value => quote!(#private::TypedPath<#ty>),
                Kind::Optional(inner) => quote!(#private::TypedPath<#inner>),
                Kind::Map => quote!(#private::MapPath<#ty>),
                Kind::Nested => quote!(<#ty as #private::SessionData>::Paths),
                Kind::Skip => unreachable!("skipped fields have no handle"),
            }
        })
        .collect();
    let handle_values = stored.iter().enumerate().map(|(i, field)| {
        let name = field.ident;
        let path = quote!(__table.at(#i, __base));
        let value = match &field.kind {
            Kind::Value | Kind::Optional(_) => {
                quote!(#private::TypedPath::new(#path.into_owned()))
            }
            Kind::Map => quote!(#private::MapPath::new(#path.into_owned())),
            Kind::Nested => {
                let ty = field.ty;
                quote!(<#ty as #private::SessionData>::__paths(#private::Base::At(&#path)))
            }
            Kind::Skip => unreachable!("skipped fields have no handle"),
        };
        quote!(#name: #value)
    });
    let schema_entries = stored.iter().enumerate().map(|(i, field)| {
        let ty = field.ty;
        match &field.kind {
            Kind::Nested => quote! {
                <#ty as #private::SessionData>::__schema(#private::Base::At(&__table.at(#i, __base)), __out);
            },
            _ => {
                let type_name = type_name(ty);
                quote! {
                    __out.push(#private::SchemaField {
                        path: ::std::string::ToString::to_string(&*__table.at(#i, __base)),
                        type_name: #type_name,
                    });
                }
            }
        }
    });

    let paths_struct = paths_struct(input, &paths_ident, &handle_types, &private);
    let has_type_params = original
        .generics
        .params
        .iter()
        .any(|p| matches!(p, GenericParam::Type(_)));
    let marker = has_type_params.then(|| quote!(__marker: ::core::marker::PhantomData,));

    quote! {
        #paths_struct

        const _: () = {
            #table

            #[automatically_derived]
            impl #impl_generics #private::SessionData for #ident #ty_generics #where_clause {
                type Paths = #paths_ident #ty_generics;

                fn paths() -> Self::Paths {
                    <Self as #private::SessionData>::__paths(#private::Base::Root)
                }

                fn schema() -> ::std::vec::Vec<#private::SchemaField> {
                    let mut out = ::std::vec::Vec::new();
                    <Self as #private::SessionData>::__schema(#private::Base::Root, &mut out);
                    out
                }

                fn from_bag(bag: &#private::Bag) -> ::core::result::Result<Self, #private::BagError> {
                    <Self as #private::SessionData>::__read(bag, #private::Base::Root)
                }

                fn write_to_bag(&self, bag: &mut #private::Bag) -> ::core::result::Result<(), #private::BagError> {
                    <Self as #private::SessionData>::__write(self, bag, #private::Base::Root)
                }

                fn __read(
                    __bag: &#private::Bag,
                    __base: #private::Base<'_>,
                ) -> ::core::result::Result<Self, #private::BagError> {
                    let __table = __session_table();
                    ::core::result::Result::Ok(#ident { #(#read_fields,)* })
                }

                fn __write(
                    &self,
                    __bag: &mut #private::Bag,
                    __base: #private::Base<'_>,
                ) -> ::core::result::Result<(), #private::BagError> {
                    let __table = __session_table();
                    #(#write_fields)*
                    ::core::result::Result::Ok(())
                }

                fn __paths(__base: #private::Base<'_>) -> Self::Paths {
                    let __table = __session_table();
                    #paths_ident { #(#handle_values,)* #marker }
                }

                fn __schema(
                    __base: #private::Base<'_>,
                    __out: &mut ::std::vec::Vec<#private::SchemaField>,
                ) {
                    let __table = __session_table();
                    #(#schema_entries)*
                }
            }
        };
    }
}

/// The bound a field's type needs, spanned at the type so that an unmet bound is
/// reported there, once.
fn field_bound(field: &Field<'_>, private: &TokenStream) -> syn::WherePredicate {
    let ty = field.ty;
    let span = field.type_span();
    // The compiler points an unmet bound at the trait path, so it gets the type's span.
    let private = respan(private, span);
    let needs_default = field.default_function().is_none();
    let default = quote_spanned!(span=> ::core::default::Default);
    let tokens = match &field.kind {
        Kind::Value if needs_default => {
            quote_spanned!(span=> #ty: #private::FieldValue + #default)
        }
        Kind::Value => quote_spanned!(span=> #ty: #private::FieldValue),
        Kind::Optional(inner) => quote_spanned!(span=> #inner: #private::FieldValue),
        Kind::Map => quote_spanned!(span=> #ty: #private::MapField),
        Kind::Nested => quote_spanned!(span=> #ty: #private::SessionData),
        Kind::Skip => quote_spanned!(span=> #ty: #default),
    };
    syn::parse2(tokens).expect("a type and a bound make a where predicate")
}

fn paths_struct(
    input: &Input<'_>,
    paths_ident: &syn::Ident,
    handle_types: &[TokenStream],
    private: &TokenStream,
) -> TokenStream {
    let original = input.original;
    let ident = &original.ident;
    let vis = &original.vis;
    let generics = &original.generics;
    let (impl_generics, ty_generics, _) = generics.split_for_impl();
    let stored: Vec<&Field<'_>> = input.stored().collect();
    let names: Vec<&syn::Ident> = stored.iter().map(|field| field.ident).collect();
    let field_vis = stored.iter().map(|field| &field.original.vis);
    let field_docs = stored.iter().map(|field| {
        let root = input.attrs.root.as_ref().map(|r| r.display());
        let path = field.path.display();
        let full = match root {
            Some(root) => format!("{root}.{path}"),
            None => path,
        };
        format!("`{full}`: the handle of field `{}`.", field.ident)
    });
    let type_params: Vec<&syn::Ident> = generics.type_params().map(|param| &param.ident).collect();
    let marker_field = (!type_params.is_empty()).then(|| {
        quote! {
            #[doc(hidden)]
            __marker: ::core::marker::PhantomData<fn() -> (#(#type_params,)*)>,
        }
    });
    let doc = format!("Typed path handles of the fields of [`{ident}`], from `{ident}::paths()`.");
    let nested_bounds = stored
        .iter()
        .filter(|field| matches!(field.kind, Kind::Nested))
        .map(|field| field_bound(field, private));
    let mut struct_generics = generics.clone();
    struct_generics
        .make_where_clause()
        .predicates
        .extend(nested_bounds);
    let (_, _, struct_where) = struct_generics.split_for_impl();
    let struct_params = &generics.params;
    let with_bound = |bound: TokenStream| {
        let mut generics = struct_generics.clone();
        let where_clause = generics.make_where_clause();
        for ty in handle_types {
            where_clause.predicates.push(syn::parse_quote!(#ty: #bound));
        }
        generics.where_clause
    };
    let clone_where = with_bound(quote!(::core::clone::Clone));
    let debug_where = with_bound(quote!(::core::fmt::Debug));
    let marker_value =
        (!type_params.is_empty()).then(|| quote!(__marker: ::core::marker::PhantomData,));
    let paths_name = paths_ident.to_string();
    let name_strs = names.iter().map(|name| name.to_string());
    quote! {
        #[doc = #doc]
        #vis struct #paths_ident <#struct_params> #struct_where {
            #(
                #[doc = #field_docs]
                #field_vis #names: #handle_types,
            )*
            #marker_field
        }

        #[automatically_derived]
        impl #impl_generics ::core::clone::Clone for #paths_ident #ty_generics #clone_where {
            fn clone(&self) -> Self {
                #paths_ident {
                    #(#names: ::core::clone::Clone::clone(&self.#names),)*
                    #marker_value
                }
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::fmt::Debug for #paths_ident #ty_generics #debug_where {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#paths_name)
                    #(.field(#name_strs, &self.#names))*
                    .finish()
            }
        }
    }
}

fn respan(tokens: &TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .clone()
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}

/// The field's type as written, without the spaces token printing adds.
fn type_name(ty: &syn::Type) -> String {
    let text = quote!(#ty).to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let prev = out.chars().last();
            let next = chars.peek().copied();
            let glue_before = matches!(next, Some('<' | '>' | ',' | ':' | ')' | ']'));
            let glue_after = matches!(prev, Some('<' | ':' | '(' | '[' | '&'));
            if glue_before || glue_after {
                continue;
            }
        }
        out.push(c);
    }
    out
}
