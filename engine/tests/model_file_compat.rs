//! A model file written before the code-shape change still loads, and recommends what the
//! build that wrote it recommended (`fixtures/models/SOURCE.md`): a server upgraded over a data
//! dir keeps serving its `model.bin` instead of retraining.

use std::path::Path;

use engine::recs::models::ModelKind;
use engine::recs::serve::Request;
use engine::recs::trained::{TrainedModels, MODEL_FORMAT, MODEL_MAGIC};
use engine::recs::RecsError;

#[test]
fn a_model_written_by_747fb8e_loads_and_recommends_the_same() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models");
    let model =
        TrainedModels::load(&dir.join("goodbooks-747fb8e.bin")).expect("the old file loads");
    let expected = std::fs::read_to_string(dir.join("goodbooks-747fb8e.recs.txt")).unwrap();
    let mut lines = expected.lines();
    let (key, rating) = lines.next().unwrap().split_once(' ').unwrap();
    let req = Request {
        ratings: vec![(key.to_string(), rating.parse().unwrap())],
        k: 5,
        ..Request::default()
    };
    let mut kinds = 0;
    for line in lines {
        let (kind, keys) = line.split_once(' ').unwrap();
        let kind: ModelKind = kind.parse().unwrap();
        let got: Vec<String> = model
            .serving()
            .recommend(kind, &req)
            .expect("trained")
            .into_iter()
            .map(|r| r.key)
            .collect();
        assert_eq!(got.join(","), keys, "{kind}");
        kinds += 1;
    }
    assert_eq!(kinds, ModelKind::ALL.len());
}

#[test]
fn a_model_file_of_another_format_is_refused_not_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models");
    let model = TrainedModels::load(&fixture.join("goodbooks-747fb8e.bin")).unwrap();
    // What this build writes carries the header and reads back.
    let path = dir.path().join("model.bin");
    model.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(MODEL_MAGIC));
    assert_eq!(bytes[8..12], MODEL_FORMAT.to_be_bytes());
    TrainedModels::load(&path).unwrap();
    // The same bytes under a format number this build does not know are refused.
    let mut future = bytes.clone();
    future[8..12].copy_from_slice(&(MODEL_FORMAT + 1).to_be_bytes());
    std::fs::write(&path, &future).unwrap();
    match TrainedModels::load(&path) {
        Err(RecsError::ModelFormat { found, .. }) => assert_eq!(found, MODEL_FORMAT + 1),
        other => panic!("{:?}", other.map(|_| "a model")),
    }
}

#[test]
fn a_format_2_file_loads_without_a_reranker() {
    // Format 2 (2026-12-04 to the reranker) is the header, then the model, and nothing after.
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models");
    let model = TrainedModels::load(&fixture.join("goodbooks-747fb8e.bin")).unwrap();
    let mut bytes = MODEL_MAGIC.to_vec();
    bytes.extend_from_slice(&2u32.to_be_bytes());
    bytes.extend(postcard::to_allocvec(&model).unwrap());
    let path = dir.path().join("model.bin");
    std::fs::write(&path, &bytes).unwrap();
    let back = TrainedModels::load(&path).expect("a format-2 file loads");
    assert!(back.reranker.is_none());
    assert_eq!(back.items.keys, model.items.keys);
    // What the current build writes after it reads back the same.
    model.save(&path).unwrap();
    let again = TrainedModels::load(&path).unwrap();
    assert!(again.reranker.is_none());
    assert_eq!(again.items.keys, model.items.keys);
}
