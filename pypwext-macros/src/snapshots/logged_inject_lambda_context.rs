async fn handler(
    event: LambdaEvent<serde_json::Value>,
) -> Result<serde_json::Value, Error> {
    static __PYPWEXT_LOGGED: ::pypwext::__private::Logged = ::pypwext::__private::Logged {
        function: "handler",
        line: ::core::line!(),
        location: ::core::concat!("handler", ":", ::core::line!()),
        level: ::pypwext::__private::Level::DEBUG,
        out_level: ::pypwext::__private::Level::INFO,
        classification: ::pypwext::__private::InfoClassification::Na,
        log_type: ::pypwext::__private::LogEntryType::Std,
        operation: ::core::option::Option::None,
        out_classification: ::pypwext::__private::InfoClassification::Na,
        out_log_type: ::pypwext::__private::LogEntryType::Std,
        out_operation: ::core::option::Option::None,
        log_exception: true,
    };
    const _: () = ::pypwext::__private::assert_correlation_path("detail.orderId");
    static __PYPWEXT_INJECT: ::pypwext::__private::InjectLambdaContext = ::pypwext::__private::InjectLambdaContext::new(
        "handler",
        ::core::line!(),
        &["detail.orderId"],
        true,
    );
    ::pypwext::__private::inject_async(
            &__PYPWEXT_INJECT,
            ::pypwext::__private::prepare_injection_anywhere(&event, &__PYPWEXT_INJECT),
            move || {
                #[allow(unused_imports)]
                use ::pypwext::__private::render::{
                    ErrorViaDebug as _, ErrorViaDisplay as _, ErrorViaName as _,
                    ErrorViaStd as _, OutcomeOfResult as _, OutcomeOfValue as _,
                    ViaDebug as _, ViaLogView as _, ViaNothing as _, ViaSerialize as _,
                };
                let __pypwext_entry = ::pypwext::__private::logged_args(
                    &__PYPWEXT_LOGGED,
                    |__pypwext_args| {
                        __pypwext_args
                            .arg(
                                "event",
                                (&&&&::pypwext::__private::render::Wrap(&event))
                                    .pypwext_render(),
                            );
                    },
                );
                ::pypwext::__private::logged_async(
                    &__PYPWEXT_LOGGED,
                    __pypwext_entry,
                    move |__pypwext_args: &mut ::pypwext::__private::ArgsWriter| {
                        __pypwext_args.moved("event");
                    },
                    async move {
                        #[allow(
                            unreachable_code,
                            clippy::diverging_sub_expression,
                            clippy::needless_return
                        )]
                        if false {
                            let __pypwext_declared: Result<serde_json::Value, Error> = loop {};
                            return __pypwext_declared;
                        }
                        { Ok(event.payload) }
                    },
                    |__pypwext_ret: &Result<serde_json::Value, Error>, __pypwext_exit| {
                        match (&&::pypwext::__private::render::ProbeOutcome(
                            __pypwext_ret,
                        ))
                            .pypwext_outcome()
                        {
                            ::pypwext::__private::render::Outcome::Value(
                                __pypwext_value,
                            ) => {
                                __pypwext_exit
                                    .value(
                                        (&&&&::pypwext::__private::render::Wrap(__pypwext_value))
                                            .pypwext_render(),
                                    )
                            }
                            ::pypwext::__private::render::Outcome::Error(
                                __pypwext_error,
                            ) => {
                                __pypwext_exit
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
