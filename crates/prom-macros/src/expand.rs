//! Rewriting a function's body for the three attributes. The signature is
//! never touched (generics, `self`, `impl Trait` and lifetimes stay as the
//! user wrote them): guards are put at the start of the body, where they
//! live until the call ends, and `count_errors` wraps the body to see its
//! result. The guards and the counting are calls of `::prom::instrument`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Block, Expr, Ident, Item, ItemFn, ReturnType, Stmt, Type};

use crate::args::{Args, Role};

/// Where the guards go.
enum Target {
    /// A plain function: the guards live in its frame.
    Sync,
    /// An `async fn`: the guards live in its future, from the first poll
    /// until it completes or is dropped.
    AsyncFn,
    /// A function whose body ends in an `async` block, or in
    /// `Box::pin(async ...)` as `#[async_trait]` writes: the guards go in
    /// that block, so they span the future as for an `async fn`.
    AsyncTail,
}

pub(crate) fn expand(role: Role, args: Args, item: TokenStream) -> syn::Result<TokenStream> {
    let mut func: ItemFn = syn::parse2(item.clone()).map_err(|_| not_a_function(role, item))?;
    if func.sig.constness.is_some() {
        return Err(syn::Error::new(
            Span::call_site(),
            format!(
                "{} cannot go on a `const fn`: measuring a call reads clocks and atomics, which constant evaluation cannot do",
                role.attribute()
            ),
        ));
    }
    let target = if func.sig.asyncness.is_some() {
        Target::AsyncFn
    } else if async_tail(&mut func.block).is_some() {
        Target::AsyncTail
    } else {
        Target::Sync
    };
    if role == Role::CountErrors && !matches!(target, Target::AsyncTail) {
        check_returns_result(&func)?;
    }

    let stmts = guards(role, &args);
    let block: &mut Block = match target {
        Target::AsyncTail => {
            &mut async_tail(&mut func.block)
                .expect("the tail was found above")
                .block
        }
        Target::Sync | Target::AsyncFn => &mut func.block,
    };
    if role == Role::CountErrors {
        let body = count_errors_body(&args, stmts, block, &target);
        *block = syn::parse2(body)?;
    } else {
        let mut new = stmts;
        new.append(&mut block.stmts);
        block.stmts = new;
    }
    Ok(func.into_token_stream())
}

