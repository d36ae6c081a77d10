//! `payctl notify EVENT --to URL`: the local sender of the mock (`wechatpay-mock`), as WeChat Pay
//! sends a webhook: an APIv3 event sealed with the mock's APIv3 key and signed with its platform
//! key, or with `--apiv2` an APIv2 notification signed with the mock merchant's APIv2 key. The
//! handler must trust the mock's credentials (`payctl mock` prints them). Each attempt is
//! reported on stderr; with `--retry` it is sent again on WeChat Pay's schedule.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use wechatpay_mock::apiv2::{ApiV2Config, model_xml_notification};
use wechatpay_mock::model::Model;
use wechatpay_mock::sample::sample_event;
use wechatpay_mock::{
    Attempt, MockConfig, MockServer, RetryPolicy, SignedNotification, WECHATPAY_RETRY_SCHEDULE,
    send_notification_with,
};

use crate::exit::{Failure, Kind, Outcome};
use crate::input::read_json;

/// What `payctl notify` was asked.
#[derive(Debug, Clone)]
pub struct Notify {
    /// The event: `TRANSACTION.SUCCESS`, or an APIv2 one (`refund-processed`).
    pub event: Option<String>,
    /// Where to POST it.
    pub to: Option<String>,
    /// An APIv2 (XML) notification.
    pub apiv2: bool,
    /// The decrypted resource (APIv2: the members): JSON or `@FILE`.
    pub resource: Option<String>,
    /// Retry on WeChat Pay's schedule while the reply is not 2xx.
    pub retry: bool,
    /// Multiplies each wait.
    pub time_scale: f64,
    /// List the events instead.
    pub list: bool,
    /// The directory holding `test-vectors/keys`.
    pub shared: PathBuf,
}

/// Runs `notify`: `Found` (exit 1) when not delivered.
pub async fn run(args: Notify) -> Outcome {
    let resource = args
        .resource
        .as_deref()
        .map(|r| read_json(r, "--resource"))
        .transpose()?;
    if args.apiv2 {
        return run_apiv2(&args, resource).await;
    }
    let mock = MockConfig::from_test_vectors(&args.shared)
        .and_then(MockServer::start)
        .map_err(|e| Failure::usage(format!("cannot load the mock's credentials: {e}")))?;
    if args.list {
        for event in mock.documented_events() {
            println!(
                "{:<40} {:<16} {}",
                event.name,
                event.original_type,
                event.summary.unwrap_or_default()
            );
        }
        return Ok(());
    }
    let (event, to) = required(&args)?;
    let resource = resource.or_else(|| mock.model().event(&event).map(sample_event));
    let notification = mock
        .event_notification(&event, resource)
        .map_err(|e| Failure::usage(format!("{e} (payctl notify --list lists the documented events)")))?;
    let id = notification.id().unwrap_or_default();
    eprintln!("payctl: notification {id} ({event}) to {to}");
    deliver(&to, &format!("{id} ({event})"), &notification, &args).await
}

/// `notify --apiv2`: an APIv2 notification of the model's event, for the test-vector merchant.
async fn run_apiv2(args: &Notify, members: Option<Value>) -> Outcome {
    let model = Model::load_default().map_err(|e| Failure::usage(format!("cannot load the model: {e}")))?;
    if args.list {
        for event in model.xml_events() {
            println!(
                "{:<40} {}",
                event.name,
                event.summary.as_deref().unwrap_or_default()
            );
        }
        return Ok(());
    }
    let (name, to) = required(args)?;
    let notification = model_xml_notification(&model, &ApiV2Config::default(), &name, members.as_ref())
        .map_err(|e| Failure::usage(format!("{e} (payctl notify --apiv2 --list lists them)")))?;
    eprintln!("payctl: APIv2 notification ({name}) to {to}");
    deliver(&to, &format!("({name})"), &notification, args).await
}

/// EVENT and `--to`, both required unless listing.
fn required(args: &Notify) -> Outcome<(String, String)> {
    match (&args.event, &args.to) {
        (Some(event), Some(to)) => Ok((event.clone(), to.clone())),
        _ => Err(Failure::usage("EVENT and --to URL are required")),
    }
}

/// Sends once, or on WeChat Pay's schedule, reporting each attempt on stderr.
async fn deliver(to: &str, what: &str, notification: &SignedNotification, args: &Notify) -> Outcome {
    let policy = RetryPolicy {
        schedule: WECHATPAY_RETRY_SCHEDULE.to_vec(),
        time_scale: args.time_scale,
        retries: args.retry,
    };
    let mut n = 0;
    let delivery = send_notification_with(
        to,
        notification,
        &policy,
        |attempt: &Attempt, next: Option<Duration>| {
            n += 1;
            let status = attempt
                .status
                .map_or_else(|| "no reply".to_owned(), |s| s.to_string());
            let error = attempt
                .error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            eprintln!("payctl: attempt {n}: {status} {}{error}", attempt.body.trim_end());
            if let Some(wait) = next {
                eprintln!("payctl:   retrying in {wait:?}");
            }
        },
    )
    .await
    .map_err(Failure::usage)?;
    let attempts = delivery.attempts.len();
    if delivery.delivered {
        println!(
            "notification {what} delivered ({attempts} attempt{})",
            plural(attempts)
        );
        Ok(())
    } else {
        let hint = if args.retry { "" } else { "; --retry retries it" };
        println!(
            "notification {what} NOT delivered ({attempts} attempt{}{hint})",
            plural(attempts)
        );
        Err(Failure::new(Kind::Found, "the notification was not delivered"))
    }
}

/// `s` unless one.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
