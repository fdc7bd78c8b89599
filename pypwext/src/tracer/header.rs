//! The `X-Amzn-Trace-Id` header: `Root=1-…;Parent=…;Sampled=1`, as Lambda
//! hands it to an invocation and as an outgoing call carries it on.
//!
//! A header that cannot be read is an unsampled one: nothing is traced, and
//! nothing fails (a trace header is advice, never a reason to refuse work).

/// One trace header, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TraceHeader {
    /// `Root`: the trace id, `1-<8 hex>-<24 hex>`.
    pub(crate) root: String,
    /// `Parent`: the id of the segment the work belongs to (Lambda's own),
    /// 16 hex digits.
    pub(crate) parent: Option<String>,
    /// `Sampled=1`.
    pub(crate) sampled: bool,
    /// The fields this module does not read (`Lineage=…`, say), in written
    /// order, carried on to outgoing calls as they were.
    pub(crate) others: Vec<String>,
}

impl TraceHeader {
    /// Reads a header; `None` when it has no well-formed `Root`, or a
    /// `Parent` that is not 16 hex digits.
    pub(crate) fn parse(raw: &str) -> Option<TraceHeader> {
        let mut root = None;
        let mut parent = None;
        let mut sampled = false;
        let mut others = Vec::new();
        for field in raw.split(';').map(str::trim).filter(|field| !field.is_empty()) {
            let (key, value) = field.split_once('=')?;
            match key.trim() {
                "Root" => root = Some(value.trim()),
                "Parent" => parent = Some(value.trim()),
                "Sampled" => sampled = value.trim() == "1",
                _ => others.push(field.to_owned()),
            }
        }
        let root = root.filter(|root| is_trace_id(root))?;
        if parent.is_some_and(|parent| !is_segment_id(parent)) {
            return None;
        }
        Some(TraceHeader {
            root: root.to_owned(),
            parent: parent.map(str::to_owned),
            sampled,
            others,
        })
    }

    /// The header an outgoing call sends: this trace, with `parent` (the
    /// call's own subsegment) as its parent.
    #[cfg_attr(not(feature = "http"), allow(dead_code))]
    pub(crate) fn for_call(&self, parent: &str) -> String {
        let mut header = format!("Root={};Parent={parent};Sampled={}", self.root, u8::from(self.sampled));
        for other in &self.others {
            header.push(';');
            header.push_str(other);
        }
        header
    }
}

/// `1-<8 hex digits: epoch seconds>-<24 hex digits>`.
pub(crate) fn is_trace_id(id: &str) -> bool {
    let mut parts = id.split('-');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("1"), Some(time), Some(random), None) if is_hex(time, 8) && is_hex(random, 24)
    )
}

/// 16 hex digits.
pub(crate) fn is_segment_id(id: &str) -> bool {
    is_hex(id, 16)
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "1-5759e988-bd862e3fe1be46a994272793";

    #[test]
    fn lambda_s_header_is_read_field_by_field() {
        let header =
            TraceHeader::parse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1").unwrap();
        assert_eq!(header.root, ROOT);
        assert_eq!(header.parent.as_deref(), Some("53995c3f42cd8ad8"));
        assert!(header.sampled);
        assert!(header.others.is_empty());
    }

    #[test]
    fn fields_in_any_order_with_spaces_and_unknown_ones_kept() {
        let header =
            TraceHeader::parse(" Sampled=1 ; Lineage=a87bd80c:1|68fd508a:5 ;Root=1-5759e988-bd862e3fe1be46a994272793;")
                .unwrap();
        assert!(header.sampled);
        assert_eq!(header.parent, None);
        assert_eq!(header.others, ["Lineage=a87bd80c:1|68fd508a:5"]);
        assert_eq!(
            header.for_call("0123456789abcdef"),
            format!("Root={ROOT};Parent=0123456789abcdef;Sampled=1;Lineage=a87bd80c:1|68fd508a:5")
        );
    }

    #[test]
    fn sampled_is_only_1() {
        for sampled in ["0", "?", "", "true", "yes"] {
            let header = TraceHeader::parse(&format!("Root={ROOT};Sampled={sampled}")).unwrap();
            assert!(!header.sampled, "{sampled:?}");
        }
        assert!(!TraceHeader::parse(&format!("Root={ROOT}")).unwrap().sampled);
    }

    #[test]
    fn bad_headers_are_none_never_a_panic() {
        for raw in [
            "",
            ";;;",
            "Sampled=1",
            "Root=1-5759e988;Sampled=1",
            "Root=2-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            "Root=1-5759e98g-bd862e3fe1be46a994272793;Sampled=1",
            "Root=1-5759e988-bd862e3fe1be46a99427279;Sampled=1",
            "Root=1-5759e988-bd862e3fe1be46a994272793-00;Sampled=1",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f;Sampled=1",
            "Root=1-5759e988-bd862e3fe1be46a994272793;garbage;Sampled=1",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8é;Sampled=1",
            "Root=é",
        ] {
            assert_eq!(TraceHeader::parse(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn a_header_is_written_back_as_it_was_read() {
        let raw = format!("Root={ROOT};Parent=53995c3f42cd8ad8;Sampled=0;Lineage=x:1");
        assert_eq!(TraceHeader::parse(&raw).unwrap().for_call("53995c3f42cd8ad8"), raw);
    }
}
