//! `static_metrics!`: parsing the declarations, checking their literals with
//! prom-core's rules, and writing each as a `prom::StaticMetric` static.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitStr, Token, Type, Visibility};

use crate::names::{check_buckets, check_label_name, check_metric_name, Kind};

/// Every declaration of one `static_metrics!` block.
pub(crate) struct Declarations(Vec<Declaration>);

struct Declaration {
    attrs: Vec<Attribute>,
    vis: Visibility,
    ident: Ident,
    /// `Counter`, `CounterVec`, …: the facade's type of that name.
    ty: Ident,
    name: LitStr,
    help: LitStr,
    labels: Vec<LitStr>,
    /// The bounds, each with the tokens it was written as (for its span).
    buckets: Vec<(f64, Span)>,
}

/// The types a static metric can have, with their kind and whether they
/// are labelled families.
const TYPES: &[(&str, Kind, bool)] = &[
    ("Counter", Kind::Counter, false),
    ("Gauge", Kind::Gauge, false),
    ("Histogram", Kind::Histogram, false),
    ("Summary", Kind::Summary, false),
    ("CounterVec", Kind::Counter, true),
    ("GaugeVec", Kind::Gauge, true),
    ("HistogramVec", Kind::Histogram, true),
    ("SummaryVec", Kind::Summary, true),
];

const SHAPE: &str = "a static metric is declared as `static REQUESTS: CounterVec = (\"http_requests_total\", \"Requests served.\", labels = [\"method\"]);`";

impl Parse for Declarations {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut all = Vec::new();
        while !input.is_empty() {
            all.push(input.parse()?);
        }
        if all.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                format!("prom::static_metrics! declares no metric: {SHAPE}"),
            ));
        }
        Ok(Self(all))
    }
}

impl Parse for Declaration {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        if !input.peek(Token![static]) {
            return Err(syn::Error::new(input.span(), SHAPE));
        }
        input.parse::<Token![static]>()?;
        if let Some(token) = input.parse::<Option<Token![mut]>>()? {
            return Err(syn::Error::new(
                token.span,
                "a static metric cannot be `static mut`: metrics are shared handles, updated through `&`",
            ));
        }
        let ident: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty: Type = input.parse()?;
        let (ty, kind, labelled) = metric_type(&ty)?;
        input.parse::<Token![=]>()?;
        let content;
        let parens = syn::parenthesized!(content in input);
        let name = string(&content, parens.span.join(), "the metric name")?;
        check_metric_name(&name.value(), kind).map_err(|e| syn::Error::new(name.span(), e))?;
        content.parse::<Token![,]>().map_err(|e| {
            syn::Error::new(e.span(), "expected `,` and the help text after the name")
        })?;
        let help = string(&content, parens.span.join(), "the help text")?;
        let mut labels = None;
        let mut buckets = None;
        while !content.is_empty() {
            content.parse::<Token![,]>()?;
            if content.is_empty() {
                break;
            }
            let option: Ident = content.parse()?;
            content.parse::<Token![=]>()?;
            let twice = || syn::Error::new(option.span(), format!("`{option}` is given twice"));
            if option == "labels" {
                if labels.is_some() {
                    return Err(twice());
                }
                labels = Some((option.clone(), parse_labels(&content, kind)?));
            } else if option == "buckets" {
                if buckets.is_some() {
                    return Err(twice());
                }
                if kind != Kind::Histogram {
                    return Err(syn::Error::new(
                        option.span(),
                        format!("`buckets` are for histograms; {ty} has none"),
                    ));
                }
                buckets = Some(parse_buckets(&content)?);
            } else {
                return Err(syn::Error::new(
                    option.span(),
                    format!(
                        "unknown option `{option}`: a static metric takes `labels = [\"name\", ...]` (families) and `buckets = [0.1, ...]` (histograms); for other options, declare a `std::sync::LazyLock` built from `prom::Opts`"
                    ),
                ));
            }
        }
        input.parse::<Token![;]>()?;
        let labels = match (labels, labelled) {
            (Some((_, labels)), true) => labels,
            (None, false) => Vec::new(),
            (None, true) => {
                return Err(syn::Error::new(
                    ty.span(),
                    format!(
                        "{ty} is a labelled family: give its label names, as in `labels = [\"method\"]`"
                    ),
                ))
            }
            (Some((option, _)), false) => {
                return Err(syn::Error::new(
                    option.span(),
                    format!("{ty} has no labels: declare a {ty}Vec to have some"),
                ))
            }
        };
        Ok(Declaration {
            attrs,
            vis,
            ident,
            ty,
            name,
            help,
            labels,
            buckets: buckets.unwrap_or_default(),
        })
    }
}

