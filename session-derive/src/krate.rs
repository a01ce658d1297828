//! Where the generated code finds the runtime: `session_core`, or its re-export
//! `session_axum::core`, whichever the user's `Cargo.toml` depends on.

use proc_macro_crate::{FoundCrate, crate_name};
use proc_macro2::{Span, TokenStream};
use quote::quote;

/// The path of the `session-core` crate as the user's crate can name it.
pub(crate) fn runtime_path(explicit: Option<&syn::Path>) -> TokenStream {
    if let Some(path) = explicit {
        return quote!(#path);
    }
    // `Itself` is answered in a crate's own lib and doctests: the absolute name works
    // in doctests, and a lib that uses its own derive adds `extern crate self as ...`.
    match crate_name("session-core") {
        Ok(FoundCrate::Itself) => quote!(::session_core),
        Ok(FoundCrate::Name(name)) => named(&name),
        Err(_) => match crate_name("session-axum") {
            Ok(FoundCrate::Itself) => quote!(::session_axum::core),
            Ok(FoundCrate::Name(name)) => {
                let axum = named(&name);
                quote!(#axum::core)
            }
            Err(_) => quote!(::session_core),
        },
    }
}

fn named(name: &str) -> TokenStream {
    let ident = syn::Ident::new(name, Span::call_site());
    quote!(::#ident)
}
