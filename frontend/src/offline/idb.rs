//! A small promise-based layer over the browser's IndexedDB: one database, a few object
//! stores, JSON values under string keys. Writes that belong together go in one
//! transaction and count as done only once the browser reports it complete (durable).

use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

const DB_NAME: &str = "consentry-offline";
const DB_VERSION: u32 = 1;

/// Small values by name: each user's device (key, id, next sequence number).
pub const KV: &str = "kv";
/// Published form versions cached for collection, by form id.
pub const FORMS: &str = "forms";
/// Records waiting to be synced, by record UUID.
pub const OUTBOX: &str = "outbox";
/// Records the server has stored, with their receipts, by record UUID.
pub const SYNCED: &str = "synced";

const STORES: [&str; 4] = [KV, FORMS, OUTBOX, SYNCED];

/// Why the local database could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreError {
    /// The browser has no IndexedDB here (private mode in some browsers).
    Unavailable,
    /// A request or transaction failed (full disk, blocked upgrade, …).
    Failed,
    /// A stored value is not what this version of the app expects.
    Corrupt,
}

/// One change inside a [`write`].
#[derive(Debug, Clone)]
pub enum Change {
    Put {
        store: &'static str,
        key: String,
        json: String,
    },
    Delete {
        store: &'static str,
        key: String,
    },
}

impl Change {
    /// Puts `value` (as JSON) under `key`.
    pub fn put<T: Serialize>(
        store: &'static str,
        key: &str,
        value: &T,
    ) -> Result<Self, StoreError> {
        Ok(Self::Put {
            store,
            key: key.to_owned(),
            json: serde_json::to_string(value).map_err(|_| StoreError::Corrupt)?,
        })
    }

    /// Deletes `key`.
    #[must_use]
    pub fn delete(store: &'static str, key: &str) -> Self {
        Self::Delete {
            store,
            key: key.to_owned(),
        }
    }

    fn store(&self) -> &'static str {
        match self {
            Self::Put { store, .. } | Self::Delete { store, .. } => store,
        }
    }
}

/// A promise settled by the first of `success`/`error`-like callbacks installed by `arm`.
async fn settle(arm: impl FnOnce(JsValue, JsValue)) -> Result<JsValue, StoreError> {
    let mut arm = Some(arm);
    let promise =
        js_sys::Promise::new(&mut |resolve: js_sys::Function, reject: js_sys::Function| {
            if let Some(arm) = arm.take() {
                let ok = Closure::once_into_js(move |value: JsValue| {
                    let _ = resolve.call1(&JsValue::NULL, &value);
                });
                let fail = Closure::once_into_js(move |_: JsValue| {
                    let _ = reject.call0(&JsValue::NULL);
                });
                arm(ok, fail);
            }
        });
    JsFuture::from(promise)
        .await
        .map_err(|_| StoreError::Failed)
}

/// Waits for a request and returns its result.
async fn finished(request: &IdbRequest) -> Result<JsValue, StoreError> {
    settle(|ok, fail| {
        request.set_onsuccess(Some(ok.unchecked_ref()));
        request.set_onerror(Some(fail.unchecked_ref()));
    })
    .await?;
    request.result().map_err(|_| StoreError::Failed)
}

/// Waits until a transaction has committed.
async fn committed(tx: &IdbTransaction) -> Result<(), StoreError> {
    settle(|ok, fail| {
        tx.set_oncomplete(Some(ok.unchecked_ref()));
        tx.set_onerror(Some(fail.unchecked_ref()));
        tx.set_onabort(Some(fail.unchecked_ref()));
    })
    .await
    .map(drop)
}

