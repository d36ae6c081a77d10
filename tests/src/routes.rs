//! The API routes the mock knows, with request validation and plausible response bodies.

use http::{Method, StatusCode};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};
use time::macros::{format_description, offset};
use time::{Duration, OffsetDateTime};

/// The appid used in responses when the request does not name one.
pub const DEFAULT_APPID: &str = "wxd678efh567hg6787";
/// The payscore service id used in responses.
pub const SERVICE_ID: &str = "2002000000000558128851361561536";
/// The payscore plan id used in responses when the request does not name one.
pub const PLAN_ID: &str = "01000033210032606914000000007983";
/// The user openid used in responses when the request does not name one.
pub const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

/// An error answer: status, `code`, `message` and optional `detail`.
#[derive(Clone, Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub detail: Option<Value>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            detail: None,
        }
    }

    /// 400 `PARAM_ERROR` with `detail: {"field", "location", "issue"}`.
    pub(crate) fn param(field: &str, location: &str, issue: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "PARAM_ERROR".to_owned(),
            message: format!("{location} field {field}: {issue}"),
            detail: Some(json!({ "field": field, "location": location, "issue": issue })),
        }
    }

    pub(crate) fn body(&self) -> Value {
        let mut v = json!({ "code": self.code, "message": self.message });
        if let Some(detail) = &self.detail {
            v["detail"] = detail.clone();
        }
        v
    }
}

/// A matched route with its (percent-decoded) path parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    PlanStop { merchant_plan_no: String },
    UserSignPlanStop { merchant_sign_plan_no: String },
    PartnerUserSignPlanCreate,
}

/// Matches `method` and the path part of a request target.
pub(crate) fn match_route(method: &Method, target: &str) -> Result<Route, ApiError> {
    let path = target.split_once('?').map_or(target, |(p, _)| p);
    let segs: Vec<&str> = path.split('/').collect();
    let route = match (method, segs.as_slice()) {
        (
            &Method::POST,
            [
                "",
                "v3",
                "payscore",
                "plan",
                "payscore-plans",
                "merchant-plan-no",
                no,
                "stop",
            ],
        ) => Route::PlanStop {
            merchant_plan_no: decode(no, "merchant_plan_no")?,
        },
        (
            &Method::POST,
            [
                "",
                "v3",
                "payscore",
                "sign-plan",
                "user-sign-plans",
                "merchant-sign-plan-no",
                no,
                "stop",
            ],
        ) => Route::UserSignPlanStop {
            merchant_sign_plan_no: decode(no, "merchant_sign_plan_no")?,
        },
        (&Method::POST, ["", "v3", "payscore", "sign-plan", "partner", "user-sign-plans"]) => {
            Route::PartnerUserSignPlanCreate
        }
        _ => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("no such API: {method} {path}"),
            ));
        }
    };
    Ok(route)
}

fn decode(segment: &str, field: &str) -> Result<String, ApiError> {
    let value = percent_decode_str(segment)
        .decode_utf8()
        .map_err(|_| ApiError::param(field, "path", "not valid UTF-8 once percent-decoded"))?;
    if value.is_empty() {
        return Err(ApiError::param(field, "path", "must not be empty"));
    }
    Ok(value.into_owned())
}

/// Validates the JSON body for `route` and builds the response body.
pub(crate) fn respond(route: &Route, body: &[u8], mchid: &str) -> Result<Value, ApiError> {
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::param("/", "body", &format!("body is not valid JSON: {e}")))?;
    let Value::Object(req) = parsed else {
        return Err(ApiError::param("/", "body", "body must be a JSON object"));
    };
    match route {
        Route::PlanStop { merchant_plan_no } => Ok(stop_plan(merchant_plan_no, mchid)),
        Route::UserSignPlanStop {
            merchant_sign_plan_no,
        } => {
            let reason = required_str(&req, "stop_reason")?;
            Ok(stop_user_sign_plan(merchant_sign_plan_no, reason, mchid))
        }
        Route::PartnerUserSignPlanCreate => create_partner_user_sign_plan(&req, mchid),
    }
}

