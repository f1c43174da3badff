//! The HumanLayer agent API routes (mounted under `/humanlayer/v1`): thin axum handlers
//! that authenticate with agent tokens, parse the SDK's bodies and answer the full
//! `FunctionCall` / `HumanContact` objects the SDKs validate.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::calls::CallKind;
use super::lifecycle::{self, invalid, Loaded};
use super::mapping;
use super::models::{
    CallRequest, Escalation, FunctionCall, FunctionCallAnswer, FunctionCallSpec, HumanContact,
    HumanContactAnswer, HumanContactSpec, UnsignedAnswer,
};
use crate::auth::AgentAuth;
use crate::error::EndpointError;
use crate::extract::JsonBody;
use crate::state::AppState;

/// How an unsigned answer is labelled in the audit view.
const VIA_AGENT_API: &str = "humanlayer_agent_api";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/function_calls", post(create_function_call))
        .route("/function_calls/{call_id}", get(get_function_call))
        .route(
            "/agent/function_calls/{call_id}/respond",
            post(respond_function_call),
        )
        .route(
            "/agent/function_calls/{call_id}/escalate_email",
            post(escalate_function_call),
        )
        .route("/contact_requests", post(create_contact))
        .route("/contact_requests/{call_id}", get(get_contact))
        .route(
            "/agent/human_contacts/{call_id}/respond",
            post(respond_contact),
        )
        .route(
            "/agent/human_contacts/{call_id}/escalate_email",
            post(escalate_contact),
        )
}

/// The `{call_id}` path segment.
pub struct CallId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CallId {
    type Rejection = EndpointError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(id) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| EndpointError::BadRequest(e.body_text()))?;
        Ok(CallId(id))
    }
}

fn parse_spec<T: serde::de::DeserializeOwned>(loaded: &Loaded) -> Result<T, EndpointError> {
    serde_json::from_value(loaded.row.spec.clone())
        .map_err(|e| EndpointError::Corrupt(format!("stored humanlayer spec: {e}")))
}

fn function_call(loaded: Loaded) -> Result<Json<FunctionCall>, EndpointError> {
    let spec: FunctionCallSpec = parse_spec(&loaded)?;
    let Loaded {
        row,
        packet,
        decisions,
        escalations,
    } = &loaded;
    Ok(Json(FunctionCall {
        run_id: row.run_id.clone(),
        call_id: row.call_id.clone(),
        status: mapping::function_call_status(row, &spec, packet, decisions),
        countersign: mapping::countersign_info(row, packet, decisions, *escalations),
        spec,
    }))
}

fn human_contact(loaded: Loaded) -> Result<Json<HumanContact>, EndpointError> {
    let spec: HumanContactSpec = parse_spec(&loaded)?;
    let Loaded {
        row,
        packet,
        decisions,
        escalations,
    } = &loaded;
    Ok(Json(HumanContact {
        run_id: row.run_id.clone(),
        call_id: row.call_id.clone(),
        status: mapping::contact_status(row, &spec, packet, decisions),
        countersign: mapping::countersign_info(row, packet, decisions, *escalations),
        spec,
    }))
}

