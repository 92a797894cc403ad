//! Writing recommendation lists to files.

use super::*;

/// Write `user_id,rank,isbn` lists (ranks from 1), one list per user.
pub(super) fn write_lists(
    path: &Path,
    items: &ItemIndex,
    users: &[u32],
    lists: &[Vec<u32>],
) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| RecsError::io(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    let mut write = || -> std::io::Result<()> {
        writeln!(out, "user_id,rank,isbn")?;
        for (u, list) in users.iter().zip(lists) {
            for (rank, e) in list.iter().enumerate() {
                writeln!(out, "{u},{},{}", rank + 1, items.keys[*e as usize])?;
            }
        }
        out.flush()
    };
    write().map_err(|e| RecsError::io(path, e))
}

/// Write `user_id,rank,isbn` (ranks 1–20) for every user of `test`.
pub fn write_recs(
    path: &Path,
    model: &TrainedModels,
    kind: ModelKind,
    m: &TrainMatrix,
    test: &[Interaction],
    rules: EvalRules,
    progress: ProgressFn<'_>,
) -> Result<()> {
    let scorer = model
        .scorer(kind)
        .ok_or_else(|| RecsError::Config(format!("model {kind} was not trained")))?;
    let mut users: Vec<u32> = test.iter().map(|r| r.user).collect();
    users.sort_unstable();
    users.dedup();
    progress(&Progress {
        stage: format!("writing {kind} recommendations"),
        done: 0,
        total: users.len() as u64,
    });
    let lists: Vec<(u32, Vec<u32>)> = users
        .par_iter()
        .map(|&u| {
            let (profile, isbns) = user_rows(m, u);
            let shown = Shown::new(model, rules, &profile, &isbns);
            (u, shown.rank(&*scorer, &profile, 20).1)
        })
        .collect();
    let file = std::fs::File::create(path).map_err(|e| RecsError::io(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    let mut write = || -> std::io::Result<()> {
        writeln!(out, "user_id,rank,isbn")?;
        for (u, list) in &lists {
            for (rank, e) in list.iter().enumerate() {
                writeln!(out, "{u},{},{}", rank + 1, model.items.keys[*e as usize])?;
            }
        }
        out.flush()
    };
    write().map_err(|e| RecsError::io(path, e))
}
