//! `sdktest_note`: a resource of the test provider written on typed models
//! (`cams_provider::model!`) instead of attribute names in strings. Its
//! plan fills computed values only when what they follow from is known, so
//! the tests see null, unknown and known travel through the models; the
//! name `misspelled` makes validation read an attribute the schema lacks.

#![allow(dead_code)]

use std::sync::Arc;

use cams_provider::model;
use cams_provider::plugin::model::Model;
use cams_provider::plugin::value::Type;
use cams_provider::plugin::{
    ApplyResponse, Attr, Attribute, Block, Context, CreateRequest, DeleteRequest, DeleteResponse,
    Diagnostics, ModifyPlanRequest, ModifyPlanResponse, NestedBlock, ReadRequest, ReadResponse,
    Resource, Schema, UpdateRequest, UseStateForUnknown, ValidateRequest,
};

use super::test_provider::Store;

pub const NOTE: &str = "sdktest_note";

pub fn note_schema() -> Schema {
    Schema::new(
        Block::new("A note of words, in the in-memory store.")
            .attribute(Attribute::required("title", Type::String, "The title."))
            .attribute(Attribute::optional(
                "words",
                Type::list(Type::String),
                "The words.",
            ))
            .attribute(
                Attribute::computed("id", Type::String, "Assigned on create.")
                    .plan_modifier(UseStateForUnknown),
            )
            .attribute(Attribute::computed(
                "length",
                Type::Number,
                "Characters of the title and the words; known at plan when they are.",
            ))
            .block(NestedBlock::list(
                "part",
                Block::new("A part.")
                    .attribute(Attribute::required("text", Type::String, "Its text."))
                    .attribute(Attribute::computed(
                        "position",
                        Type::Number,
                        "Its index, from 0.",
                    )),
                0,
                0,
            )),
    )
}

model! {
    /// A configuration or plan: anything may be unknown.
    #[derive(Clone, Debug, PartialEq)]
    pub struct NotePlan {
        pub title: Attr<String>,
        pub words: Attr<Vec<String>>,
        pub id: Attr<String>,
        pub length: Attr<i64>,
        pub part: Vec<PartPlan>,
    }
}

model! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct PartPlan {
        pub text: Attr<String>,
        pub position: Attr<i64>,
    }
}

model! {
    /// A state: everything known; `words` may be null.
    #[derive(Clone, Debug, PartialEq)]
    pub struct NoteState {
        pub title: String,
        pub words: Option<Vec<String>>,
        pub id: String,
        pub length: i64,
        pub part: Vec<PartState>,
    }
}

model! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct PartState {
        pub text: String,
        pub position: i64,
    }
}

model! {
    /// A model that went wrong: `nmae` is no attribute of the schema.
    pub struct Misspelled {
        pub nmae: Attr<String>,
    }
}

impl NotePlan {
    /// `length` when the title and the words are known.
    fn length(&self) -> Attr<i64> {
        match (&self.title, &self.words) {
            (Attr::Known(t), Attr::Known(w)) => {
                Attr::Known((t.len() + w.iter().map(String::len).sum::<usize>()) as i64)
            }
            (Attr::Known(t), Attr::Null) => Attr::Known(t.len() as i64),
            _ => Attr::Unknown,
        }
    }

    fn into_state(self, id: String) -> NoteState {
        NoteState {
            length: self.length().known().unwrap_or_default(),
            title: self.title.known().unwrap_or_default(),
            words: self.words.known(),
            id,
            part: self
                .part
                .into_iter()
                .enumerate()
                .map(|(i, p)| PartState {
                    text: p.text.known().unwrap_or_default(),
                    position: i as i64,
                })
                .collect(),
        }
    }
}

pub struct Note;

fn store(ctx: &Context) -> Result<Arc<Store>, Diagnostics> {
    ctx.provider_data::<Arc<Store>>()
        .map(|s| Arc::clone(&*s))
        .map_err(Diagnostics::from)
}

impl Note {
    async fn save(&self, ctx: &Context, plan: NotePlan, id: Option<String>) -> ApplyResponse {
        let store = match store(ctx) {
            Ok(s) => s,
            Err(d) => return ApplyResponse::failed(d),
        };
        let id = id
            .unwrap_or_else(|| format!("note-{}", plan.title.clone().known().unwrap_or_default()));
        let state = plan.into_state(id.clone());
        store.objects.lock().unwrap().insert(id, state.encode());
        ApplyResponse::ok(state.to_state())
    }
}

#[async_trait::async_trait]
impl Resource for Note {
    fn type_name(&self) -> &'static str {
        NOTE
    }

    fn schema(&self) -> Schema {
        note_schema()
    }

    async fn validate(&self, req: ValidateRequest) -> Diagnostics {
        let plan = match NotePlan::from_config(&req.config) {
            Ok(p) => p,
            Err(d) => return d.into(),
        };
        if plan.title == Attr::Known("misspelled".to_owned()) {
            if let Err(d) = Misspelled::from_config(&req.config) {
                return d.into();
            }
        }
        Diagnostics::new()
    }

    async fn modify_plan(&self, _ctx: &Context, req: ModifyPlanRequest) -> ModifyPlanResponse {
        let mut resp = ModifyPlanResponse::keep(&req);
        let mut plan = match NotePlan::decode_optional(req.plan.value()) {
            Ok(Some(p)) => p,
            Ok(None) => return resp,
            Err(e) => {
                resp.diagnostics = e.into();
                return resp;
            }
        };
        plan.length = plan.length();
        for (i, part) in plan.part.iter_mut().enumerate() {
            part.position = Attr::Known(i as i64);
        }
        resp.plan = plan.encode();
        resp
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyResponse {
        match NotePlan::from_config(&req.plan) {
            Ok(plan) => self.save(ctx, plan, None).await,
            Err(d) => ApplyResponse::failed(d),
        }
    }

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResponse {
        let prior = match NoteState::from_config(&req.state) {
            Ok(s) => s,
            Err(d) => return ReadResponse::failed(&req, d),
        };
        let store = match store(ctx) {
            Ok(s) => s,
            Err(d) => return ReadResponse::failed(&req, d),
        };
        let stored = store.objects.lock().unwrap().get(&prior.id).cloned();
        match stored.map(|v| NoteState::decode(&v)) {
            Some(Ok(state)) => ReadResponse::found(state.to_state()),
            Some(Err(e)) => ReadResponse::failed(&req, e),
            None => ReadResponse::removed(),
        }
    }

    async fn update(&self, ctx: &Context, req: UpdateRequest) -> ApplyResponse {
        let prior = match NoteState::from_config(&req.prior_state) {
            Ok(s) => s,
            Err(d) => return ApplyResponse::failed(d),
        };
        match NotePlan::from_config(&req.plan) {
            Ok(plan) => self.save(ctx, plan, Some(prior.id)).await,
            Err(d) => ApplyResponse::failed(d),
        }
    }

    async fn delete(&self, ctx: &Context, req: DeleteRequest) -> DeleteResponse {
        let result = NoteState::from_config(&req.prior_state)
            .map_err(Diagnostics::from)
            .and_then(|prior| Ok((prior, store(ctx)?)));
        match result {
            Ok((prior, store)) => {
                store.objects.lock().unwrap().remove(&prior.id);
                DeleteResponse::default()
            }
            Err(diagnostics) => DeleteResponse { diagnostics },
        }
    }
}
