//! The runtime of `#[batch_response]`: run the function once per record, each
//! record in its own collector scope and log span, in the order its source
//! needs, and answer the partial batch response.

use std::collections::HashSet;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::{FutureExt as _, StreamExt as _};
use lambda_runtime::Context;
use tracing::Instrument as _;

use super::source::{BatchEvent, BatchRecord, RecordOrder};
use crate::errors::{PwError, fresh_scope, start_fresh};
use crate::lambda::Invocation;
use crate::logging::render::short_type_name;

use crate::log_target::BATCH as TARGET;

/// The error an invocation fails with (`lambda_runtime::Error`).
pub type Error = lambda_runtime::Error;

/// What `#[batch_response(...)]` was asked to do on one function; a `static`
/// in the generated code, or made by hand for [`process_records`].
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    /// The function's name, for the log lines.
    pub function: &'static str,
    /// The line of the function's name, for the log lines.
    pub line: u32,
    /// Records of an SQS standard queue in flight at once (at least 1).
    pub concurrency: usize,
    /// SQS FIFO: a failure skips the rest of its message group only, instead
    /// of every later record.
    pub skip_group_on_error: bool,
    /// A batch whose every record failed fails the invocation (Lambda then
    /// retries it whole), as Powertools does.
    pub fail_whole_batch: bool,
}

impl BatchOptions {
    /// The defaults for `function`: one record at a time, a FIFO failure stops
    /// the batch, a batch that failed whole fails the invocation.
    pub const fn new(function: &'static str) -> Self {
        BatchOptions {
            function,
            line: 0,
            concurrency: 1,
            skip_group_on_error: false,
            fail_whole_batch: true,
        }
    }
}

/// How one record ended, as the function's code gives it.
#[derive(Debug)]
pub enum RecordOutcome {
    /// The function returned `Ok`.
    Done,
    /// An extractor refused the record (a body that does not parse), or the
    /// function returned `Err`.
    Failed(RecordFailure),
}

/// Why a record failed, for its ERROR line.
#[derive(Debug)]
pub struct RecordFailure {
    /// The error's text (with its sources).
    pub text: String,
    /// The error's type, or `panic`.
    pub name: String,
    /// For a body that did not parse: the field (when there is one).
    pub field: Option<String>,
    /// For a body that did not parse: serde's reason.
    pub reason: Option<String>,
}

/// Whether a record's ERROR line will be written: nothing is rendered for a
/// line that will not be.
pub(crate) fn failure_line_enabled() -> bool {
    tracing::enabled!(target: TARGET, tracing::Level::ERROR)
}

impl RecordFailure {
    /// A failure of the function with `error` (its text and type are
    /// rendered only when the record's ERROR line will be written).
    pub fn from_error<E: Into<Error>>(error: E) -> Self {
        if !failure_line_enabled() {
            return RecordFailure::unrendered();
        }
        let name = short_type_name(std::any::type_name::<E>());
        let boxed: Error = error.into();
        RecordFailure {
            text: crate::logging::fields::ErrorChain(&*boxed).to_string(),
            name,
            field: None,
            reason: None,
        }
    }

    /// A failure whose line will not be written: nothing rendered.
    fn unrendered() -> Self {
        RecordFailure {
            text: String::new(),
            name: String::new(),
            field: None,
            reason: None,
        }
    }

    /// A refusal by an extractor: a `PwError` whose details may name a field and a reason.
    pub fn refused(error: &PwError) -> Self {
        if !failure_line_enabled() {
            return RecordFailure::unrendered();
        }
        let detail = |key: &str| {
            error
                .details()
                .and_then(|details| details.get(key))
                .and_then(|value| value.as_str())
                .map(str::to_owned)
        };
        RecordFailure {
            text: error.message().to_owned(),
            name: "PwError".to_owned(),
            field: detail("field"),
            reason: detail("reason"),
        }
    }
}

/// What became of one record, for the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Processed successfully.
    Succeeded,
    /// Processed, and failed: listed in the response.
    Failed,
    /// Not processed, because an earlier record of its FIFO queue (or message
    /// group) failed: listed in the response, so SQS delivers it again.
    Skipped,
    /// Not processed, because an earlier record of its stream failed: not
    /// listed (Lambda resumes the stream at the failed record, this one
    /// included).
    Unprocessed,
}