/// The `async` block a body ends in (`async {}` or `Box::pin(async {})`).
fn async_tail(block: &mut Block) -> Option<&mut syn::ExprAsync> {
    match block.stmts.last_mut()? {
        Stmt::Expr(Expr::Async(tail), None) => Some(tail),
        Stmt::Expr(Expr::Call(call), None) => {
            let is_pin = match &*call.func {
                Expr::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "pin"),
                _ => false,
            };
            let one = call.args.len() == 1;
            match call.args.first_mut() {
                Some(Expr::Async(tail)) if is_pin && one => Some(tail),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The statements that start the body: the child lookup for `labels`, then
/// the guard (or, for `count_errors`, the counter and the panic guard).
fn guards(role: Role, args: &Args) -> Vec<Stmt> {
    let site = Span::mixed_site();
    let metric = &args.metric;
    // Bound by `let x = &(...)`, so that a temporary (a handle returned by a
    // call) lives as long as the guard borrowing it. The binding is located
    // at the metric, so that a wrong type is reported at the argument of the
    // attribute.
    let at_metric = site.located_at(metric.span());
    let metric_ref = Ident::new("prom_metric", at_metric);
    let bind = quote_spanned!(at_metric=> let #metric_ref = &(#metric););
    let child = Ident::new("prom_child", site);
    let lookup = args.labels.as_ref().map(|(brackets, values)| {
        // A wrong number of values is reported at the brackets.
        let values = quote_spanned!(*brackets=> [#(#values),*]);
        quote_spanned! {at_metric=>
            let #child = ::prom::instrument::child(#metric_ref, #values);
        }
    });
    let tokens = match role {
        Role::Time | Role::TrackInprogress => {
            let guard = Ident::new("__prom_guard", site);
            // At the metric too: a metric of the wrong type is reported
            // there.
            let function = match role {
                Role::Time => quote_spanned!(at_metric=> ::prom::instrument::start_timer),
                _ => quote_spanned!(at_metric=> ::prom::instrument::track_inprogress),
            };
            match lookup {
                None => quote_spanned! {at_metric=>
                    let #guard = #function(#metric_ref);
                },
                Some(lookup) => quote! {
                    #lookup
                    let #guard = ::core::option::Option::map(::core::option::Option::as_ref(&#child), #function);
                },
            }
        }
        Role::CountErrors => {
            let counter = Ident::new("prom_counter", site);
            let counter = match lookup {
                None => quote_spanned! {at_metric=>
                    let #counter = ::core::option::Option::Some(::prom::instrument::counter(#metric_ref));
                },
                Some(lookup) => quote! {
                    #lookup
                    let #counter: ::core::option::Option<&::prom::Counter> = ::core::option::Option::as_ref(&#child);
                },
            };
            let panics = Ident::new("__prom_panics", site);
            // With a pattern only the matching errors count, and a panic is
            // not one of them.
            let panic_guard = args.matches.is_none().then(|| {
                let counter = Ident::new("prom_counter", site);
                quote! { let #panics = ::prom::instrument::count_panics(#counter); }
            });
            quote! { #counter #panic_guard }
        }
    };
    syn::parse::Parser::parse2(Block::parse_within, quote!(#bind #tokens))
        .expect("the guards are statements")
}

/// The new body of a `count_errors` function: the guards, then the old body
/// run as a closure (or awaited as an `async` block) whose result is
/// counted and returned.
///
/// Neither moves: each captures what the body uses as the body does, so a
/// metric borrowed from `self` can sit next to a body that mutates other
/// fields, or moves them out of a `self` taken by value.
fn count_errors_body(
    args: &Args,
    guards: Vec<Stmt>,
    block: &Block,
    target: &Target,
) -> TokenStream {
    let site = Span::mixed_site();
    let counter = Ident::new("prom_counter", site);
    let error = Ident::new("prom_error", site);
    let counts = match &args.matches {
        Some(pattern) => quote!(|#error| ::core::matches!(#error, #pattern)),
        None => quote!(|_| true),
    };
    let tail = match target {
        Target::Sync => quote! {
            ::prom::instrument::count_error_in(#counter, || #block, #counts)
        },
        Target::AsyncFn | Target::AsyncTail => quote! {
            ::prom::instrument::count_error(#counter, (async #block).await, #counts)
        },
    };
    // Spanned at the attribute, so that a return type that is no `Result`
    // is reported there.
    let tail = quote_spanned!(Span::call_site()=> #tail);
    quote! {{
        #(#guards)*
        #tail
    }}
}

/// `count_errors` needs a `Result`: refuse the return types that cannot be
/// one here, with the attribute's span; a path (`Result`, `io::Result`, an
/// alias) is checked by the compiler through `prom::instrument::Outcome`.
fn check_returns_result(func: &ItemFn) -> syn::Result<()> {
    let returns = match &func.sig.output {
        ReturnType::Default => Some("`()`".to_owned()),
        ReturnType::Type(_, ty) => match strip(ty) {
            Type::Path(_) => None,
            other => Some(format!("`{}`", readable(other))),
        },
    };
    match returns {
        None => Ok(()),
        Some(returns) => Err(syn::Error::new(
            Span::call_site(),
            format!(
                "#[prom::count_errors] counts the `Err`s a function returns, but `{}` returns {returns}, not a `Result`: give it a `Result` return type (to count panics alone, keep `let _guard = COUNTER.count_panics();` in its body)",
                func.sig.ident
            ),
        )),
    }
}

/// A type as written, without the spaces token printing puts around `<`,
/// `>` and after `&`.
fn readable(ty: &Type) -> String {
    ty.to_token_stream()
        .to_string()
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace("& ", "&")
}

fn strip(ty: &Type) -> &Type {
    match ty {
        Type::Paren(p) => strip(&p.elem),
        Type::Group(g) => strip(&g.elem),
        other => other,
    }
}

/// The error for an attribute on something that is not a function with a
/// body.
fn not_a_function(role: Role, item: TokenStream) -> syn::Error {
    let what = if syn::parse2::<syn::TraitItemFn>(item.clone()).is_ok() {
        return syn::Error::new(
            Span::call_site(),
            format!(
                "{} goes on a function with a body; this trait method has none: put the attribute on its implementations",
                role.attribute()
            ),
        );
    } else {
        match syn::parse2::<Item>(item) {
            Ok(Item::Struct(_)) => "a struct",
            Ok(Item::Enum(_)) => "an enum",
            Ok(Item::Union(_)) => "a union",
            Ok(Item::Static(_)) => "a static",
            Ok(Item::Const(_)) => "a constant",
            Ok(Item::Impl(_)) => "an impl block (put it on the methods)",
            Ok(Item::Trait(_)) => "a trait",
            Ok(Item::Mod(_)) => "a module",
            Ok(Item::Type(_)) => "a type alias",
            Ok(Item::Use(_)) => "a use declaration",
            _ => "not a function",
        }
    };
    syn::Error::new(
        Span::call_site(),
        format!(
            "{} goes on a function or method (sync or `async`), as in `{} fn process_request() {{ ... }}`; this is {what}",
            role.attribute(),
            role.example()
        ),
    )
}
