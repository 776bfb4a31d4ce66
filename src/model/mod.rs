//! What ranking reads at query time: the model file of a version (its text model and
//! its ranker, with what they expect and how well they did), the text model's clause
//! scores, the clauses of a review and their encoding in the index, the ranking
//! features, category affinity, and the forest of regression trees every search
//! evaluates. Inference only: the training of these models is the `train` floor's.

pub mod affinity;
pub mod clauses;
pub mod features;
pub mod file;
pub mod forest;
pub mod names;
pub mod text;

pub use file::{ModelFile, TrainingData, TrainingWindow};
