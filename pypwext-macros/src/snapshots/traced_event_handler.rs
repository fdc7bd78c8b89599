// inside ::pypwext::__private::feature::tracer! { "traced" , "tracer"; … }
async fn handler(event: LambdaEvent<Order>) -> Result<Value, Error> {
    static __PYPWEXT_TRACED: ::pypwext::__private::tracer::Traced = ::pypwext::__private::tracer::Traced {
        function: "handler",
        name: ::core::option::Option::None,
        capture_response: ::core::option::Option::None,
        capture_error: ::core::option::Option::None,
    };
    static __PYPWEXT_INJECT: ::pypwext::__private::InjectLambdaContext = ::pypwext::__private::InjectLambdaContext::new(
        "handler",
        ::core::line!(),
        &[],
        false,
    );
    ::pypwext::__private::inject_async(
            &__PYPWEXT_INJECT,
            ::pypwext::__private::prepare_trace_injection(&event, &__PYPWEXT_INJECT),
            move || {
                #[allow(unused_imports)]
                use ::pypwext::__private::render::{
                    ErrorViaDebug as _, ErrorViaDisplay as _, ErrorViaName as _,
                    ErrorViaStd as _, OutcomeOfResult as _, OutcomeOfValue as _,
                    ViaDebug as _, ViaLogView as _, ViaNothing as _, ViaSerialize as _,
                };
                ::pypwext::__private::tracer::traced_async(
                    &__PYPWEXT_TRACED,
                    async move {
                        #[allow(
                            unreachable_code,
                            clippy::diverging_sub_expression,
                            clippy::needless_return
                        )]
                        if false {
                            let __pypwext_declared: Result<Value, Error> = loop {};
                            return __pypwext_declared;
                        }
                        { Ok(json!({ "id" : event.payload.id })) }
                    },
                    |__pypwext_ret: &Result<Value, Error>, __pypwext_capture| {
                        match (&&::pypwext::__private::render::ProbeOutcome(
                            __pypwext_ret,
                        ))
                            .pypwext_outcome()
                        {
                            ::pypwext::__private::render::Outcome::Value(
                                __pypwext_value,
                            ) => {
                                __pypwext_capture
                                    .value(
                                        (&&&&::pypwext::__private::render::Wrap(__pypwext_value))
                                            .pypwext_render(),
                                    )
                            }
                            ::pypwext::__private::render::Outcome::Error(
                                __pypwext_error,
                            ) => {
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
            },
        )
        .await
}
