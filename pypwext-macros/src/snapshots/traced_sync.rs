// inside ::pypwext::__private::feature::tracer! { "traced" , "tracer"; … }
fn reserve(order_id: u64) -> Result<(), PwError> {
    static __PYPWEXT_TRACED: ::pypwext::__private::tracer::Traced = ::pypwext::__private::tracer::Traced {
        function: "reserve",
        name: ::core::option::Option::Some("reserve stock"),
        capture_response: ::core::option::Option::Some(false),
        capture_error: ::core::option::Option::Some(true),
    };
    {
        #[allow(unused_imports)]
        use ::pypwext::__private::render::{
            ErrorViaDebug as _, ErrorViaDisplay as _, ErrorViaName as _,
            ErrorViaStd as _, OutcomeOfResult as _, OutcomeOfValue as _, ViaDebug as _,
            ViaLogView as _, ViaNothing as _, ViaSerialize as _,
        };
        ::pypwext::__private::tracer::traced_sync(
            &__PYPWEXT_TRACED,
            move || { Ok(()) },
            |__pypwext_ret: &Result<(), PwError>, __pypwext_capture| {
                match (&&::pypwext::__private::render::ProbeOutcome(__pypwext_ret))
                    .pypwext_outcome()
                {
                    ::pypwext::__private::render::Outcome::Value(__pypwext_value) => {
                        __pypwext_capture
                            .value(
                                (&&&&::pypwext::__private::render::Wrap(__pypwext_value))
                                    .pypwext_render(),
                            )
                    }
                    ::pypwext::__private::render::Outcome::Error(__pypwext_error) => {
                        __pypwext_capture
                            .error(
                                (&&&&::pypwext::__private::render::WrapError(
                                    __pypwext_error,
                                ))
                                    .pypwext_exception(),
                            )
                    }
                }
            },
        )
    }
}