fn required_str<'a>(req: &'a Map<String, Value>, field: &str) -> Result<&'a str, ApiError> {
    match req.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => Err(ApiError::param(&format!("/{field}"), "body", "must not be empty")),
        Some(_) => Err(ApiError::param(&format!("/{field}"), "body", "must be a string")),
        None => Err(ApiError::param(
            &format!("/{field}"),
            "body",
            "required field is missing",
        )),
    }
}

fn optional_str<'a>(req: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, ApiError> {
    match req.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => required_str(req, field).map(Some),
    }
}

/// `2024-11-21T15:40:01+08:00`, `days` from now, in China Standard Time.
fn cst_time(days: i64) -> String {
    let t = OffsetDateTime::now_utc().to_offset(offset!(+8)) + Duration::days(days);
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]+08:00"
    ))
    .expect("formatting a valid date-time does not fail")
}

fn stop_plan(merchant_plan_no: &str, mchid: &str) -> Value {
    json!({
        "plan_id": "1234323JKHDFE1243252",
        "service_id": SERVICE_ID,
        "mchid": mchid,
        "appid": DEFAULT_APPID,
        "merchant_plan_no": merchant_plan_no,
        "plan_name": "洗车月卡",
        "plan_duration": 60,
        "plan_state": "STOPPED",
        "total_original_price": 10000,
        "deduction_quantity": 2,
        "total_actual_price": 8500,
        "plan_detail_list": [
            {
                "plan_detail_no": 1,
                "plan_detail_name": "首次洗车",
                "original_price": 5000,
                "plan_discount_description": "立减5元",
                "actual_price": 4500
            },
            {
                "plan_detail_no": 2,
                "plan_detail_name": "第二次洗车",
                "original_price": 5000,
                "plan_discount_description": "立减10元",
                "actual_price": 4000
            }
        ],
        "stop_mchid": mchid,
        "stop_time": cst_time(0)
    })
}

fn stop_user_sign_plan(merchant_sign_plan_no: &str, reason: &str, mchid: &str) -> Value {
    json!({
        "sign_plan_id": "01020033210023606914000000007830",
        "openid": OPENID,
        "service_id": SERVICE_ID,
        "mchid": mchid,
        "appid": DEFAULT_APPID,
        "merchant_sign_plan_no": merchant_sign_plan_no,
        "merchant_callback_url": "https://www.example.com/payscore/sign-plan/notify",
        "plan_id": PLAN_ID,
        "going_detail_no": 2,
        "sign_state": "SIGN_PLAN_CANCEL",
        "cancel_sign_time": cst_time(0),
        "cancel_sign_type": "MERCHANT_CANCEL",
        "cancel_reason": reason,
        "plan_name": "瑜伽课2节",
        "plan_over_time": cst_time(30),
        "total_origin_price": 40000,
        "deduction_quantity": 2,
        "total_actual_price": 36000,
        "signed_detail_list": [
            {
                "plan_detail_no": 1,
                "original_price": 20000,
                "plan_discount_description": "立减20元",
                "actual_price": 18000,
                "plan_detail_state": "USED",
                "order_id": "1000000000201911133223000001",
                "merchant_plan_detail_no": "YOGA-1",
                "plan_detail_name": "瑜伽课第1节",
                "actual_pay_price": 18000,
                "use_time": cst_time(-10),
                "complete_time": cst_time(-10),
                "cancel_time": ""
            },
            {
                "plan_detail_no": 2,
                "original_price": 20000,
                "plan_discount_description": "立减20元",
                "actual_price": 18000,
                "plan_detail_state": "NOT_USED",
                "order_id": "",
                "merchant_plan_detail_no": "YOGA-2",
                "plan_detail_name": "瑜伽课第2节",
                "actual_pay_price": 0,
                "use_time": "",
                "complete_time": "",
                "cancel_time": ""
            }
        ],
        "sign_time": cst_time(-30)
    })
}

