//! Scoring one model on the held-out readers: their cases, the lists shown to them under
//! the chosen rules, and the metrics.

use super::*;

/// The ranked works of one user, and what they are scored against.
pub(super) struct UserCase {
    pub(super) user: u32,
    pub(super) profile: Vec<(u32, f32)>,
    /// The user's training editions.
    pub(super) train_isbns: Vec<u32>,
    pub(super) relevant_isbn: Vec<u32>,
    pub(super) relevant_work: Vec<u32>,
}

pub(super) fn cases(
    items: &ItemIndex,
    m: &TrainMatrix,
    test: &[Interaction],
    protocol: &Protocol,
    max: Option<usize>,
) -> Vec<UserCase> {
    let mut users = split::relevant_by_user(test, protocol.relevant_min);
    if let Some(max) = max {
        users.truncate(max);
    }
    users
        .into_iter()
        .map(|(user, relevant_isbn)| {
            // A test user without training data gets an empty profile (popularity).
            let (profile, train_isbns) = user_rows(m, user);
            let mut relevant_work: Vec<u32> = relevant_isbn
                .iter()
                .map(|&e| items.work_of[e as usize])
                .collect();
            relevant_work.sort_unstable();
            relevant_work.dedup();
            UserCase {
                user,
                profile,
                train_isbns,
                relevant_isbn,
                relevant_work,
            }
        })
        .collect()
}

/// A user's training profile (works) and training editions; empty for an unknown user.
pub(super) fn user_rows(m: &TrainMatrix, user: u32) -> (Vec<(u32, f32)>, Vec<u32>) {
    match m.user_row.get(&user) {
        Some(&r) => (
            m.row(r as usize),
            data::row_of(&m.by_user_isbn, r as usize)
                .into_iter()
                .map(|x| x.0)
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    }
}

/// What a user's lists must leave out under `rules`, and how a work is shown to them.
pub(super) struct Shown<'a> {
    pub(super) model: &'a TrainedModels,
    pub(super) rules: EvalRules,
    pub(super) train_isbns: HashSet<u32>,
    pub(super) publishers: ReaderPublishers,
    pub(super) excluded: HashSet<u32>,
}

impl<'a> Shown<'a> {
    pub(super) fn new(
        model: &'a TrainedModels,
        rules: EvalRules,
        profile: &[(u32, f32)],
        train_isbns: &[u32],
    ) -> Shown<'a> {
        let train_isbns: HashSet<u32> = train_isbns.iter().copied().collect();
        // Works, not editions: a work model has one score per work, and a work the user has
        // would otherwise fill the list with the other editions of their own books.
        let excluded = profile.iter().map(|p| p.0).collect();
        let publishers = ReaderPublishers::new(&model.items, train_isbns.iter().copied());
        Shown {
            model,
            rules,
            train_isbns,
            publishers,
            excluded,
        }
    }

    pub(super) fn cap(&self) -> usize {
        match self.rules {
            EvalRules::Product => self.model.params.max_per_author,
            EvalRules::Protocol => usize::MAX,
        }
    }

    /// The edition shown for a work: the model's choice for this user's publishers, among
    /// the editions the user does not have.
    pub(super) fn edition(&self, w: u32) -> u32 {
        self.model
            .editions
            .choose(&self.model.items, w, &self.publishers, &|e| {
                self.train_isbns.contains(&e)
            })
            .unwrap_or(self.model.shown[w as usize])
    }

    pub(super) fn rank(
        &self,
        scorer: &dyn Scorer,
        profile: &[(u32, f32)],
        k: usize,
    ) -> (Vec<u32>, Vec<u32>) {
        let works: Vec<u32> = self
            .model
            .serving()
            .rank_capped(
                scorer,
                profile,
                &|w| self.excluded.contains(&w),
                k,
                self.cap(),
            )
            .into_iter()
            .map(|x| x.0)
            .collect();
        let editions = works.iter().map(|&w| self.edition(w)).collect();
        (works, editions)
    }
}

/// Score one model over the cases: (per ISBN, per work, coverage).
pub(super) fn score_model(
    model: &TrainedModels,
    rules: EvalRules,
    scorer: &dyn Scorer,
    cases: &[UserCase],
    progress: ProgressFn<'_>,
    name: &str,
) -> (Scores, Scores, f64, Vec<Vec<u32>>) {
    let done = std::sync::atomic::AtomicU64::new(0);
    let total = cases.len() as u64;
    let per_user: Vec<(Scores, Scores, Vec<u32>)> = cases
        .par_iter()
        .map(|c| {
            let (si, sw, editions) = score_case(model, rules, scorer, c);
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if d.is_multiple_of(1000) || d == total {
                progress(&Progress {
                    stage: format!("scoring {name}"),
                    done: d,
                    total,
                });
            }
            (si, sw, editions)
        })
        .collect();
    let mut seen = HashSet::new();
    let (mut si, mut sw) = (Scores::default(), Scores::default());
    let mut lists = Vec::with_capacity(per_user.len());
    for (a, b, e) in per_user {
        si = si.merge(a);
        sw = sw.merge(b);
        seen.extend(e.iter().take(10).copied());
        lists.push(e);
    }
    let coverage = seen.len() as f64 / model.items.len().max(1) as f64;
    (si.mean(), sw.mean(), coverage, lists)
}

/// One reader's scores (per ISBN, per work) for the top 20 the model shows them, and the
/// editions shown.
fn score_case(
    model: &TrainedModels,
    rules: EvalRules,
    scorer: &dyn Scorer,
    c: &UserCase,
) -> (Scores, Scores, Vec<u32>) {
    let shown = Shown::new(model, rules, &c.profile, &c.train_isbns);
    let (works, editions) = shown.rank(scorer, &c.profile, 20);
    let (mut si, mut sw) = (Scores::default(), Scores::default());
    si.add(&editions, &c.relevant_isbn);
    sw.add(&works, &c.relevant_work);
    (si, sw, editions)
}

/// The split to evaluate on: from files, or the protocol's hold-out.
pub(super) fn the_split(config: &EvalConfig, dataset: &Dataset) -> Result<split::Split> {
    match (&config.train_file, &config.test_file) {
        (Some(train), Some(test)) => Ok(split::Split {
            train: load::read_bx_ratings(train, &dataset.items)?,
            test: load::read_bx_ratings(test, &dataset.items)?,
        }),
        (None, None) => Ok(split::holdout(&dataset.ratings, &config.protocol)),
        _ => Err(RecsError::Config("--train and --test go together".into())),
    }
}

/// Mean scores (per ISBN, per work) of a subset of the cases, such as one cold-start bucket.
pub(super) fn score_cases(
    model: &TrainedModels,
    rules: EvalRules,
    scorer: &dyn Scorer,
    cases: &[&UserCase],
) -> (Scores, Scores) {
    let (si, sw) = cases
        .par_iter()
        .map(|c| {
            let (si, sw, _) = score_case(model, rules, scorer, c);
            (si, sw)
        })
        .reduce(
            || (Scores::default(), Scores::default()),
            |a, b| (a.0.merge(b.0), a.1.merge(b.1)),
        );
    (si.mean(), sw.mean())
}