/// The facade type a declared type names, by its last path segment.
fn metric_type(ty: &Type) -> syn::Result<(Ident, Kind, bool)> {
    let wrong = || {
        let names: Vec<&str> = TYPES.iter().map(|t| t.0).collect();
        syn::Error::new(
            ty.span(),
            format!(
                "a static metric's type is one of {} (for another, declare a `std::sync::LazyLock`)",
                names.join(", ")
            ),
        )
    };
    let Type::Path(path) = ty else {
        return Err(wrong());
    };
    let last = path.path.segments.last().ok_or_else(wrong)?;
    if !last.arguments.is_none() {
        return Err(wrong());
    }
    let (_, kind, labelled) = TYPES.iter().find(|t| last.ident == t.0).ok_or_else(wrong)?;
    Ok((last.ident.clone(), *kind, *labelled))
}

fn string(input: ParseStream<'_>, span: Span, what: &str) -> syn::Result<LitStr> {
    if input.is_empty() {
        return Err(syn::Error::new(
            span,
            format!("expected {what} as a string literal; {SHAPE}"),
        ));
    }
    input.parse::<LitStr>().map_err(|e| {
        syn::Error::new(
            e.span(),
            format!("expected {what} as a string literal; {SHAPE}"),
        )
    })
}

fn parse_labels(input: ParseStream<'_>, kind: Kind) -> syn::Result<Vec<LitStr>> {
    let content;
    syn::bracketed!(content in input);
    let labels: Vec<LitStr> = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?
        .into_iter()
        .collect();
    let names: Vec<String> = labels.iter().map(LitStr::value).collect();
    for (i, label) in labels.iter().enumerate() {
        check_label_name(&names, i, kind).map_err(|e| syn::Error::new(label.span(), e))?;
    }
    Ok(labels)
}

fn parse_buckets(input: ParseStream<'_>) -> syn::Result<Vec<(f64, Span)>> {
    let content;
    let brackets = syn::bracketed!(content in input);
    let mut bounds = Vec::new();
    while !content.is_empty() {
        let minus = content.parse::<Option<Token![-]>>()?;
        let lookahead = content.lookahead1();
        let (value, span): (f64, Span) = if lookahead.peek(syn::LitFloat) {
            let lit: syn::LitFloat = content.parse()?;
            (lit.base10_parse()?, lit.span())
        } else if lookahead.peek(syn::LitInt) {
            let lit: syn::LitInt = content.parse()?;
            (
                lit.base10_digits()
                    .parse()
                    .map_err(|_| syn::Error::new(lit.span(), "not a number"))?,
                lit.span(),
            )
        } else {
            return Err(syn::Error::new(
                content.span(),
                "`buckets` takes number literals, as in `buckets = [0.05, 0.1, 0.5, 1]`",
            ));
        };
        bounds.push((if minus.is_some() { -value } else { value }, span));
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    let values: Vec<f64> = bounds.iter().map(|b| b.0).collect();
    check_buckets(&values).map_err(|e| syn::Error::new(brackets.span.join(), e))?;
    Ok(bounds)
}

impl Declarations {
    pub(crate) fn expand(self) -> TokenStream {
        self.0.into_iter().map(Declaration::expand).collect()
    }
}

impl Declaration {
    fn expand(self) -> TokenStream {
        let Declaration {
            attrs,
            vis,
            ident,
            ty,
            name,
            help,
            labels,
            buckets,
        } = self;
        let n = labels.len();
        let path = ident.to_string();
        let buckets = buckets.iter().map(|(value, span)| {
            let magnitude = Literal::f64_unsuffixed(value.abs());
            let sign = value.is_sign_negative().then(|| quote!(-));
            quote_spanned!(*span=> #sign #magnitude)
        });
        quote_spanned! {ident.span()=>
            #(#attrs)*
            #vis static #ident: ::prom::StaticMetric<::prom::#ty, #n> = ::prom::StaticMetric::__declare(
                ::core::concat!(::core::module_path!(), "::", #path),
                ::core::file!(),
                ::core::line!(),
                #name,
                #help,
                [#(#labels),*],
                &[#(#buckets),*],
            );
        }
    }
}
