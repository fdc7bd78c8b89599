//! Many invocations at once on a multi-thread runtime: each root collector sees
//! exactly its own errors, never another invocation's.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use pypwext::{ErrorAction, PwError, StatusCode, collect_errors, current_collector};
use tokio::sync::Barrier;

const INVOCATIONS: usize = 1_200;

#[collect_errors]
async fn step(invocation: usize, step: usize, fail: bool) -> Result<Option<usize>, PwError> {
    // Give the scheduler every chance to move this task to the other worker.
    tokio::task::yield_now().await;
    if fail {
        return Err(
            PwError::new(StatusCode::CONFLICT, format!("invocation {invocation} step {step}"))
                .with_action(ErrorAction::Continue),
        );
    }
    Ok(Some(step))
}

/// One invocation: `invocation % 7` failing steps out of 8, half of them before
/// and half after a barrier that every invocation must reach, so all collectors
/// are alive at the same time.
#[collect_errors(root)]
async fn invocation(invocation: usize, barrier: Arc<Barrier>) -> Result<Option<Vec<String>>, PwError> {
    let failing = invocation % 7;
    let first = join_all((0..4).map(|s| step(invocation, s, s < failing))).await;
    barrier.wait().await;
    let second = join_all((4..8).map(|s| step(invocation, s, s < failing))).await;
    let succeeded = first
        .into_iter()
        .chain(second)
        .filter(|r| matches!(r, Ok(Some(_))))
        .count();
    assert_eq!(succeeded, 8 - failing, "invocation {invocation}: successes");
    let collector = current_collector().expect("each invocation has its root collector");
    Ok(Some(
        collector.errors().iter().map(|e| e.message().to_owned()).collect(),
    ))
}

#[test]
fn concurrent_invocations_never_share_a_collector() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let barrier = Arc::new(Barrier::new(INVOCATIONS));
        let tasks: Vec<_> = (0..INVOCATIONS)
            .map(|i| tokio::spawn(invocation(i, barrier.clone())))
            .collect();
        let all = tokio::time::timeout(Duration::from_secs(60), join_all(tasks))
            .await
            .expect("1200 small invocations finish well within a minute");

        let mut total = 0;
        for (i, joined) in all.into_iter().enumerate() {
            let messages = joined.expect("no invocation panicked").unwrap().unwrap();
            let expected: Vec<String> = (0..i % 7).map(|s| format!("invocation {i} step {s}")).collect();
            assert_eq!(
                messages, expected,
                "invocation {i} saw exactly its own errors, in order"
            );
            total += messages.len();
        }
        assert_eq!(total, (0..INVOCATIONS).map(|i| i % 7).sum::<usize>());
    });
}
