//! Checks that need the whole input: attributes that contradict each other, fields
//! that share a path or nest inside another's, and generics the derive cannot serve.

use crate::ast::{Input, Kind};
use crate::ctxt::Ctxt;

/// Reports every problem of `input` into `cx`.
pub(crate) fn check(cx: &Ctxt, input: &Input<'_>) {
    check_generics(cx, input);
    check_attribute_combinations(cx, input);
    check_paths(cx, input);
}

fn check_generics(cx: &Ctxt, input: &Input<'_>) {
    for lifetime in input.original.generics.lifetimes() {
        cx.error_spanned_by(
            &lifetime.lifetime,
            "SessionData structs are read from the Bag and own their data: remove the lifetime and use owned types (`String`, not `&str`)",
        );
    }
}

fn check_attribute_combinations(cx: &Ctxt, input: &Input<'_>) {
    for field in &input.fields {
        let attrs = &field.attrs;
        let name = field.ident;
        if attrs.skip.is_some() {
            let others = [
                ("path", attrs.path.as_ref().map(|p| p.span)),
                ("default", attrs.default.as_ref().map(|(span, _)| *span)),
                ("nested", attrs.nested),
                ("map", attrs.map),
                ("leaf", attrs.leaf),
            ];
            for (key, span) in others {
                if let Some(span) = span {
                    cx.error_at(
                        span,
                        format!("`{key}` has no effect on `{name}`, which is #[session(skip)] and never stored: remove one of the two"),
                    );
                }
            }
            continue;
        }
        if attrs.nested.is_some() {
            let others = [
                ("default", attrs.default.as_ref().map(|(span, _)| *span)),
                ("map", attrs.map),
                ("leaf", attrs.leaf),
            ];
            for (key, span) in others {
                if let Some(span) = span {
                    cx.error_at(
                        span,
                        format!("`{key}` cannot be combined with `nested` on `{name}`: a nested struct takes its defaults and storage from its own fields"),
                    );
                }
            }
        }
        if let (Some(_), Some(leaf)) = (attrs.map, attrs.leaf) {
            cx.error_at(
                leaf,
                format!("`{name}` cannot be both `map` (a sub-Bag, one node per key) and `leaf` (one value): keep one"),
            );
        }
        if let (Some(map), Kind::Optional(_)) = (attrs.map, &field.kind) {
            cx.error_at(
                map,
                format!("`{name}` is an `Option`, which is stored as one value; a sub-Bag map is never absent, so use the map type itself (empty when missing)"),
            );
        }
    }
}

fn check_paths(cx: &Ctxt, input: &Input<'_>) {
    let stored: Vec<_> = input.stored().collect();
    for (i, later) in stored.iter().enumerate() {
        for earlier in &stored[..i] {
            let (a, b) = (&earlier.path.labels, &later.path.labels);
            if a == b {
                cx.error_at(
                    later.path.span,
                    format!(
                        "`{}` and `{}` are both stored at `{}`: give one of them another #[session(path = \"...\")]",
                        earlier.ident,
                        later.ident,
                        later.path.display()
                    ),
                );
            } else if a.len() < b.len() && b.starts_with(a) || b.len() < a.len() && a.starts_with(b)
            {
                let (outer, inner) = if a.len() < b.len() {
                    (earlier, later)
                } else {
                    (later, earlier)
                };
                cx.error_at(
                    later.path.span,
                    format!(
                        "`{}` at `{}` would live inside `{}` at `{}`: a path cannot be a prefix of another; move one of them, or make `{}` a #[session(nested)] struct",
                        inner.ident,
                        inner.path.display(),
                        outer.ident,
                        outer.path.display(),
                        outer.ident
                    ),
                );
            }
        }
    }
}
