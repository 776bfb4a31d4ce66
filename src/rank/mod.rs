//! Ranking: the clause-level text model, per-business features, the learned ranker
//! (LambdaMART) and its training and evaluation.

pub mod affinity;
pub mod clauses;
pub mod features;
pub mod ltr;
pub mod model;
pub mod text_model;
pub mod text_train;
pub mod train;

pub use features::{BizStats, FeatureVector, MatchAcc, FEATURE_NAMES, N_FEATURES};
pub use model::ModelFile;
