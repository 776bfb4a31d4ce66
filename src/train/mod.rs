//! Training on an index's own data: the text model (clause sentiment from review stars),
//! the ranker's labelled queries and its trees (LambdaMART), and the weekly retraining
//! that installs a new model as a version when it is not worse.

pub mod grades;
pub mod lambdamart;
pub mod ranker;
pub mod retrain;
pub mod text;

pub use grades::Grades;
pub use lambdamart::{ndcg_at, LtrConfig};
pub use ranker::{
    check_label_days, check_max_queries, labelled_queries, train_for_version, train_on_snapshot,
    LabelledQuery, TrainOptions, TrainOutcome, TreeProgress,
};
pub use retrain::{retrain, retrain_with, RetrainReport};
pub use text::{train_text_model, LabelledReview, TextModelConfig};
