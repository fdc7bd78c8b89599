// inside ::pypwext::__private::feature::http! { "http_method" , "http"; … }
async fn send_offer(
    api_version: &str,
    email: &str,
    id: u64,
    customer: &Customer,
) -> Result<Option<Created>, PwError> {
    #[allow(unused_imports)]
    use logged as _;
    #[allow(unused_imports)]
    use http_method as _;
    static __PYPWEXT_HTTP_CALL: ::pypwext::__private::http::HttpCall = ::pypwext::__private::http::HttpCall {
        function: "send_offer",
        method: "POST",
        url: &[
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Literal("https://"),
                place: ::pypwext::__private::http::Place::Host,
            },
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Env("STAGE"),
                place: ::pypwext::__private::http::Place::Host,
            },
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Literal(".example.com"),
                place: ::pypwext::__private::http::Place::Host,
            },
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Literal("/"),
                place: ::pypwext::__private::http::Place::Path,
            },
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Arg(0usize),
                place: ::pypwext::__private::http::Place::Path,
            },
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Literal("/offers"),
                place: ::pypwext::__private::http::Place::Path,
            },
        ],
        query: &[
            (
                "email",
                &[
                    ::pypwext::__private::http::Piece {
                        part: ::pypwext::__private::http::Part::Arg(1usize),
                        place: ::pypwext::__private::http::Place::Query,
                    },
                ],
            ),
        ],
        headers: &[
            (
                "x-request-id",
                &[
                    ::pypwext::__private::http::Piece {
                        part: ::pypwext::__private::http::Part::Arg(2usize),
                        place: ::pypwext::__private::http::Place::Header,
                    },
                ],
            ),
        ],
        arg_names: &["api_version", "email", "id"],
    };
    static __PYPWEXT_LOGGED: ::pypwext::__private::Logged = ::pypwext::__private::Logged {
        function: "send_offer",
        line: ::core::line!(),
        location: ::core::concat!("send_offer", ":", ::core::line!()),
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
    static __PYPWEXT_COLLECT_ERRORS: ::pypwext::__private::CollectErrors = ::pypwext::__private::CollectErrors {
        function: "send_offer",
        line: ::core::line!(),
        root: false,
        log: true,
    };
    ::pypwext::__private::collect_errors_async(
            &__PYPWEXT_COLLECT_ERRORS,
            {
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
                                "api_version",
                                (&&&&::pypwext::__private::render::Wrap(&api_version))
                                    .pypwext_render(),
                            );
                        __pypwext_args
                            .arg(
                                "email",
                                (&&&&::pypwext::__private::render::Wrap(&email))
                                    .pypwext_render(),
                            );
                        __pypwext_args
                            .arg(
                                "id",
                                (&&&&::pypwext::__private::render::Wrap(&id))
                                    .pypwext_render(),
                            );
                        __pypwext_args
                            .arg(
                                "customer",
                                (&&&&::pypwext::__private::render::Wrap(&customer))
                                    .pypwext_render(),
                            );
                    },
                );
                ::pypwext::__private::logged_async(
                    &__PYPWEXT_LOGGED,
                    __pypwext_entry,
                    move |__pypwext_args: &mut ::pypwext::__private::ArgsWriter| {
                        __pypwext_args
                            .arg(
                                "api_version",
                                (&&&&::pypwext::__private::render::Wrap(&api_version))
                                    .pypwext_render(),
                            );
                        __pypwext_args
                            .arg(
                                "email",
                                (&&&&::pypwext::__private::render::Wrap(&email))
                                    .pypwext_render(),
                            );
                        __pypwext_args
                            .arg(
                                "id",
                                (&&&&::pypwext::__private::render::Wrap(&id))
                                    .pypwext_render(),
                            );
                        __pypwext_args
                            .arg(
                                "customer",
                                (&&&&::pypwext::__private::render::Wrap(&customer))
                                    .pypwext_render(),
                            );
                    },
                    async move {
                        #[allow(
                            unreachable_code,
                            clippy::diverging_sub_expression,
                            clippy::needless_return
                        )]
                        if false {
                            let __pypwext_declared: Result<Option<Created>, PwError> = loop {};
                            return __pypwext_declared;
                        }
                        {
                            #[allow(unused_imports)]
                            use ::pypwext::__private::http::{
                                BodyBytes as _, BodyJson as _, BodyText as _,
                                DecodeJson as _, DecodeLambda as _, DecodeResponse as _,
                                DecodeStream as _, DecodeText as _, DecodeUnit as _,
                            };
                            let __pypwext_session = match ::pypwext::__private::http::shared_session() {
                                ::core::result::Result::Ok(session) => session,
                                ::core::result::Result::Err(error) => {
                                    return ::core::result::Result::Err(
                                        ::core::convert::From::from(error),
                                    );
                                }
                            };
                            let __pypwext_request = ::pypwext::__private::http::prepare(
                                &__PYPWEXT_HTTP_CALL,
                                __pypwext_session,
                                &[
                                    &api_version as &dyn ::core::fmt::Display,
                                    &email as &dyn ::core::fmt::Display,
                                    &id as &dyn ::core::fmt::Display,
                                ],
                                ::core::option::Option::Some(
                                    (&&&&::pypwext::__private::http::BodyProbe(&customer))
                                        .pypwext_body(),
                                ),
                            );
                            let __pypwext_answer = match ::pypwext::__private::http::send(
                                    __pypwext_request,
                                )
                                .await
                            {
                                ::core::result::Result::Ok(answer) => answer,
                                ::core::result::Result::Err(error) => {
                                    return ::core::result::Result::Err(
                                        ::core::convert::From::from(error),
                                    );
                                }
                            };
                            (&&&&::pypwext::__private::http::DecodeProbe::<
                                Option<Created>,
                            >::new())
                                .pypwext_decode(__pypwext_answer, "send_offer")
                                .await
                                .map_err(::core::convert::From::from)
                        }
                    },
                    |__pypwext_ret: &Result<Option<Created>, PwError>, __pypwext_exit| {
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
            ::pypwext::__private::absorb::<Result<Option<Created>, PwError>>,
        )
        .await
}
