fn check_login(user: &str, password: &str, attempt: u32) -> Result<bool, PwError> {
    static __PYPWEXT_LOGGED: ::pypwext::__private::Logged = ::pypwext::__private::Logged {
        function: "check_login",
        line: ::core::line!(),
        location: ::core::concat!("check_login", ":", ::core::line!()),
        level: ::pypwext::__private::Level::INFO,
        out_level: ::pypwext::__private::Level::INFO,
        classification: ::pypwext::__private::InfoClassification::Pii,
        log_type: ::pypwext::__private::LogEntryType::Std,
        operation: ::core::option::Option::Some("check-login"),
        out_classification: ::pypwext::__private::InfoClassification::Pii,
        out_log_type: ::pypwext::__private::LogEntryType::Std,
        out_operation: ::core::option::Option::Some("check-login"),
        log_exception: true,
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
                        "user",
                        (&&&&::pypwext::__private::render::Wrap(&user)).pypwext_render(),
                    );
                __pypwext_args.redacted("password");
            },
        );
        ::pypwext::__private::logged_sync(
            &__PYPWEXT_LOGGED,
            __pypwext_entry,
            move |__pypwext_args: &mut ::pypwext::__private::ArgsWriter| {
                __pypwext_args
                    .arg(
                        "user",
                        (&&&&::pypwext::__private::render::Wrap(&user)).pypwext_render(),
                    );
                __pypwext_args.redacted("password");
            },
            move || { Ok(user == "admin" && password == "secret" && attempt < 3) },
            |__pypwext_ret: &Result<bool, PwError>, __pypwext_exit| {
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
}