fn create_partner_user_sign_plan(req: &Map<String, Value>, mchid: &str) -> Result<Value, ApiError> {
    let service_id = required_str(req, "service_id")?;
    let plan_id = required_str(req, "plan_id")?;
    let sub_mchid = required_str(req, "sub_mchid")?;
    let merchant_sign_plan_no = required_str(req, "merchant_sign_plan_no")?;
    let appid = optional_str(req, "appid")?.unwrap_or(DEFAULT_APPID);
    // The user's ids are echoed only when sent, as WeChat Pay omits what does not apply.
    let user_ids: Vec<(&str, &str)> = ["sub_appid", "openid", "sub_openid"]
        .into_iter()
        .map(|k| Ok(optional_str(req, k)?.map(|v| (k, v))))
        .collect::<Result<Vec<_>, ApiError>>()?
        .into_iter()
        .flatten()
        .collect();
    let notify_url = optional_str(req, "notify_url")?.unwrap_or("");
    let details = match req.get("sign_plan_detail") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        Some(Value::Array(_)) => {
            return Err(ApiError::param("/sign_plan_detail", "body", "must not be empty"));
        }
        Some(_) => return Err(ApiError::param("/sign_plan_detail", "body", "must be an array")),
        None => {
            return Err(ApiError::param(
                "/sign_plan_detail",
                "body",
                "required field is missing",
            ));
        }
    };
    let mut signed = Vec::with_capacity(details.len());
    for (i, item) in details.iter().enumerate() {
        let at = |f: &str| format!("/sign_plan_detail/{i}{f}");
        let Value::Object(item) = item else {
            return Err(ApiError::param(&at(""), "body", "must be an object"));
        };
        let no = match item.get("plan_detail_no") {
            Some(v) if v.is_u64() => v.clone(),
            Some(_) => {
                return Err(ApiError::param(
                    &at("/plan_detail_no"),
                    "body",
                    "must be an integer",
                ));
            }
            None => {
                return Err(ApiError::param(
                    &at("/plan_detail_no"),
                    "body",
                    "required field is missing",
                ));
            }
        };
        let merchant_no = match item.get("merchant_plan_detail_no") {
            None | Some(Value::Null) => "",
            Some(Value::String(s)) => s.as_str(),
            Some(_) => {
                return Err(ApiError::param(
                    &at("/merchant_plan_detail_no"),
                    "body",
                    "must be a string",
                ));
            }
        };
        signed.push(json!({
            "plan_detail_no": no,
            "original_price": 20000,
            "plan_discount_description": "立减20元",
            "actual_price": 18000,
            "plan_detail_state": "NOT_USED",
            "order_id": "",
            "merchant_plan_detail_no": merchant_no,
            "plan_detail_name": format!("服务第{}次", i + 1),
            "actual_pay_price": 0,
            "use_time": "",
            "complete_time": "",
            "cancel_time": ""
        }));
    }
    let count = signed.len() as u64;
    let mut sign_plan = json!({
            "sign_plan_id": "01020033210023606914000000007831",
            "service_id": service_id,
            "mchid": mchid,
            "sub_mchid": sub_mchid,
            "appid": appid,
            "merchant_sign_plan_no": merchant_sign_plan_no,
            "merchant_callback_url": notify_url,
            "plan_id": plan_id,
            "going_detail_no": 0,
            "sign_state": "UNSIGNED",
            "plan_name": "瑜伽课",
            "plan_over_time": cst_time(60),
            "total_origin_price": 20000 * count,
            "deduction_quantity": count,
            "total_actual_price": 18000 * count,
            "signed_detail_list": signed
    });
    if let Value::Object(plan) = &mut sign_plan {
        for (key, value) in user_ids {
            plan.insert(key.to_owned(), Value::from(value));
        }
    }
    Ok(json!({
        "sign_plan": sign_plan,
        "package": "DJIOSQPYWDxsa5b0V2bS8xPRasjwYDAa3aDGqNqCmTSCWjZAmD8xTs"
    }))
}
