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
use crate::ir::{Carriage, Event, Field, InnerDocument, Type, XmlReply};

/// The module, file and cargo feature of the events.
pub(super) const MODULE: &str = "events";

/// The events' module before type names are final.
pub(super) struct Events {
    variants: Vec<(String, Option<String>, String, TokenStream)>,
    locals: Vec<(String, usize)>,
    /// The APIv2 notifications' shapes (`EventShape` literals), for XML events.
    shapes: Option<Vec<TokenStream>>,
}

/// Where an events module goes: `events` (feature `events`) for JSON events, `v2::events`
/// (feature `v2-events`) for APIv2 notifications.
pub(super) struct Target {
    /// The module path from the crate root.
    pub module: Vec<String>,
    /// The cargo feature that compiles it.
    pub feature: String,
    /// How its payloads decode: [`Mode::Response`], or [`Mode::XmlResponse`] (members as text).
    pub mode: Mode,
}

impl Target {
    /// The JSON events' module: `events`.
    pub fn json() -> Self {
        Target {
            module: vec![MODULE.to_owned()],
            feature: MODULE.to_owned(),
            mode: Mode::Response,
        }
    }

    /// The APIv2 notifications' module under the XML protocol's module: `v2::events`, cargo
    /// feature `v2-events`.
    pub fn xml(xml_module: &str) -> Self {
        Target {
            module: vec![xml_module.to_owned(), MODULE.to_owned()],
            feature: format!("{xml_module}-{MODULE}"),
            mode: Mode::XmlResponse,
        }
    }

    /// The file the module is written to: `src/events.rs`, `src/v2/events.rs`.
    pub fn file(&self) -> String {
        format!("src/{}.rs", self.module.join("/"))
    }
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
        target: &Target,
        settings: &Settings,
    ) -> Events {
        let mode = target.mode;
        let free_form = |space: &TypeSpace, ty: &Type| {
            let resolved = match ty {
                Type::Named { name } => space.named.get(name).map(|n| &n.ty),
                other => Some(other),
            };
            matches!(resolved, Some(Type::Json))
        };
        let free: Vec<bool> = events.iter().map(|e| free_form(space, &e.payload)).collect();
        let variant_names = variant_names(events);
        let mut types = space.module(target.module.clone(), &target.feature);
        let variants = events
            .iter()
            .zip(free)
            .zip(variant_names)
            .map(|((event, free_form), variant)| {
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
                            mode,
                            Some(name),
                        );
                        let id = ident(&name);
                        quote!(#id)
                    }
                    (false, None) => {
                        types.value_type(&event.payload, &format!("{variant}Resource"), &doc, mode)
                    }
                };
                (variant, event.summary.clone(), event.name.clone(), ty)
            })
            .collect();
        let shapes = mode.is_xml().then(|| xml_shapes(events, settings));
        Events {
            variants,
            locals: types.into_locals(),
            shapes,
        }
    }

    /// The contents of `src/events.rs`, its re-exports resolved against the final `names`.
    pub(super) fn render(self, names: &[String], settings: &Settings, target: &Target) -> TokenStream {
        let api = &settings.api_name;
        let feature = &target.feature;
        let module_doc = match &self.shapes {
            None => format!(
                "The webhook events {api} sends, typed (cargo feature `{feature}`): {}, \
                 [`Event`] telling them apart by their event type.",
                settings.events_entry
            ),
            Some(_) => format!(
                "The APIv2 (XML) notifications {api} sends, typed (cargo feature `{feature}`): \
                 `Client::notification::<Event>` checks `return_code` and the `sign`, opens the \
                 member that holds a document of its own (`req_info`, `event_ciphertext`, \
                 `sub_order_list`) and decodes; [`Event`] tells them apart by their `event_type`, \
                 or by the members only one of them has. Reply with the notification's \
                 `success_reply()`."
            ),
        };
        let module_doc = docs(&module_doc, true);
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
        let alias = match &self.shapes {
            None => settings.reexports.iter().any(|r| r == "Notification").then(|| {
                quote! {
                    /// A verified, decrypted notification with its event decoded: `id`, `create_time`
                    /// and `summary` for idempotent handling, `event()` for the typed resource.
                    pub type Notification = crate::Notification<Event>;
                }
            }),
            Some(shapes) => {
                let notification = settings.xml_runtime("Notification");
                let set = settings.xml_runtime("XmlEventSet");
                let shape = settings.xml_runtime("EventShape");
                Some(quote! {
                    /// A verified APIv2 notification with its event decoded: `event()` for the
                    /// typed members, `success_reply()` for the answer its sender expects.
                    pub type Notification = #notification<Event>;

                    impl #set for Event {
                        const SHAPES: &'static [#shape] = &[#(#shapes),*];
                    }
                })
            }
        };
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