/// Runs `future` as the invocation that is current, or, when none is, as the
/// one `context` describes: every line logged meanwhile carries its keys.
pub async fn in_invocation<F: Future>(context: &Context, future: F) -> F::Output {
    if Invocation::current().is_some() {
        return future.await;
    }
    Invocation::from(context).scope(future).await
}

/// Runs `handler` for the records of `event` and answers the partial batch
/// response:
///
/// - SQS standard queue: up to `concurrency` records at a time, in the
///   invocation's task; every failed record is listed, in record order.
/// - SQS FIFO queue: one at a time, in order; the first failure and every
///   record after it are listed (with `skip_group_on_error`: every later
///   record of the failed record's message group).
/// - Kinesis and DynamoDB streams: one at a time, in order; the first failure
///   stops the batch and is the one record listed.
///
/// A record fails when `handler` gives [`RecordOutcome::Failed`] or panics; its
/// ERROR line names the record. Each record has a collector of its own,
/// and every line logged while it runs carries its `record_id`. When no record
/// succeeded and `fail_whole_batch` is on, the invocation fails instead; it
/// fails too when a record that failed has no id to list it by.
pub async fn process_records<'a, E, H, Fut>(
    opts: &BatchOptions,
    event: &'a E,
    context: &'a Context,
    handler: H,
) -> Result<E::Response, Error>
where
    E: BatchEvent,
    H: Fn(&'a E::Record, &'a Context) -> Fut,
    Fut: Future<Output = RecordOutcome>,
{
    let records = event.records();
    // The closure takes the record's index, not a reference: a closure over
    // a borrowed argument would keep the handler's future from being `Send`
    // (the compiler cannot prove that for every lifetime of the argument).
    let fates = fates(opts, event.ordering(), records, |index: usize| {
        let record = &records[index];
        run_record(opts, record, handler(record, context))
    });
    let fates = fresh_scope(fates).await;
    answer::<E>(opts, records, &fates)
}

/// The fate of every record, in record order; `run(index)` processes one
/// record. Each record has a collector of its own: records that run one at a
/// time start afresh the collector scope the batch runs in (`start_fresh`),
/// records in flight together each get a scope of their own.
async fn fates<R, F, Fut>(opts: &BatchOptions, ordering: RecordOrder, records: &[R], run: F) -> Vec<Fate>
where
    R: BatchRecord,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Fate>,
{
    match ordering {
        // `buffered` keeps the order of the records in its output whatever
        // order they finish in; all of them run in this task.
        RecordOrder::Unordered if opts.concurrency > 1 => {
            futures_util::stream::iter(0..records.len())
                .map(|index| fresh_scope(run(index)))
                .buffered(opts.concurrency.max(1))
                .collect()
                .await
        }
        // One at a time: a plain loop, no stream machinery per record.
        RecordOrder::Unordered => {
            let mut fates = Vec::with_capacity(records.len());
            for index in 0..records.len() {
                start_fresh();
                fates.push(run(index).await);
            }
            fates
        }
        RecordOrder::Fifo => {
            let mut fates = Vec::with_capacity(records.len());
            let mut stopped = false;
            let mut failed_groups: HashSet<Option<&str>> = HashSet::new();
            for (index, record) in records.iter().enumerate() {
                let group = record.message_group();
                if stopped || failed_groups.contains(&group) {
                    fates.push(Fate::Skipped);
                    continue;
                }
                start_fresh();
                let fate = run(index).await;
                if fate == Fate::Failed {
                    if opts.skip_group_on_error {
                        failed_groups.insert(group);
                    } else {
                        stopped = true;
                    }
                }
                fates.push(fate);
            }
            fates
        }
        RecordOrder::Stream => {
            let mut fates = Vec::with_capacity(records.len());
            let mut stopped = false;
            for index in 0..records.len() {
                if stopped {
                    fates.push(Fate::Unprocessed);
                    continue;
                }
                start_fresh();
                let fate = run(index).await;
                stopped = fate == Fate::Failed;
                fates.push(fate);
            }
            fates
        }
    }
}

