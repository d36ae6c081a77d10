//! The crate's webhook events: `src/events.rs` with one `Event` enum, a variant per documented
//! event holding its typed payload, and `Unknown` for events added later.
//!
//! `Event` implements the runtime's `EventSet` (decoding a payload by its event name), which the
//! provider's webhook API decodes through: WeChat Pay's `Client::notification::<Event>`,
//! Wonder's `Webhook::event::<Event>`. A payload the provider's docs give as an operation's
//! response ([`Event::payload_type_name`](crate::ir::Event::payload_type_name)) decodes into
//! that response's type.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::module_types::ModuleTypes;
use super::names::pascal;
use super::settings::Settings;
use super::types::{Mode, TypeSpace, docs, ident};
use crate::ir::{Event, Field, Type};

/// The module, file and cargo feature of the events.
pub(super) const MODULE: &str = "events";

/// The events' module before type names are final.
pub(super) struct Events {
    variants: Vec<(String, Option<String>, String, TokenStream)>,
    locals: Vec<(String, usize)>,
}

impl Events {
    /// Registers the payload types of `events` in `space` (under the `events` feature). A
    /// free-form payload (any JSON, directly or through a named type) is an `Unparsed` object
    /// (the crate's re-export of `sdk_runtime::Unparsed`), whose `Debug` shows member names
    /// only; a payload sharing a response type name decodes into the union of `unified`'s fields
    /// under that name, the type the operations return.
    pub(super) fn register(
        events: &[&Event],
        unified: &BTreeMap<String, Vec<Field>>,
        space: &mut TypeSpace,
    ) -> Events {
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
                let shared = event
                    .payload_type_name
                    .as_ref()
                    .and_then(|n| Some((n, unified.get(n)?)));
                let ty = match (free_form, shared) {
                    (true, _) => quote!(crate::Unparsed),
                    (false, Some((name, fields))) => {
                        let name = types.top_level_struct(
                            fields,
                            &format!("{variant}Resource"),
                            &doc,
                            Mode::Response,
                            Some(name),
                        );
                        let id = ident(&name);
                        quote!(#id)
                    }
                    (false, None) => types.value_type(
                        &event.payload,
                        &format!("{variant}Resource"),
                        &doc,
                        Mode::Response,
                    ),
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
        let api = &settings.api_name;
        let decode_with = &settings.events_entry;
        let module_doc = docs(
            &format!(
                "The webhook events {api} sends, typed (cargo feature `{MODULE}`): {decode_with}, \
                 [`Event`] telling them apart by their event type."
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
            arms.push(quote!(#wire => ::sdk_runtime::decode_event_payload(payload).map(Event::#id),));
            names_arms.push(quote!(Event::#id(_) => #wire,));
        }
        let reexports = ModuleTypes::reexports(&self.locals, names);
        let alias = settings.reexports.iter().any(|r| r == "Notification").then(|| {
            quote! {
                /// A verified, decrypted notification with its event decoded: `id`, `create_time`
                /// and `summary` for idempotent handling, `event()` for the typed resource.
                pub type Notification = crate::Notification<Event>;
            }
        });
        quote! {
            #module_doc

            /// A webhook event with its typed payload, told apart by its event type.
            ///
            /// Serializes as its payload's JSON, every member it was sent with (to store or
            /// forward it); an `Unknown` event as `{"event_type": …, "resource": …}`.
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::serde::Serialize)]
            #[serde(untagged)]
            #[non_exhaustive]
            pub enum Event {
                #(#variants)*
                /// An event this SDK does not know yet: its type as sent, and its payload as
                /// JSON (`Debug` shows member names only).
                Unknown {
                    /// The event type as sent.
                    event_type: ::std::string::String,
                    /// The payload.
                    resource: crate::Unparsed,
                },
            }

            impl Event {
                /// The event type on the wire (`TRANSACTION.SUCCESS`, `order.paid`).
                pub fn event_type(&self) -> &str {
                    match self {
                        #(#names_arms)*
                        Event::Unknown { event_type, .. } => event_type,
                    }
                }
            }

            impl ::sdk_runtime::EventSet for Event {
                /// Decodes `payload` (JSON text) as the event `event_type`.
                ///
                /// # Errors
                /// [`Decode`](crate::ErrorKind::Decode) when the payload is not the JSON its
                /// event's type says (the error keeps no body).
                fn decode_event(event_type: &str, payload: &str) -> ::std::result::Result<Event, crate::Error> {
                    match event_type {
                        #(#arms)*
                        other => ::sdk_runtime::decode_event_payload(payload).map(|resource| Event::Unknown {
                            event_type: ::std::borrow::ToOwned::to_owned(other),
                            resource,
                        }),
                    }
                }

                fn event_type(&self) -> &str {
                    Event::event_type(self)
                }
            }

            #alias

            #reexports
        }
    }
}