/// The `EventShape` literal of each APIv2 notification: its name, its `event_type` literal,
/// the members no other notification of `events` declares, the member holding a document and
/// the reply's members.
fn xml_shapes(events: &[&Event], settings: &Settings) -> Vec<TokenStream> {
    let members = |event: &Event| -> Vec<String> {
        match &event.payload {
            Type::Object { fields } => fields.iter().map(|f| f.name.clone()).collect(),
            _ => Vec::new(),
        }
    };
    let all: Vec<Vec<String>> = events.iter().map(|e| members(e)).collect();
    let carriage = settings.xml_runtime("Carriage");
    let reply_style = settings.xml_runtime("ReplyStyle");
    events
        .iter()
        .enumerate()
        .map(|(i, event)| {
            let name = &event.name;
            let event_type = match event.event_type_literal() {
                Some(value) => quote!(::std::option::Option::Some(#value)),
                None => quote!(::std::option::Option::None),
            };
            let unique = all[i].iter().filter(|m| {
                all.iter()
                    .enumerate()
                    .all(|(j, other)| j == i || !other.contains(m))
            });
            let xml = event.xml.as_ref();
            let inner = match xml.and_then(|x| x.inner.as_ref()) {
                Some(InnerDocument { member, carriage: c }) => {
                    let variant = ident(match c {
                        Carriage::AesEcb => "AesEcb",
                        Carriage::AeadAesGcm => "AeadAesGcm",
                        Carriage::Json => "Json",
                    });
                    quote!(::std::option::Option::Some((#member, #carriage::#variant)))
                }
                None => quote!(::std::option::Option::None),
            };
            let reply = ident(match xml.map_or(XmlReply::ReturnCode, |x| x.reply) {
                XmlReply::ReturnCode => "ReturnCode",
                XmlReply::Code => "Code",
            });
            let shape = settings.xml_runtime("EventShape");
            quote! {
                #shape {
                    name: #name,
                    event_type: #event_type,
                    members: &[#(#unique),*],
                    inner: #inner,
                    reply: #reply_style::#reply,
                }
            }
        })
        .collect()
}

/// The variant name of each event: its name in PascalCase (`TRANSACTION.SUCCESS` →
/// `TransactionSuccess`). Where two coincide, an APIv2 notification that carries no event type
/// (its name is its docs page's, `transaction-success`) takes the suffix `Notification`
/// (`TransactionSuccessNotification`); a clash left after that is the emitter's error, found by
/// the compiler as a duplicate variant, so none is expected.
fn variant_names(events: &[&Event]) -> Vec<String> {
    let plain: Vec<String> = events.iter().map(|e| pascal(&e.name)).collect();
    events
        .iter()
        .zip(&plain)
        .map(|(event, name)| {
            let clash = plain.iter().filter(|other| *other == name).count() > 1;
            let named_by_page = event.xml.is_some() && event.event_type_literal().is_none();
            if clash && named_by_page {
                format!("{name}Notification")
            } else {
                name.clone()
            }
        })
        .collect()
}
