//! The traced call the running code is in: a tokio task-local, scoped per
//! call's future like the invocation's (`crate::lambda`), so a traced
//! function awaited or joined inside another is its child, and concurrent
//! invocations, each polled in its own scope, never see each other's calls.
//!
//! The outermost traced call of an invocation opens the invocation's
//! [`Trace`] from its trace header; every call below it is a [`Span`] of
//! that trace. When the outermost call ends it sends whatever its children
//! left open, marked `in_progress`: nothing is sent after the response.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use super::document::{Document, now};
use super::emitter::Emitter;
use super::header::TraceHeader;
use crate::env::Powertools;
use crate::lambda::Invocation;
use crate::log_target::TRACER as TARGET;

tokio::task_local! {
    // The running traced call: `Some` when it records a subsegment, `None`
    // when it records nothing (no sampled trace, or tracing off).
    static CURRENT: Option<Arc<Span>>;
}

/// What the environment says about tracing, read once, and where documents
/// go: the X-Ray daemon, or (feature `otel`, with an OTLP endpoint set) an
/// OpenTelemetry collector.
#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) disabled: bool,
    pub(crate) capture_response: bool,
    pub(crate) capture_error: bool,
    /// The service: the `Service` annotation and the metadata's namespace.
    pub(crate) service: String,
    daemon_address: String,
    /// `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT`: spans go there instead of
    /// the daemon.
    #[cfg(feature = "otel")]
    otlp_endpoint: Option<String>,
    #[cfg(feature = "otel")]
    function_name: Option<String>,
    sink: OnceLock<Option<Sink>>,
}

/// Where a trace's documents go.
#[derive(Debug)]
enum Sink {
    /// The X-Ray daemon, over UDP: each document when its call ends.
    Daemon(Emitter),
    /// An OpenTelemetry collector, over OTLP/HTTP: each document as a span,
    /// exported by the time the outermost call ends. Boxed: made once a
    /// process, and several times the daemon's size.
    #[cfg(feature = "otel")]
    Otlp(Box<super::otlp::Otlp>),
}

impl Settings {
    pub(crate) fn from_env(env: &Powertools) -> Settings {
        Settings {
            disabled: env.trace_disabled(),
            capture_response: env.tracer_capture_response.unwrap_or(true),
            capture_error: env.tracer_capture_error.unwrap_or(true),
            service: env.service_or_undefined().to_owned(),
            daemon_address: env.xray_daemon_address().to_owned(),
            #[cfg(feature = "otel")]
            otlp_endpoint: env.otlp_traces_endpoint.clone(),
            #[cfg(feature = "otel")]
            function_name: env.lambda_function_name.clone(),
            sink: OnceLock::new(),
        }
    }

    /// The process's settings, from its environment.
    pub(crate) fn process() -> &'static Settings {
        static PROCESS: OnceLock<Settings> = OnceLock::new();
        PROCESS.get_or_init(|| Settings::from_env(crate::env::process()))
    }

    /// Where documents go, decided at the first one; `None` (said once, at
    /// WARNING) when that place cannot be used.
    fn sink(&self) -> Option<&Sink> {
        self.sink.get_or_init(|| self.make_sink()).as_ref()
    }

    fn make_sink(&self) -> Option<Sink> {
        #[cfg(feature = "otel")]
        if let Some(endpoint) = &self.otlp_endpoint {
            return super::otlp::Otlp::new(endpoint, &self.service, self.function_name.as_deref())
                .inspect_err(|err| {
                    tracing::warn!(
                        target: TARGET,
                        "no trace is sent: the OTLP exporter to {endpoint} cannot be made ({err}); check OTEL_EXPORTER_OTLP_ENDPOINT"
                    );
                })
                .ok()
                .map(|otlp| Sink::Otlp(Box::new(otlp)));
        }
        Emitter::new(&self.daemon_address)
            .inspect_err(|err| {
                tracing::warn!(
                    target: TARGET,
                    "no trace is sent: the X-Ray daemon address {} cannot be used ({err}); set AWS_XRAY_DAEMON_ADDRESS to host:port",
                    self.daemon_address
                );
            })
            .ok()
            .map(Sink::Daemon)
    }
}

