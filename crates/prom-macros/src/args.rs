//! The arguments of the three attributes: the metric first, then options.

use proc_macro2::Span;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Pat, Token};

/// Which attribute is expanding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Time,
    CountErrors,
    TrackInprogress,
}

impl Role {
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Role::Time => "#[prom::time]",
            Role::CountErrors => "#[prom::count_errors]",
            Role::TrackInprogress => "#[prom::track_inprogress]",
        }
    }

    /// The example the messages show.
    pub(crate) fn example(self) -> &'static str {
        match self {
            Role::Time => "#[prom::time(REQUEST_TIME)]",
            Role::CountErrors => "#[prom::count_errors(FAILURES)]",
            Role::TrackInprogress => "#[prom::track_inprogress(IN_PROGRESS)]",
        }
    }

    fn options(self) -> &'static [&'static str] {
        match self {
            Role::CountErrors => &["labels", "matches"],
            Role::Time | Role::TrackInprogress => &["labels"],
        }
    }

    fn takes(self) -> &'static str {
        match self {
            Role::Time => "a `Summary`, `Histogram` or `Gauge`",
            Role::CountErrors => "a `Counter`",
            Role::TrackInprogress => "a `Gauge`",
        }
    }
}

/// The parsed arguments.
pub(crate) struct Args {
    pub(crate) metric: Expr,
    /// The label values, if the metric is a labelled family, with the span
    /// of their brackets.
    pub(crate) labels: Option<(Span, Vec<Expr>)>,
    /// Only errors matching this count (`count_errors` only).
    pub(crate) matches: Option<Pat>,
}

impl Args {
    pub(crate) fn parse(role: Role, input: ParseStream<'_>) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                format!(
                    "{} needs the metric as its first argument ({}), as in `{}`",
                    role.attribute(),
                    role.takes(),
                    role.example()
                ),
            ));
        }
        let option_first = input.peek(Ident) && input.peek2(Token![=]) && !input.peek2(Token![==]);
        if option_first {
            let ident: Ident = input.fork().parse()?;
            return Err(syn::Error::new(
                ident.span(),
                format!(
                    "{} needs the metric as its first argument, before `{ident} = ...`, as in `{}`",
                    role.attribute(),
                    role.example()
                ),
            ));
        }
        let metric: Expr = input.parse()?;
        let mut args = Args {
            metric,
            labels: None,
            matches: None,
        };
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let name: Ident = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!(
                        "expected an option after the metric: {}",
                        options_list(role)
                    ),
                )
            })?;
            let known = role.options().contains(&name.to_string().as_str());
            if !known {
                return Err(syn::Error::new(
                    name.span(),
                    format!(
                        "unknown option `{name}` of {}: it takes {}",
                        role.attribute(),
                        options_list(role)
                    ),
                ));
            }
            input.parse::<Token![=]>()?;
            let twice = || syn::Error::new(name.span(), format!("`{name}` is given twice"));
            if name == "labels" {
                if args.labels.is_some() {
                    return Err(twice());
                }
                args.labels = Some(parse_labels(input, &name)?);
            } else {
                if args.matches.is_some() {
                    return Err(twice());
                }
                args.matches = Some(Pat::parse_multi_with_leading_vert(input)?);
            }
        }
        Ok(args)
    }
}

fn options_list(role: Role) -> String {
    role.options()
        .iter()
        .map(|o| match *o {
            "labels" => "`labels = [value, ...]` (the label values of a family's child)",
            _ => "`matches = PATTERN` (count only the errors matching it)",
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

fn parse_labels(input: ParseStream<'_>, name: &Ident) -> syn::Result<(Span, Vec<Expr>)> {
    let content;
    if !input.peek(syn::token::Bracket) {
        return Err(syn::Error::new(
            input.span(),
            "`labels` takes the label values in brackets, as in `labels = [method.as_str(), \"fixed\"]`",
        ));
    }
    let brackets = syn::bracketed!(content in input);
    let values = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
    if values.is_empty() {
        return Err(syn::Error::new(
            name.span(),
            "`labels = []` gives no label values: leave `labels` out for an unlabelled metric",
        ));
    }
    Ok((brackets.span.join(), values.into_iter().collect()))
}
