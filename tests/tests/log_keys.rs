//! Appended keys (`pypwext::logging::append_key` / `remove_keys`): per
//! invocation inside one, process-wide outside any, never seen by another
//! invocation. Keys of the process are global: only the first test appends
//! any, and the second looks only at its own keys.

use pypwext::lambda::Invocation;
use pypwext::logging::{self, MemoryWriter, append_key, remove_keys};
use pypwext_tests::OrderedObject;

fn subscriber(sink: &MemoryWriter) -> impl tracing::Subscriber + Send + Sync {
    logging::builder()
        .service("svc")
        .level(tracing::Level::INFO)
        .writer(sink.clone())
        .build()
}

fn lines(sink: &MemoryWriter) -> Vec<OrderedObject> {
    sink.lines().iter().map(|line| OrderedObject::parse(line)).collect()
}

#[test]
fn keys_last_to_the_end_of_their_invocation_and_init_keys_for_the_process() {
    let sink = MemoryWriter::new();
    tracing::subscriber::with_default(subscriber(&sink), || {
        // During init: on every later line.
        append_key("deployment", "blue").unwrap();
        Invocation::new("req-1").sync_scope(|| {
            append_key("order_id", 42).unwrap();
            append_key("customer", serde_json::json!({"id": 7, "tier": "gold"})).unwrap();
            tracing::error!(n = 1, "with both");
            append_key("order_id", 43).unwrap();
            remove_keys(&["customer", "deployment"]);
            tracing::info!("order replaced, customer and deployment removed");
        });
        Invocation::new("req-2").sync_scope(|| tracing::info!("next invocation"));
        remove_keys(&["deployment"]);
        tracing::info!("after init keys are removed");
    });
    let lines = lines(&sink);
    assert_eq!(lines.len(), 4);
    // Appended keys after the invocation's and exception keys, before the event's own fields.
    let keys = lines[0].keys();
    let tail: Vec<&str> = keys[keys.len() - 4..].to_vec();
    assert_eq!(tail, ["deployment", "order_id", "customer", "n"]);
    assert_eq!(
        lines[0].get("customer").unwrap(),
        &serde_json::json!({"id": 7, "tier": "gold"})
    );
    assert_eq!(lines[1].get("order_id").unwrap(), 43);
    assert!(lines[1].get("customer").is_none());
    assert!(lines[1].get("deployment").is_none(), "removed for this invocation");
    // Nothing of req-1 reaches req-2; the process's key is back.
    assert!(lines[2].get("order_id").is_none());
    assert_eq!(lines[2].get("deployment").unwrap(), "blue");
    assert!(lines[3].get("deployment").is_none());
}

#[test]
fn concurrent_invocations_never_see_each_other_s_keys() {
    const INVOCATIONS: usize = 1_000;
    let sink = MemoryWriter::new();
    let _guard = tracing::subscriber::set_default(subscriber(&sink));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dispatch = tracing::dispatcher::get_default(Clone::clone);
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..INVOCATIONS {
            let dispatch = dispatch.clone();
            tasks.spawn(tracing::instrument::WithSubscriber::with_subscriber(
                Invocation::new(format!("req-{i}")).scope(async move {
                    append_key("invocation_key", i).unwrap();
                    for step in 0..3 {
                        tokio::task::yield_now().await;
                        tracing::info!(step, "working");
                    }
                }),
                dispatch,
            ));
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
    });
    let lines = lines(&sink);
    assert_eq!(lines.len(), INVOCATIONS * 3);
    for line in &lines {
        let request_id = line.get("function_request_id").unwrap().as_str().unwrap();
        let expected = request_id.trim_start_matches("req-").parse::<u64>().unwrap();
        assert_eq!(line.get("invocation_key").unwrap(), expected, "{request_id}");
        assert_eq!(line.keys().iter().filter(|k| **k == "invocation_key").count(), 1);
    }
}