/// One invocation's trace, opened by its outermost traced call.
#[derive(Debug)]
pub(crate) struct Trace {
    pub(crate) settings: &'static Settings,
    /// The invocation's header, sampled and with a parent.
    pub(crate) header: TraceHeader,
    /// Every subsegment opened in the trace, to send those still open when
    /// the outermost call ends.
    opened: Mutex<Vec<Arc<Span>>>,
}

impl Trace {
    /// The trace of the running invocation, when its header is sampled and
    /// tracing is on.
    pub(crate) fn of_invocation(settings: &'static Settings) -> Option<Arc<Trace>> {
        if settings.disabled {
            return None;
        }
        let invocation = Invocation::current()?;
        let raw = invocation.xray_trace_id()?;
        // Most invocations are not sampled: they are told apart without
        // reading the header into its parts (the e2e bench's unsampled form).
        if !raw.contains("Sampled=1") {
            return None;
        }
        let header = TraceHeader::parse(raw)?;
        // A subsegment needs a parent: without one, there is nothing to join.
        if !header.sampled || header.parent.is_none() {
            return None;
        }
        Some(Arc::new(Trace {
            settings,
            header,
            opened: Mutex::new(Vec::new()),
        }))
    }

    /// Lambda's segment: the parent of the outermost call's subsegment.
    fn parent_id(&self) -> &str {
        // `of_invocation` made sure there is one.
        self.header.parent.as_deref().unwrap_or_default()
    }

    /// Ends the trace's sending, when its outermost call ends: every
    /// subsegment still open is sent, marked `in_progress`, and whatever
    /// the sink holds goes out before the response.
    pub(crate) fn send_open(&self) {
        let opened = std::mem::take(&mut *self.opened.lock().unwrap_or_else(PoisonError::into_inner));
        for span in opened {
            if let Some(mut doc) = span.take() {
                doc.in_progress = true;
                self.send(&doc);
            }
        }
        match self.settings.sink() {
            // Each datagram left when its call ended.
            Some(Sink::Daemon(_)) | None => {}
            #[cfg(feature = "otel")]
            Some(Sink::Otlp(otlp)) => otlp.flush(),
        }
    }

    fn send(&self, doc: &Document) {
        match self.settings.sink() {
            Some(Sink::Daemon(emitter)) => emitter.send(doc),
            #[cfg(feature = "otel")]
            Some(Sink::Otlp(otlp)) => otlp.send(doc, doc.parent_id == self.parent_id()),
            None => {}
        }
    }
}

/// One subsegment being recorded.
#[derive(Debug)]
pub(crate) struct Span {
    pub(crate) trace: Arc<Trace>,
    /// The subsegment's id: its children's parent, and the `Parent` of the
    /// header a call sends.
    pub(crate) id: String,
    /// The document, until it is sent.
    doc: Mutex<Option<Document>>,
}

impl Span {
    /// Opens the outermost subsegment of `trace`.
    pub(crate) fn root(trace: &Arc<Trace>, name: String) -> Arc<Span> {
        Span::open(trace, trace.parent_id(), name)
    }

    /// Opens a subsegment under this one.
    pub(crate) fn child(self: &Arc<Self>, name: String) -> Arc<Span> {
        Span::open(&self.trace, &self.id, name)
    }

    fn open(trace: &Arc<Trace>, parent_id: &str, name: String) -> Arc<Span> {
        let doc = Document::start(&trace.header.root, parent_id, name);
        let span = Arc::new(Span {
            trace: Arc::clone(trace),
            id: doc.id.clone(),
            doc: Mutex::new(Some(doc)),
        });
        trace
            .opened
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&span));
        span
    }

    /// Changes the document, unless it was sent already.
    pub(crate) fn edit<R>(&self, f: impl FnOnce(&mut Document) -> R) -> Option<R> {
        self.doc.lock().unwrap_or_else(PoisonError::into_inner).as_mut().map(f)
    }

    fn take(&self) -> Option<Document> {
        self.doc.lock().unwrap_or_else(PoisonError::into_inner).take()
    }

    /// Ends the subsegment now and sends it, after `f` had its last say;
    /// nothing when it was sent already.
    pub(crate) fn close(&self, f: impl FnOnce(&mut Document)) {
        if let Some(mut doc) = self.take() {
            f(&mut doc);
            doc.end_time = Some(now());
            self.trace.send(&doc);
        }
    }
}

