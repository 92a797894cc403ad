//! A reader's yearly reading goal: how many books they mean to read in a year, kept in `meta`
//! under `goal:<user>:<year>` (a handful of keys per reader, read once per "My taste" view).

use super::{Store, StoreResult, UserId};

/// The `meta` key of a reader's goal for a year.
fn key(user: UserId, year: i32) -> String {
    format!("goal:{user}:{year}")
}

impl Store {
    /// The reader's goal for `year`, in books, if they set one.
    pub fn reading_goal(&self, user: UserId, year: i32) -> StoreResult<Option<u32>> {
        self.meta(&key(user, year))
    }

    /// Set the reader's goal for `year` (`0` removes it).
    pub fn set_reading_goal(&self, user: UserId, year: i32, books: u32) -> StoreResult<()> {
        if books == 0 {
            self.meta.remove(key(user, year).as_bytes())?;
            Ok(())
        } else {
            self.set_meta(&key(user, year), &books)
        }
    }

    /// Remove what `meta` keeps of one reader (their goals, their last import's summary), for
    /// a deleted account.
    pub(super) fn forget_reader_meta(&self, user: UserId) -> StoreResult<()> {
        let goals: Vec<sled::IVec> = self
            .meta
            .scan_prefix(format!("goal:{user}:").as_bytes())
            .keys()
            .collect::<Result<_, _>>()?;
        for k in goals {
            self.meta.remove(k)?;
        }
        self.meta
            .remove(super::transfer_summary_key(user).as_bytes())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_goal_is_per_reader_and_year_and_goes_with_the_account() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        let id = |name| match store.create_account(name, "phc", 0).unwrap() {
            super::super::accounts::CreateAccount::Created(id) => id,
            taken => panic!("{taken:?}"),
        };
        let (ann, bob) = (id("ann"), id("bob"));
        store.set_reading_goal(ann, 2026, 40).unwrap();
        store.set_reading_goal(ann, 2025, 30).unwrap();
        store.set_reading_goal(bob, 2026, 12).unwrap();
        assert_eq!(store.reading_goal(ann, 2026).unwrap(), Some(40));
        assert_eq!(store.reading_goal(ann, 2024).unwrap(), None);
        store.set_reading_goal(ann, 2025, 0).unwrap();
        assert_eq!(store.reading_goal(ann, 2025).unwrap(), None);
        store.delete_user(ann).unwrap();
        assert_eq!(store.reading_goal(ann, 2026).unwrap(), None);
        assert_eq!(store.reading_goal(bob, 2026).unwrap(), Some(12));
    }
}
