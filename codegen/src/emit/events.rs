//! The crate's webhook events: `src/events.rs` with one `Event` enum, a variant per documented
//! event holding its typed payload, and `Unknown` for events added later.
//!
//! The provider's verified webhook ([`Runtime::Webhook`]) is the input: generated code calls its
//! `action().as_str()` (the event's name) and `json::<T>()` (the payload decoded), nothing else.

use proc_macro2::TokenStream;
use quote::quote;

use super::module_types::ModuleTypes;
use super::names::pascal;
use super::settings::{Runtime, Settings};
use super::types::{Mode, TypeSpace, docs, ident};
use crate::ir::{Event, Type};

/// The module, file and cargo feature of the events.
pub(super) const MODULE: &str = "events";

/// The events' module before type names are final.
pub(super) struct Events {
    variants: Vec<(String, Option<String>, String, TokenStream)>,
    locals: Vec<(String, usize)>,
}

impl Events {
    /// Registers the payload types of `events` in `space` (under the `events` feature). A
    /// free-form payload (any JSON, directly or through a named type) is an
    /// `Unparsed` object (the crate's re-export of `sdk_runtime::Unparsed`), whose `Debug` shows member names only.
    pub(super) fn register(events: &[&Event], space: &mut TypeSpace) -> Events {
        let free_form = |space: &TypeSpace, ty: &Type| {
            let resolved = match ty {
                Type::Named { name } => space.named.get(name).map(|n| &n.ty),
                other => Some(other),
            };
            matches!(resolved, Some(Type::Json))
        };
        let free: Vec<bool> = events.iter().map(|e| free_form(space, &e.payload)).collect();
        let mut types = space.module(vec![MODULE.to_owned()], MODULE);
        let variants = events
            .iter()
            .zip(free)
            .map(|(event, free_form)| {
                let variant = pascal(&event.name);
                let doc = format!("Payload of the `{}` webhook event.", event.name);
                let ty = if free_form {
                    quote!(crate::Unparsed)
                } else {
                    types.value_type(&event.payload, &format!("{variant}Event"), &doc, Mode::Response)
                };
                (variant, event.summary.clone(), event.name.clone(), ty)
            })
            .collect();
        Events {
            variants,
            locals: types.into_locals(),
        }
    }

    /// The contents of `src/events.rs`, its re-exports resolved against the final `names`.
    pub(super) fn render(self, names: &[String], settings: &Settings) -> TokenStream {
        let webhook = settings.runtime(Runtime::Webhook);
        let api = &settings.api_name;
        let module_doc = docs(
            &format!(
                "The webhook events {api} sends, typed (cargo feature `{MODULE}`): \
                 [`Event::from_webhook`] decodes a verified webhook by its event name."
            ),
            true,
        );
        let mut variants = Vec::new();
        let mut arms = Vec::new();
        let mut names_arms = Vec::new();
        for (variant, summary, wire, ty) in &self.variants {
            let id = ident(variant);
            let doc = match summary {
                Some(summary) => format!("`{wire}`: {summary}"),
                None => format!("`{wire}`."),
            };
            let doc = docs(&doc, false);
            variants.push(quote! {
                #doc
                #id(#ty),
            });
            arms.push(quote!(#wire => webhook.json().map(Event::#id),));
            names_arms.push(quote!(Event::#id(_) => #wire,));
        }
        let reexports = ModuleTypes::reexports(&self.locals, names);
        quote! {
            #module_doc

            /// A webhook event with its typed payload.
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
            #[non_exhaustive]
            pub enum Event {
                #(#variants)*
                /// An event this SDK does not know yet; its payload is in the webhook's body.
                Unknown {
                    /// The event's name as sent.
                    name: ::std::string::String,
                },
            }

            impl Event {
                /// Decodes a verified webhook by its event name.
                ///
                /// # Errors
                /// [`Decode`](crate::ErrorKind::Decode) when the payload of a known event
                /// is not the JSON its type says (the error keeps no body).
                pub fn from_webhook(webhook: &#webhook) -> ::std::result::Result<Event, crate::Error> {
                    match webhook.action().as_str() {
                        #(#arms)*
                        other => ::std::result::Result::Ok(Event::Unknown {
                            name: ::std::borrow::ToOwned::to_owned(other),
                        }),
                    }
                }

                /// The event's name on the wire (`order.paid`).
                pub fn name(&self) -> &str {
                    match self {
                        #(#names_arms)*
                        Event::Unknown { name } => name,
                    }
                }
            }

            #reexports
        }
    }
}
