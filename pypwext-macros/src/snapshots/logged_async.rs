async fn total(prices: Vec<u64>) -> u64 {
    static __PYPWEXT_LOGGED: ::pypwext::__private::Logged = ::pypwext::__private::Logged {
        function: "total",
        line: ::core::line!(),
        location: ::core::concat!("total", ":", ::core::line!()),
        level: ::pypwext::__private::Level::DEBUG,
        out_level: ::pypwext::__private::Level::DEBUG,
        classification: ::pypwext::__private::InfoClassification::Na,
        log_type: ::pypwext::__private::LogEntryType::Audit,
        operation: ::core::option::Option::None,
        out_classification: ::pypwext::__private::InfoClassification::Na,
        out_log_type: ::pypwext::__private::LogEntryType::Audit,
        out_operation: ::core::option::Option::None,
        log_exception: false,
    };
    {
        #[allow(unused_imports)]
        use ::pypwext::__private::render::{
            ErrorViaDebug as _, ErrorViaDisplay as _, ErrorViaName as _,
            ErrorViaStd as _, OutcomeOfResult as _, OutcomeOfValue as _, ViaDebug as _,
            ViaLogView as _, ViaNothing as _, ViaSerialize as _,
        };
        let __pypwext_entry = ::pypwext::__private::logged_args(
            &__PYPWEXT_LOGGED,
            |__pypwext_args| {
                __pypwext_args
                    .arg(
                        "prices",
                        (&&&&::pypwext::__private::render::Wrap(&prices))
                            .pypwext_render(),
                    );
            },
        );
        ::pypwext::__private::logged_async(
            &__PYPWEXT_LOGGED,
            __pypwext_entry,
            move |__pypwext_args: &mut ::pypwext::__private::ArgsWriter| {
                __pypwext_args.moved("prices");
            },
            async move {
                #[allow(
                    unreachable_code,
                    clippy::diverging_sub_expression,
                    clippy::needless_return
                )]
                if false {
                    let __pypwext_declared: u64 = loop {};
                    return __pypwext_declared;
                }
                { prices.iter().sum() }
            },
            |__pypwext_ret: &u64, __pypwext_exit| {
                match (&&::pypwext::__private::render::ProbeOutcome(__pypwext_ret))
                    .pypwext_outcome()
                {
                    ::pypwext::__private::render::Outcome::Value(__pypwext_value) => {
                        __pypwext_exit
                            .value(
                                (&&&&::pypwext::__private::render::Wrap(__pypwext_value))
                                    .pypwext_render(),
                            )
                    }
                    ::pypwext::__private::render::Outcome::Error(__pypwext_error) => {
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
    }
        .await
}