/// Opens the database, creating its stores on first use.
async fn open() -> Result<IdbDatabase, StoreError> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or(StoreError::Unavailable)?;
    let request = factory
        .open_with_u32(DB_NAME, DB_VERSION)
        .map_err(|_| StoreError::Unavailable)?;
    let upgrade = Closure::once_into_js(move |event: web_sys::Event| {
        let Some(db) = event
            .target()
            .and_then(|t| t.dyn_into::<IdbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|v| v.dyn_into::<IdbDatabase>().ok())
        else {
            return;
        };
        let names = db.object_store_names();
        for store in STORES {
            if !names.contains(store) {
                let _ = db.create_object_store(store);
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    finished(&request)
        .await?
        .dyn_into::<IdbDatabase>()
        .map_err(|_| StoreError::Failed)
}

fn decode<T: DeserializeOwned>(value: &JsValue) -> Result<T, StoreError> {
    let text = value.as_string().ok_or(StoreError::Corrupt)?;
    serde_json::from_str(&text).map_err(|_| StoreError::Corrupt)
}

/// The value under `key`, if any.
pub async fn get<T: DeserializeOwned>(store: &str, key: &str) -> Result<Option<T>, StoreError> {
    let db = open().await?;
    let tx = db
        .transaction_with_str(store)
        .map_err(|_| StoreError::Failed)?;
    let request = tx
        .object_store(store)
        .and_then(|s| s.get(&JsValue::from_str(key)))
        .map_err(|_| StoreError::Failed)?;
    let value = finished(&request).await?;
    db.close();
    if value.is_undefined() {
        Ok(None)
    } else {
        decode(&value).map(Some)
    }
}

/// Every value of `store`, in key order. A value that cannot be read is skipped.
pub async fn all<T: DeserializeOwned>(store: &str) -> Result<Vec<T>, StoreError> {
    let db = open().await?;
    let tx = db
        .transaction_with_str(store)
        .map_err(|_| StoreError::Failed)?;
    let request = tx
        .object_store(store)
        .and_then(|s| s.get_all())
        .map_err(|_| StoreError::Failed)?;
    let values = finished(&request).await?;
    db.close();
    let array: js_sys::Array = values.dyn_into().map_err(|_| StoreError::Corrupt)?;
    Ok(array.iter().filter_map(|v| decode(&v).ok()).collect())
}

/// Every value of `store` with its key, in key order. A value that cannot be read is
/// skipped.
pub async fn all_with_keys<T: DeserializeOwned>(
    store: &str,
) -> Result<Vec<(String, T)>, StoreError> {
    let db = open().await?;
    let tx = db
        .transaction_with_str(store)
        .map_err(|_| StoreError::Failed)?;
    let object_store = tx.object_store(store).map_err(|_| StoreError::Failed)?;
    // Both requests are queued before either is awaited: one snapshot of the store.
    let keys = object_store
        .get_all_keys()
        .map_err(|_| StoreError::Failed)?;
    let values = object_store.get_all().map_err(|_| StoreError::Failed)?;
    let keys = finished(&keys).await?;
    let values = finished(&values).await?;
    db.close();
    let keys: js_sys::Array = keys.dyn_into().map_err(|_| StoreError::Corrupt)?;
    let values: js_sys::Array = values.dyn_into().map_err(|_| StoreError::Corrupt)?;
    Ok(keys
        .iter()
        .zip(values.iter())
        .filter_map(|(k, v)| Some((k.as_string()?, decode(&v).ok()?)))
        .collect())
}

/// Applies `changes` in one transaction: all of them or none.
pub async fn write(changes: Vec<Change>) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let db = open().await?;
    let mut names: Vec<&str> = changes.iter().map(Change::store).collect();
    names.sort_unstable();
    names.dedup();
    let scope = js_sys::Array::new();
    for name in &names {
        scope.push(&JsValue::from_str(name));
    }
    let tx = db
        .transaction_with_str_sequence_and_mode(&scope, IdbTransactionMode::Readwrite)
        .map_err(|_| StoreError::Failed)?;
    for change in changes {
        let store = tx
            .object_store(change.store())
            .map_err(|_| StoreError::Failed)?;
        let queued = match change {
            Change::Put { key, json, .. } => {
                store.put_with_key(&JsValue::from_str(&json), &JsValue::from_str(&key))
            }
            Change::Delete { key, .. } => store.delete(&JsValue::from_str(&key)),
        };
        if queued.is_err() {
            let _ = tx.abort();
            return Err(StoreError::Failed);
        }
    }
    let done = committed(&tx).await;
    db.close();
    done
}
