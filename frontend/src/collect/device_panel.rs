//! This browser as a collection device: its key is made on first use, registered under a
//! name (the browser and platform by default), and checked against the server, which
//! may have revoked it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::error::ApiError;
use shared::api::sync::RegisterDevice;

use crate::components::form::FormAlert;
use crate::i18n::use_i18n;
use crate::offline::{device, use_collector, Collector};

/// Whether the device is registered, revoked or neither.
fn state_of(c: Collector) -> &'static str {
    c.device.with(|d| match d {
        Some(d) if d.revoked => "revoked",
        Some(d) if d.device_id.is_some() => "registered",
        _ => "unregistered",
    })
}

/// Makes the key on first use and, when online, asks the server whether the device was
/// revoked meanwhile.
fn check(c: Collector) {
    let Some(user) = c.user.get_untracked() else {
        return;
    };
    let api = c.session().client();
    spawn_local(async move {
        let Ok(mut device) = device::load_or_create(&user.id).await else {
            c.store_failed.set(true);
            return;
        };
        let registered = device.device_id.clone().filter(|_| !device.revoked);
        if let Some(id) = registered {
            if let Ok(devices) = api.devices().await {
                let revoked = devices
                    .iter()
                    .any(|d| d.id.to_string() == id && d.revoked_at_ms.is_some());
                if revoked {
                    device.revoked = true;
                    let _ = device::save(&device).await;
                }
            }
        }
        c.reload();
    });
}

/// The device panel of the Collect page.
#[component]
pub fn DevicePanel() -> impl IntoView {
    let i18n = use_i18n();
    let c = use_collector();
    Effect::new(move |_| {
        if c.user.with(Option::is_some) && c.online.get() {
            check(c);
        } else if c.user.with(Option::is_some) {
            c.reload();
        }
    });
    let name = RwSignal::new(device::default_name());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let register = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(user) = c.user.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let api = c.session().client();
        let name = name.get_untracked();
        spawn_local(async move {
            let renew = c
                .device
                .with_untracked(|d| d.as_ref().is_some_and(|d| d.revoked));
            let made = if renew {
                device::renew(&user.id).await
            } else {
                device::load_or_create(&user.id).await
            };
            match made {
                Ok(mut d) => {
                    let request = RegisterDevice {
                        name,
                        public_key: d.public_key.clone(),
                    };
                    match api.register_device(&request).await {
                        Ok(info) => {
                            d.device_id = Some(info.id.to_string());
                            d.name = info.name;
                            if device::save(&d).await.is_err() {
                                c.store_failed.set(true);
                            }
                        }
                        Err(e) => {
                            c.session().note_error(&e);
                            error.set(Some(e));
                        }
                    }
                }
                Err(_) => c.store_failed.set(true),
            }
            busy.set(false);
            c.reload();
        });
    };
    let facts = move || {
        c.device.get().filter(|d| d.device_id.is_some()).map(|d| {
            let t = &i18n.t().collect;
            view! {
                <dl class="facts">
                    <dt>{t.device_name}</dt>
                    <dd data-testid="device-name">{d.name.clone()}</dd>
                    <dt>{t.device_id}</dt>
                    <dd><code data-testid="device-id">{d.device_id.clone()}</code></dd>
                    <dt>{t.device_key}</dt>
                    <dd><code class="collect-key">{d.public_key}</code></dd>
                </dl>
            }
        })
    };
    view! {
        <section class="card collect-device" aria-labelledby="device-heading">
            <h2 id="device-heading">{move || i18n.t().collect.device_heading}</h2>
            <p data-testid="device-status" data-state=move || state_of(c)>
                {move || {
                    let t = &i18n.t().collect;
                    match state_of(c) {
                        "registered" => view! { <span class="badge badge-ok">{t.device_registered}</span> }.into_any(),
                        "revoked" => view! { <span class="alert alert-error" role="alert">{t.device_revoked}</span> }.into_any(),
                        _ => view! { <span>{t.device_unregistered}</span> }.into_any(),
                    }
                }}
            </p>
            {facts}
            <Show when=move || state_of(c) != "registered">
                <form class="stack" on:submit=register>
                    <div class="field">
                        <label for="device-name-input">{move || i18n.t().collect.device_name}</label>
                        <input
                            id="device-name-input"
                            type="text"
                            maxlength="80"
                            required=true
                            data-testid="device-name-input"
                            prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))
                        />
                    </div>
                    <FormAlert error />
                    <button
                        type="submit"
                        class="button button-primary"
                        data-testid="device-register"
                        disabled=move || busy.get() || !c.online.get()
                    >
                        {move || {
                            let t = &i18n.t().collect;
                            if busy.get() { t.device_registering } else { t.device_register }
                        }}
                    </button>
                </form>
            </Show>
        </section>
    }
}