/// Runs one record's future in its span, catching a panic; logs a failure.
///
/// Combinators rather than an `async fn`: each record's future is moved
/// several times on its way into the loop, and this one is smaller than the
/// `async fn` it replaced, so each move copies less. That cut the per-record
/// overhead against a hand-written loop (`cargo bench -p pypwext-tests
/// --bench batch` measures it; BENCHMARKS.md, "Batches", has the current
/// figure).
fn run_record<'r, R: BatchRecord, Fut: Future<Output = RecordOutcome> + 'r>(
    opts: &'r BatchOptions,
    record: &'r R,
    body: Fut,
) -> impl Future<Output = Fate> + 'r {
    AssertUnwindSafe(body)
        .catch_unwind()
        .instrument(record_span(record))
        .map(move |outcome| record_fate(opts, record, outcome))
}

/// The span of one record's lines. ERROR, the highest level: the span is on
/// whatever level the logger writes.
fn record_span<R: BatchRecord>(record: &R) -> tracing::Span {
    tracing::error_span!(target: TARGET, "record", record_id = record.item_identifier().unwrap_or(""))
}

/// What became of a record whose future ended with `outcome` (a panic's
/// payload on `Err`); a failure is logged.
fn record_fate<R: BatchRecord>(
    opts: &BatchOptions,
    record: &R,
    outcome: Result<RecordOutcome, Box<dyn std::any::Any + Send>>,
) -> Fate {
    let failure = match outcome {
        Ok(RecordOutcome::Done) => return Fate::Succeeded,
        Ok(RecordOutcome::Failed(failure)) => failure,
        Err(payload) => RecordFailure {
            text: crate::logging::logged::panic_text(&*payload).to_owned(),
            name: "panic".to_owned(),
            field: None,
            reason: None,
        },
    };
    if failure_line_enabled() {
        let id = record.item_identifier().unwrap_or("");
        record_span(record).in_scope(|| failure_line(opts, id, &failure));
    }
    Fate::Failed
}

/// The ERROR line of a failed record.
fn failure_line(opts: &BatchOptions, id: &str, failure: &RecordFailure) {
    let location = format_args!("{}:{}", opts.function, opts.line);
    match (&failure.field, &failure.reason) {
        (field, Some(reason)) => tracing::error!(
            target: TARGET,
            location = %location,
            exception = failure.text.as_str(),
            exception_name = failure.name.as_str(),
            field = field.as_deref(),
            reason = reason.as_str(),
            "Record {id} failed in {}: its body does not parse",
            opts.function
        ),
        _ => tracing::error!(
            target: TARGET,
            location = %location,
            exception = failure.text.as_str(),
            exception_name = failure.name.as_str(),
            "Record {id} failed in {}",
            opts.function
        ),
    }
}

/// The partial batch response for `fates`, or the invocation's error.
fn answer<E: BatchEvent>(opts: &BatchOptions, records: &[E::Record], fates: &[Fate]) -> Result<E::Response, Error> {
    let mut failed = Vec::new();
    let mut succeeded = 0usize;
    for (index, (record, fate)) in records.iter().zip(fates).enumerate() {
        match fate {
            Fate::Succeeded => succeeded += 1,
            Fate::Unprocessed => {}
            Fate::Failed | Fate::Skipped => match record.item_identifier() {
                Some(id) => failed.push(id.to_owned()),
                None => {
                    return Err(batch_failure(
                        opts,
                        format!(
                            "record {index} of the batch failed and has no {} to report it by; the whole batch is retried",
                            id_name::<E>()
                        ),
                    ));
                }
            },
        }
    }
    if opts.fail_whole_batch && succeeded == 0 && !failed.is_empty() {
        return Err(batch_failure(
            opts,
            format!(
                "every record of the batch failed ({} listed); the whole batch is retried (write `fail_whole_batch = false` to answer the list instead)",
                failed.len()
            ),
        ));
    }
    Ok(E::response(failed))
}

/// What a record of `E` is named by in the response.
fn id_name<E: BatchEvent>() -> &'static str {
    match E::SOURCE {
        super::source::Source::Sqs => "message id",
        super::source::Source::Kinesis | super::source::Source::DynamoDb => "sequence number",
    }
}

/// The error the invocation fails with, logged first.
fn batch_failure(opts: &BatchOptions, text: String) -> Error {
    tracing::error!(
        target: TARGET,
        location = %format_args!("{}:{}", opts.function, opts.line),
        exception = text.as_str(),
        exception_name = "BatchProcessingError",
        "Batch failed in {}",
        opts.function
    );
    text.into()
}