/// The running traced call: `Ok(Some)` when it records, `Ok(None)` when it
/// does not, `Err(())` outside any traced call.
pub(crate) fn current() -> Result<Option<Arc<Span>>, ()> {
    CURRENT.try_with(Option::clone).map_err(|_| ())
}

/// Runs `future` as the traced call `span`.
pub(crate) fn scope<F: std::future::Future>(
    span: Option<Arc<Span>>,
    future: F,
) -> tokio::task::futures::TaskLocalFuture<Option<Arc<Span>>, F> {
    CURRENT.scope(span, future)
}

/// Runs `f` as the traced call `span`.
pub(crate) fn sync_scope<R>(span: Option<Arc<Span>>, f: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(span, f)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::net::UdpSocket;
    use std::time::Duration;

    use super::*;

    /// A loopback "daemon" and settings that send to it.
    pub(crate) fn daemon(env: &[(&str, &str)]) -> (UdpSocket, &'static Settings) {
        let daemon = UdpSocket::bind("127.0.0.1:0").unwrap();
        daemon.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
        let address = daemon.local_addr().unwrap().to_string();
        let mut vars: Vec<(&str, &str)> = env.to_vec();
        vars.push(("AWS_XRAY_DAEMON_ADDRESS", &address));
        let (env, problems) =
            Powertools::read(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned()));
        assert!(problems.is_empty(), "{problems:?}");
        (daemon, Box::leak(Box::new(Settings::from_env(&env))))
    }

    /// Every document the daemon received until it stayed quiet for a while.
    pub(crate) fn received(daemon: &UdpSocket) -> Vec<serde_json::Value> {
        let mut docs = Vec::new();
        let mut buf = vec![0; 70_000];
        // Bounded: at most 1000 documents; stops at the first quiet 300 ms.
        for _ in 0..1000 {
            let Ok((len, _)) = daemon.recv_from(&mut buf) else {
                break;
            };
            let text = std::str::from_utf8(&buf[..len]).unwrap();
            let (header, body) = text.split_once('\n').unwrap();
            assert_eq!(header, r#"{"format":"json","version":1}"#);
            docs.push(serde_json::from_str(body).unwrap());
        }
        docs
    }

    pub(crate) const SAMPLED: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    #[test]
    fn an_invocation_without_a_sampled_header_has_no_trace() {
        let (_daemon, settings) = daemon(&[]);
        assert!(Trace::of_invocation(settings).is_none(), "no invocation");
        for header in [
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            "not a header",
        ] {
            let trace = Invocation::new("r")
                .with_xray_trace_id(header)
                .sync_scope(|| Trace::of_invocation(settings));
            assert!(trace.is_none(), "{header}");
        }
        let trace = Invocation::new("r")
            .with_xray_trace_id(SAMPLED)
            .sync_scope(|| Trace::of_invocation(settings));
        assert_eq!(trace.unwrap().parent_id(), "53995c3f42cd8ad8");
        let (_daemon, disabled) = daemon(&[("POWERTOOLS_TRACE_DISABLED", "1")]);
        let trace = Invocation::new("r")
            .with_xray_trace_id(SAMPLED)
            .sync_scope(|| Trace::of_invocation(disabled));
        assert!(trace.is_none(), "POWERTOOLS_TRACE_DISABLED");
    }

    #[test]
    fn what_is_open_when_the_outermost_call_ends_is_sent_in_progress_once() {
        let (daemon, settings) = daemon(&[]);
        let trace = Invocation::new("r")
            .with_xray_trace_id(SAMPLED)
            .sync_scope(|| Trace::of_invocation(settings))
            .unwrap();
        let root = Span::root(&trace, "## handler".into());
        let child = root.child("## spawned".into());
        root.close(|_| {});
        trace.send_open();
        child.close(|_| {});
        let docs = received(&daemon);
        assert_eq!(docs.len(), 2, "{docs:?}");
        assert_eq!(docs[0]["name"], "## handler");
        assert_eq!(docs[0]["parent_id"], "53995c3f42cd8ad8");
        assert!(docs[0]["end_time"].is_f64() && docs[0].get("in_progress").is_none());
        assert_eq!(docs[1]["name"], "## spawned");
        assert_eq!(docs[1]["parent_id"], docs[0]["id"]);
        assert_eq!(docs[1]["in_progress"], true);
        assert!(docs[1].get("end_time").is_none());
    }
}