fn created(new: bool) -> StatusCode {
    if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

fn to_value<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, EndpointError> {
    serde_json::to_value(value).map_err(|e| EndpointError::Internal(format!("serialize: {e}")))
}

fn unsigned(state: &AppState) -> UnsignedAnswer {
    UnsignedAnswer {
        signed: false,
        via: VIA_AGENT_API.into(),
        responded_at: mapping::ts(state.now()),
        approved: None,
        comment: None,
        reject_option_name: None,
        response: None,
        response_option_name: None,
    }
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

// ---- function calls ----

async fn create_function_call(
    State(state): State<AppState>,
    auth: AgentAuth,
    JsonBody(req): JsonBody<CallRequest<FunctionCallSpec>>,
) -> Result<(StatusCode, Json<FunctionCall>), EndpointError> {
    let draft = mapping::function_call_draft(&req.run_id, &req.call_id, &req.spec);
    let spec = to_value(&req.spec)?;
    let kind = CallKind::FunctionCall;
    let (loaded, new) = lifecycle::create(
        &state,
        &auth.token_hash,
        kind,
        req.run_id,
        req.call_id,
        spec,
        draft,
    )
    .await?;
    Ok((created(new), function_call(loaded)?))
}

async fn get_function_call(
    State(state): State<AppState>,
    auth: AgentAuth,
    CallId(id): CallId,
) -> Result<Json<FunctionCall>, EndpointError> {
    function_call(lifecycle::load(&state, &auth.token_hash, CallKind::FunctionCall, id).await?)
}

async fn respond_function_call(
    State(state): State<AppState>,
    auth: AgentAuth,
    CallId(id): CallId,
    JsonBody(body): JsonBody<FunctionCallAnswer>,
) -> Result<Json<FunctionCall>, EndpointError> {
    let approved = body
        .approved
        .ok_or_else(|| invalid("approved", "must be true or false"))?;
    let comment = non_empty(body.comment);
    if !approved && comment.is_none() {
        return Err(invalid(
            "comment",
            "a rejection needs a comment for the agent",
        ));
    }
    let loaded =
        lifecycle::load(&state, &auth.token_hash, CallKind::FunctionCall, id.clone()).await?;
    let spec: FunctionCallSpec = parse_spec(&loaded)?;
    let reject_option_name = match non_empty(body.reject_option_name) {
        Some(name) => Some(name),
        None if !approved => {
            mapping::matching_option(spec.reject_options.as_ref(), comment.as_deref())
        }
        None => None,
    };
    let answer = UnsignedAnswer {
        approved: Some(approved),
        comment,
        reject_option_name: reject_option_name.filter(|_| !approved),
        ..unsigned(&state)
    };
    function_call(
        lifecycle::answer(&state, &auth.token_hash, CallKind::FunctionCall, id, answer).await?,
    )
}

async fn escalate_function_call(
    State(state): State<AppState>,
    auth: AgentAuth,
    CallId(id): CallId,
    JsonBody(body): JsonBody<Escalation>,
) -> Result<Json<FunctionCall>, EndpointError> {
    function_call(
        lifecycle::escalate(&state, &auth.token_hash, CallKind::FunctionCall, id, body).await?,
    )
}

// ---- contact requests ----

async fn create_contact(
    State(state): State<AppState>,
    auth: AgentAuth,
    JsonBody(req): JsonBody<CallRequest<HumanContactSpec>>,
) -> Result<(StatusCode, Json<HumanContact>), EndpointError> {
    if req.spec.msg.trim().is_empty() {
        return Err(invalid("spec.msg", "must not be empty"));
    }
    let draft = mapping::contact_draft(&req.run_id, &req.call_id, &req.spec);
    let spec = to_value(&req.spec)?;
    let kind = CallKind::HumanContact;
    let (loaded, new) = lifecycle::create(
        &state,
        &auth.token_hash,
        kind,
        req.run_id,
        req.call_id,
        spec,
        draft,
    )
    .await?;
    Ok((created(new), human_contact(loaded)?))
}

async fn get_contact(
    State(state): State<AppState>,
    auth: AgentAuth,
    CallId(id): CallId,
) -> Result<Json<HumanContact>, EndpointError> {
    human_contact(lifecycle::load(&state, &auth.token_hash, CallKind::HumanContact, id).await?)
}

async fn respond_contact(
    State(state): State<AppState>,
    auth: AgentAuth,
    CallId(id): CallId,
    JsonBody(body): JsonBody<HumanContactAnswer>,
) -> Result<Json<HumanContact>, EndpointError> {
    let response =
        non_empty(body.response).ok_or_else(|| invalid("response", "must not be empty"))?;
    let answer = UnsignedAnswer {
        response: Some(response),
        response_option_name: non_empty(body.response_option_name),
        ..unsigned(&state)
    };
    human_contact(
        lifecycle::answer(&state, &auth.token_hash, CallKind::HumanContact, id, answer).await?,
    )
}

async fn escalate_contact(
    State(state): State<AppState>,
    auth: AgentAuth,
    CallId(id): CallId,
    JsonBody(body): JsonBody<Escalation>,
) -> Result<Json<HumanContact>, EndpointError> {
    human_contact(
        lifecycle::escalate(&state, &auth.token_hash, CallKind::HumanContact, id, body).await?,
    )
}
